/** From the observations to the result figures: freshness per backend and the pollers' own costs. */
import { percentile, round, sortedOf } from '@cruddur/testkit/stats';
import type { Poller } from './pollers.ts';
import type { BackendFreshness, BackendName, PollStats } from './results.ts';
import type { Answered } from './traffic.ts';

export function pollStats(stats: Poller['stats']): PollStats {
  const trips = sortedOf(stats.roundTrips);
  return {
    polls: stats.polls,
    errors: stats.errors,
    ...(stats.firstError === undefined ? {} : { firstError: stats.firstError }),
    p50RoundTripMs: finite(percentile(trips, 50)),
    p95RoundTripMs: finite(percentile(trips, 95)),
    maxRoundTripMs: finite(trips.at(-1)),
    meanItemsPerPoll: round(stats.polls === 0 ? 0 : stats.items / stats.polls),
  };
}

/** Rounded to 0.1 ms; infinity (late/lost), NaN (nothing measured) and undefined become null. */
export const finite = (value: number | undefined): number | null => (value !== undefined && Number.isFinite(value) ? round(value) : null);
const HISTOGRAM_BIN_MS = 100;

/**
 * Median time between successive deliveries: items that first appeared in the same poll answer
 * arrived together. It shows the slowest timer on the path (a span or record cannot reach the
 * backend more often than its slowest batching stage lets it), whatever the settings claim.
 */
function deliveryPeriod(seenTimes: readonly (number | undefined)[]): number | null {
  const distinct = [...new Set(seenTimes.filter((value): value is number => value !== undefined))].sort((a, b) => a - b);
  const gaps = distinct.slice(1).map((value, index) => value - (distinct[index] ?? value));
  return finite(percentile(sortedOf(gaps), 50));
}

export function backendFreshness(
  measured: readonly Answered[],
  backend: BackendName,
  presentAfterDrain: ReadonlySet<string>,
): BackendFreshness {
  const latencies = measured.map((sent) => {
    const seenAt = sent.seen[backend];
    return seenAt === undefined ? null : seenAt - sent.respondedAt;
  });
  const seenValues = latencies.filter((value): value is number => value !== null);
  const unseen = measured.filter((_sent, index) => latencies[index] === null);
  const late = unseen.filter((sent) => presentAfterDrain.has(sent.traceId)).length;
  // Late and lost sort last (+infinity), so they show in the upper percentiles instead of vanishing.
  const all = sortedOf([...seenValues, ...unseen.map(() => Number.POSITIVE_INFINITY)]);
  const counts: number[] = [];
  for (const value of seenValues) {
    const bin = Math.max(0, Math.floor(value / HISTOGRAM_BIN_MS));
    while (counts.length <= bin) counts.push(0);
    counts[bin] = (counts[bin] ?? 0) + 1;
  }
  const seenSorted = sortedOf(seenValues);
  return {
    measured: measured.length,
    seen: seenValues.length,
    late,
    lost: unseen.length - late,
    p50Ms: finite(percentile(all, 50)),
    p95Ms: finite(percentile(all, 95)),
    p99Ms: finite(percentile(all, 99)),
    maxMs: finite(all.at(-1)),
    minMs: finite(seenSorted[0]),
    meanMs: finite(seenValues.reduce((a, b) => a + b, 0) / seenValues.length),
    histogram: { binMs: HISTOGRAM_BIN_MS, counts },
    deliveryPeriodMs: deliveryPeriod(measured.map((sent) => sent.seen[backend])),
    latenciesMs: latencies.map((value) => (value === null ? null : round(value))),
  };
}
