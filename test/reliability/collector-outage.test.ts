import { describe, expect, it } from 'vitest';

import { honeycombReport } from '@cruddur/testkit/backends';
import { percentile, sortedOf } from '@cruddur/testkit/stats';
import { settledCount, steadyLoad } from './support/load.ts';
import { docker, inspectContainer } from '@cruddur/testkit/docker';
import { stackForFile } from '@cruddur/testkit/file-stack';

/**
 * Under a steady 200 req/s, the collector sidecar is killed (SIGKILL) for 10 s and
 * started again. The app must answer every request, and the SDK's buffer and retries must get
 * at least 99.9 % of the traces to Honeycomb once the collector is back.
 */

const RATE = 200;
const DURATION_MS = 40_000;
const KILL_AT_MS = 10_000;
const OUTAGE_MS = 10_000;

const file = stackForFile({ projectPrefix: 'cruddur-rel-outage' });

/** Distinct trace ids with a server span at the Honeycomb stand-in, among the ones we sent. */
async function deliveredTraces(sent: ReadonlySet<string>): Promise<number> {
  const report = await honeycombReport(file.stack.honeycombUrl);
  const seen = new Set<string>();
  for (const span of report.spans) {
    if (span.kind === 'Server' && sent.has(span.traceId)) seen.add(span.traceId);
  }
  return seen.size;
}

describe('collector outage under load', () => {
  it('keeps answering every request and delivers >= 99.9 % of traces after a 10 s collector kill', async () => {
    const collector = await file.container('otel-collector');
    const app = await file.container('app');
    const timeline: string[] = [];
    const result = await steadyLoad({
      url: `${file.stack.appUrl}/api/activities/home`,
      ratePerSecond: RATE,
      durationMs: DURATION_MS,
      events: [
        {
          atMs: KILL_AT_MS,
          run: async () => {
            await docker('kill', collector);
            timeline.push(`${new Date().toISOString()} collector killed`);
          },
        },
        {
          atMs: KILL_AT_MS + OUTAGE_MS,
          run: async () => {
            await docker('start', collector);
            timeline.push(`${new Date().toISOString()} collector started`);
          },
        },
      ],
    });

    // The app: every request answered 200, latency bounded, never restarted.
    expect(result.statuses).toEqual({ 200: result.sent });
    const latencies = sortedOf(result.latenciesMs);
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    const max = Math.max(...result.latenciesMs);
    const appState = await inspectContainer(app);
    expect(appState.State.Running).toBe(true);
    expect(appState.RestartCount).toBe(0);

    // The traces: wait until the stand-in stops receiving more of them.
    const sent = new Set(result.traceIds);
    const delivered = await settledCount(() => deliveredTraces(sent), {
      target: sent.size,
      pollMs: 3000,
      quietMs: 40_000,
      timeoutMs: 120_000,
    });
    const ratio = delivered / sent.size;
    // Where the slow answers were: the worst latency per second of the run (ms), by send time.
    const worstPerSecond: number[] = [];
    result.sentAtMs.forEach((at, index) => {
      const second = Math.floor(at / 1000);
      worstPerSecond[second] = Math.max(worstPerSecond[second] ?? 0, Math.round(result.latenciesMs[index] ?? 0));
    });
    const figures = { sent: sent.size, delivered, ratio, p50Ms: p50, p99Ms: p99, maxMs: max, timeline, worstPerSecond };
    console.log(`collector outage: ${JSON.stringify(figures)}`);

    expect(p99).toBeLessThan(250);
    expect(ratio).toBeGreaterThanOrEqual(0.999);
  });
});
