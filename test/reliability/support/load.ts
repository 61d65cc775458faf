import { newXrayCompatibleTraceId, traceparent } from '@cruddur/testkit/trace-ids';

export interface LoadResult {
  readonly sent: number;
  /** status code (0 for a transport error) → count */
  readonly statuses: Record<number, number>;
  /** Per request, in the order sent (aligned with traceIds and sentAtMs). */
  readonly latenciesMs: number[];
  readonly traceIds: string[];
  /** Milliseconds since the start at which each request was sent, in order. */
  readonly sentAtMs: number[];
}

export interface LoadOptions {
  readonly url: string;
  readonly ratePerSecond: number;
  readonly durationMs: number;
  /** Called once at these offsets (ms from the start), e.g. to kill and restart a container. */
  readonly events?: ReadonlyArray<{ atMs: number; run: () => Promise<void> }>;
}

/**
 * An open-loop load at a fixed rate: a request is sent on schedule whether or not earlier ones
 * have answered, as real clients do, so a slow or stuck server shows up as latency and errors
 * instead of silently lowering the rate. Each request carries its own trace id.
 */
export async function steadyLoad(options: LoadOptions): Promise<LoadResult> {
  const intervalMs = 1000 / options.ratePerSecond;
  const total = Math.round((options.durationMs / 1000) * options.ratePerSecond);
  const statuses: Record<number, number> = {};
  const latenciesMs: number[] = [];
  const traceIds: string[] = [];
  const sentAtMs: number[] = [];
  const inFlight: Promise<void>[] = [];
  const pendingEvents = [...(options.events ?? [])].sort((a, b) => a.atMs - b.atMs);
  const eventRuns: Promise<void>[] = [];
  const started = performance.now();

  for (let index = 0; index < total; index += 1) {
    const due = started + index * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const elapsed = performance.now() - started;
    while (pendingEvents.length > 0 && (pendingEvents[0]?.atMs ?? Number.POSITIVE_INFINITY) <= elapsed) {
      const event = pendingEvents.shift();
      if (event !== undefined) eventRuns.push(event.run());
    }
    const traceId = newXrayCompatibleTraceId();
    traceIds.push(traceId);
    sentAtMs.push(elapsed);
    const sentAt = performance.now();
    inFlight.push(
      fetch(options.url, { headers: { traceparent: traceparent(traceId) }, signal: AbortSignal.timeout(10_000) })
        .then(async (response) => {
          await response.arrayBuffer();
          statuses[response.status] = (statuses[response.status] ?? 0) + 1;
        })
        .catch(() => {
          statuses[0] = (statuses[0] ?? 0) + 1;
        })
        .finally(() => {
          latenciesMs[index] = performance.now() - sentAt;
        }),
    );
  }
  await Promise.all(inFlight);
  await Promise.all(eventRuns);
  return { sent: total, statuses, latenciesMs, traceIds, sentAtMs };
}

export interface SettleOptions {
  /** Stop as soon as the count reaches this. */
  readonly target: number;
  readonly pollMs: number;
  /** Stop when the count has not grown for this long. */
  readonly quietMs: number;
  readonly timeoutMs: number;
}

/**
 * Polls a count of delivered items until it reaches the target, stops growing, or time runs out,
 * and returns the last value: how a loss is measured after an outage, without guessing how long
 * the backlog takes to drain.
 */
export async function settledCount(count: () => Promise<number>, options: SettleOptions): Promise<number> {
  let last = 0;
  let grewAt = Date.now();
  const deadline = Date.now() + options.timeoutMs;
  while (Date.now() < deadline && last < options.target) {
    await new Promise((resolve) => setTimeout(resolve, options.pollMs));
    const now = await count();
    if (now > last) grewAt = Date.now();
    last = now;
    if (Date.now() - grewAt > options.quietMs) break;
  }
  return last;
}
