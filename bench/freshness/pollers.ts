/**
 * The pollers: every POLL_MS, what is new in X-Ray (GetTraceSummaries) and in the app's log group
 * (FilterLogEvents, the access-log record), over a window from the oldest request not yet seen.
 */
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { GetTraceSummariesCommand, type XRayClient } from '@aws-sdk/client-xray';

import { logGroupPages } from '@cruddur/testkit/backends';
import { fromXrayTraceId } from '@cruddur/testkit/trace-ids';
import { sleep } from '@cruddur/testkit/processes';
import { now, type Sent } from './traffic.ts';

/** The app's log group, where the access-log records land. */
export const LOG_GROUP = 'cruddur';

export interface Poller {
  readonly stats: { polls: number; errors: number; firstError?: string; roundTrips: number[]; items: number };
  done: Promise<void>;
}

/** Requests not yet seen by one backend, with the oldest send time bounding the poll window. */
export class Pending {
  readonly #items = new Map<string, Sent>();
  add(sent: Sent): void {
    this.#items.set(sent.traceId, sent);
  }
  take(traceId: string): Sent | undefined {
    const sent = this.#items.get(traceId);
    if (sent !== undefined) this.#items.delete(traceId);
    return sent;
  }
  /** Oldest send time among the pending, ignoring those older than `capMs` (late or lost: the sweep decides). */
  oldest(capMs: number): number | undefined {
    const floor = now() - capMs;
    let oldest: number | undefined;
    for (const sent of this.#items.values())
      if (sent.sentAt >= floor && (oldest === undefined || sent.sentAt < oldest)) oldest = sent.sentAt;
    return oldest;
  }
}

const WINDOW_MARGIN_MS = 2000;
const WINDOW_CAP_MS = 30_000;

/** One poll, over a window from the oldest pending request less a margin; nothing pending: no poll. */
function windowed(pending: Pending, read: (fromMs: number) => Promise<number>): () => Promise<number | undefined> {
  return () => {
    const oldest = pending.oldest(WINDOW_CAP_MS);
    return oldest === undefined ? Promise.resolve(undefined) : read(oldest - WINDOW_MARGIN_MS);
  };
}

export function startPoller(intervalMs: number, stopped: () => boolean, once: () => Promise<number | undefined>): Poller {
  const stats: Poller['stats'] = { polls: 0, errors: 0, roundTrips: [], items: 0 };
  const loop = async (): Promise<void> => {
    while (!stopped()) {
      const started = now();
      try {
        const items = await once();
        if (items !== undefined) {
          stats.polls += 1;
          stats.items += items;
          stats.roundTrips.push(now() - started);
        }
      } catch (error) {
        stats.errors += 1;
        stats.firstError ??= error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      }
      const wait = started + intervalMs - now();
      if (wait > 0) await sleep(wait);
    }
  };
  return { stats, done: loop() };
}

export function xrayPoll(client: XRayClient, pending: Pending): () => Promise<number | undefined> {
  return windowed(pending, async (fromMs) => {
    let items = 0;
    let token: string | undefined;
    do {
      const out = await client.send(
        new GetTraceSummariesCommand({
          StartTime: new Date(fromMs),
          EndTime: new Date(now() + 60_000),
          ...(token === undefined ? {} : { NextToken: token }),
        }),
      );
      const seenAt = now();
      const summaries = out.TraceSummaries ?? [];
      for (const summary of summaries) {
        if (summary.Id === undefined) continue;
        const sent = pending.take(fromXrayTraceId(summary.Id));
        if (sent !== undefined) sent.seen.xray = seenAt;
      }
      items += summaries.length;
      token = out.NextToken;
    } while (token !== undefined);
    return items;
  });
}

export function cloudwatchPoll(client: CloudWatchLogsClient, pending: Pending): () => Promise<number | undefined> {
  return windowed(pending, async (fromMs) => {
    let items = 0;
    for await (const events of logGroupPages(client, LOG_GROUP, Math.floor(fromMs))) {
      const seenAt = now();
      for (const { message } of events) {
        if (message.trace_id === undefined || message.attributes?.['log.type'] !== 'access') continue;
        const sent = pending.take(message.trace_id);
        if (sent !== undefined) sent.seen.cloudwatch = seenAt;
      }
      items += events.length;
    }
    return items;
  });
}
