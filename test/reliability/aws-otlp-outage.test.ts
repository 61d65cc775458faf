import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { startAppProcess, type AppProcess } from '@cruddur/testkit/app-process';
import type { OtlpReport } from '@cruddur/testkit/backends';
import { startCollector, type Collector } from '@cruddur/testkit/collector';
import { fromRoot } from '@cruddur/testkit/paths';
import { logDir } from '@cruddur/testkit/processes';
import { CANARY, startAwsOtlp, startHoneycomb, type AwsOtlp, type Honeycomb } from '@cruddur/testkit/standins';
import { deploymentFiles } from '../../otel-collector/profiles.ts';
import { settledCount, steadyLoad } from './support/load.ts';

/**
 * backend-outage.test.ts for the AWS OTLP endpoints (profile vendors-aws-otlp): the shipped app
 * and the real collector as local processes, the OTLP stand-in playing X-Ray's and CloudWatch
 * Logs' OTLP endpoints. The stand-in goes dark for 30 s (SIGSTOP: connections hang, as a network
 * outage does, like `docker pause`), and while data is queued the collector is killed (SIGKILL)
 * and started again on the same queue directory. otlp_http's persistent queue and retry must
 * lose no span and no log record.
 */

const RATE = 50;
const DURATION_MS = 60_000;
const OUTAGE_START_MS = 5000;
const COLLECTOR_KILL_MS = 20_000;
const OUTAGE_END_MS = 35_000;

let aws: AwsOtlp | undefined;
let honeycomb: Honeycomb | undefined;
let collector: Collector | undefined;
let app: AppProcess | undefined;

afterAll(async () => {
  if (aws !== undefined) process.kill(aws.proc.pid, 'SIGCONT');
  await app?.stop();
  await collector?.stop();
  await Promise.all([aws?.stop(), honeycomb?.stop()]);
});

/** Distinct trace ids among `sent` with a server span / an access record at the stand-in. */
function delivered(report: OtlpReport, sent: ReadonlySet<string>): { traces: number; accessRecords: number } {
  const traces = new Set(report.spans.filter((s) => s.kind === 'Server' && sent.has(s.traceId)).map((s) => s.traceId));
  const access = new Set(report.logs.filter((l) => l.attributes['log.type'] === 'access' && sent.has(l.traceId)).map((l) => l.traceId));
  return { traces: traces.size, accessRecords: access.size };
}

describe('AWS OTLP endpoint outage and collector restart', () => {
  it('loses no span and no log record through a 30 s outage of the OTLP endpoints and a collector kill', async () => {
    const files = deploymentFiles('vendors-aws-otlp', 'all').map(fromRoot);
    const storageDir = path.join(logDir, 'aws-otlp-outage-storage');
    fs.mkdirSync(storageDir, { recursive: true });
    const standins = await Promise.all([startAwsOtlp(), startHoneycomb()]);
    [aws, honeycomb] = standins;
    const [awsStandin, honeycombStandin] = standins;
    const collectorOptions = {
      configs: files,
      awsOtlpEndpoint: awsStandin.url,
      honeycombEndpoint: honeycombStandin.grpcEndpoint,
      storageDir,
    };
    const first = await startCollector({ ...collectorOptions, name: 'collector-before-kill' });
    collector = first;
    // The restarted collector listens where the app already sends (same OTLP port, same queue directory).
    const samePort = { OTELCOL_OTLP_GRPC_PORT: String(first.ports.grpc) };
    app = await startAppProcess({
      OTEL_EXPORTER_OTLP_ENDPOINT: first.otlpUrl,
      OTEL_BSP_SCHEDULE_DELAY: '200',
      OTEL_BLRP_SCHEDULE_DELAY: '200',
      DEPLOYMENT_ENVIRONMENT: 'reliability',
    });
    const timeline: string[] = [];
    const mark = (what: string) => timeline.push(`${new Date().toISOString()} ${what}`);

    const result = await steadyLoad({
      url: `${app.url}/api/activities/notifications`,
      ratePerSecond: RATE,
      durationMs: DURATION_MS,
      events: [
        {
          atMs: OUTAGE_START_MS,
          run: () => {
            process.kill(awsStandin.proc.pid, 'SIGSTOP');
            mark('AWS OTLP stand-in stopped (SIGSTOP)');
            return Promise.resolve();
          },
        },
        {
          atMs: COLLECTOR_KILL_MS,
          run: async () => {
            const exited = new Promise<void>((resolve) => first.proc.child.once('exit', () => resolve()));
            first.proc.child.kill('SIGKILL');
            await exited;
            mark('collector killed (SIGKILL)');
            collector = await startCollector({ ...collectorOptions, env: samePort, name: 'collector-after-kill' });
            mark('collector started again on the same queue');
          },
        },
        {
          atMs: OUTAGE_END_MS,
          run: () => {
            process.kill(awsStandin.proc.pid, 'SIGCONT');
            mark('AWS OTLP stand-in resumed (SIGCONT)');
            return Promise.resolve();
          },
        },
      ],
    });
    expect(result.statuses).toEqual({ 200: result.sent });

    const sent = new Set(result.traceIds);
    const settle = { target: sent.size, pollMs: 5000, quietMs: 60_000, timeoutMs: 240_000 };
    const traces = await settledCount(async () => delivered(await awsStandin.received(), sent).traces, settle);
    const accessRecords = await settledCount(async () => delivered(await awsStandin.received(), sent).accessRecords, settle);
    const report = await awsStandin.received();
    const refused = report.requests.filter((r) => !r.authorized);
    const figures = {
      requests: sent.size,
      xrayOtlpTraces: traces,
      xrayOtlpLost: sent.size - traces,
      cloudwatchOtlpAccessRecords: accessRecords,
      cloudwatchOtlpLost: sent.size - accessRecords,
      exportRequests: report.requests.length,
      refusedExportRequests: refused.length,
      // At least once: spans re-sent after the kill arrive twice; distinct trace ids are what count.
      spansReceived: report.spans.length,
      logsReceived: report.logs.length,
      timeline,
    };
    console.log(`aws-otlp outage: ${JSON.stringify(figures)}`);
    expect(refused).toEqual([]);
    expect(figures.xrayOtlpLost).toBe(0);
    expect(figures.cloudwatchOtlpLost).toBe(0);

    // Nothing of the credentials in either collector's log or the stand-in's report.
    const text = [
      JSON.stringify(report),
      fs.readFileSync(first.proc.logFile, 'utf8'),
      fs.readFileSync(collector.proc.logFile, 'utf8'),
    ].join('\n');
    expect(text).not.toContain(CANARY.awsSecretAccessKey);
    expect(text).not.toContain(CANARY.awsAccessKeyId);
  });
});
