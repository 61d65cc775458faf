/** The collector the app exports to while it is measured (also used by the diagnostics). */
import path from 'node:path';

import { collectorBin, repoRoot } from '@cruddur/testkit/paths';
import { metricSum } from '@cruddur/testkit/metrics';
import { freePort } from '@cruddur/testkit/ports';
import { spawnLogged, stopProcess, waitForOk } from '@cruddur/testkit/processes';

/** Our collector binary with bench/app-overhead/pass-through.yaml: receives OTLP/gRPC, drops it, counts it. */
export interface PassThroughCollector {
  readonly otlpEndpoint: string;
  counts: () => Promise<{ spans: number; logRecords: number; refused: number }>;
  stop: () => Promise<void>;
}

export async function startPassThroughCollector(logFd: number): Promise<PassThroughCollector> {
  const otlpPort = await freePort();
  const metricsPort = await freePort();
  const child = spawnLogged(collectorBin, ['--config', path.join(repoRoot, 'bench', 'app-overhead', 'pass-through.yaml')], {
    cwd: repoRoot,
    env: { ...process.env, BENCH_OTLP_PORT: String(otlpPort), BENCH_METRICS_PORT: String(metricsPort) },
    logFd,
  });
  const metricsUrl = `http://127.0.0.1:${String(metricsPort)}/metrics`;
  await waitForOk(metricsUrl, child, 20_000);
  return {
    otlpEndpoint: `http://127.0.0.1:${String(otlpPort)}`,
    async counts() {
      const text = await (await fetch(metricsUrl)).text();
      return {
        spans: metricSum(text, 'otelcol_receiver_accepted_spans'),
        logRecords: metricSum(text, 'otelcol_receiver_accepted_log_records'),
        refused: metricSum(text, 'otelcol_receiver_refused_spans') + metricSum(text, 'otelcol_receiver_refused_log_records'),
      };
    },
    stop: () => stopProcess(child, 10_000),
  };
}
