import { describe, expect, it } from 'vitest';

import { logGroupEvents, tracesInXray } from '@cruddur/testkit/backends';
import { docker } from '@cruddur/testkit/docker';
import { stackForFile } from '@cruddur/testkit/file-stack';
import { settledCount, steadyLoad } from './support/load.ts';

/**
 * The AWS stand-in goes dark for 30 s (paused: connections hang, as a network outage
 * does), and while data is queued the collector is killed and started again. CloudWatch Logs
 * and X-Ray ride on persistent sending queues (file_storage; X-Ray's is the spool in front of
 * the queue-less awsxray exporter, see otel-collector/config/xray.yaml): nothing may be lost.
 */

const RATE = 50;
const DURATION_MS = 60_000;
const OUTAGE_START_MS = 5000;
const COLLECTOR_KILL_MS = 20_000;
const OUTAGE_END_MS = 35_000;

const file = stackForFile({ projectPrefix: 'cruddur-rel-backend' });

describe('backend outage and collector restart', () => {
  it('loses no log record and no X-Ray trace through a 30 s AWS outage and a collector kill', async () => {
    const moto = await file.container('moto');
    const collector = await file.container('otel-collector');
    const result = await steadyLoad({
      url: `${file.stack.appUrl}/api/activities/notifications`,
      ratePerSecond: RATE,
      durationMs: DURATION_MS,
      events: [
        {
          atMs: OUTAGE_START_MS,
          run: async () => {
            await docker('pause', moto);
          },
        },
        {
          atMs: COLLECTOR_KILL_MS,
          run: async () => {
            await docker('kill', collector);
            await docker('start', collector);
          },
        },
        {
          atMs: OUTAGE_END_MS,
          run: async () => {
            await docker('unpause', moto);
          },
        },
      ],
    });
    expect(result.statuses).toEqual({ 200: result.sent });

    // Every request wrote one access record; wait until CloudWatch stops receiving more.
    const sent = new Set(result.traceIds);
    const accessRecords = async (): Promise<number> => {
      const events = await logGroupEvents(file.stack.aws, 'cruddur');
      return new Set(
        events
          .filter((event) => event.message.attributes?.['log.type'] === 'access' && sent.has(event.message.trace_id ?? ''))
          .map((event) => event.message.trace_id),
      ).size;
    };
    const settle = { target: sent.size, pollMs: 5000, quietMs: 60_000, timeoutMs: 240_000 };
    const logged = await settledCount(accessRecords, settle);
    const xrayTraces = async (): Promise<number> => (await tracesInXray(file.stack.aws, result.traceIds)).size;
    const inXray = await settledCount(xrayTraces, settle);
    const figures = {
      requests: sent.size,
      cloudwatchAccessRecords: logged,
      cloudwatchLost: sent.size - logged,
      xrayTraces: inXray,
      xrayLost: sent.size - inXray,
      xrayLossRatio: (sent.size - inXray) / sent.size,
    };
    console.log(`backend outage: ${JSON.stringify(figures)}`);
    expect(figures.cloudwatchLost).toBe(0);
    expect(figures.xrayLost).toBe(0);
  });
});
