/** The collector under test: the configs measured and how the binary is started for one of them. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { startCollector as startTestkitCollector } from '@cruddur/testkit/collector';
import { fromRoot } from '@cruddur/testkit/paths';
import type { Proc } from '@cruddur/testkit/processes';

import { deploymentFiles } from '../../otel-collector/profiles.ts';
import type { Honeycomb } from './backends.ts';
import { composeDefaults } from '../lib/compose.ts';
import { track } from './processes.ts';
import type { ConfigName } from './results.ts';
import { COLLECTOR_CPU, LOG_DIR } from './settings.ts';

export interface ConfigSpec {
  readonly name: ConfigName;
  readonly description: string;
  readonly files: string[];
  readonly exporters: string[];
  readonly xrayEndpoint: 'moto' | 'sink' | null;
}

/**
 * The shipped collector config files fan-out runs, in load order: the manifest's `vendors` profile
 * with its stand-in overlays. The specs, the description and the recorded command line follow it.
 */
export const FAN_OUT_FILES: string[] = deploymentFiles('vendors', 'all').map(fromRoot);

/** The reference config: otlp in, otlp_grpc out, nothing in between. */
export const PASS_THROUGH_CONFIG = path.join(import.meta.dirname, 'pass-through.yaml');

export const SPECS: Record<ConfigName, ConfigSpec> = {
  'pass-through': {
    name: 'pass-through',
    description: 'otlp receiver -> otlp_grpc exporter (defaults: in-memory queue, gzip) -> Honeycomb stand-in; no processors',
    files: [PASS_THROUGH_CONFIG],
    exporters: ['otlp_grpc/passthrough'],
    xrayEndpoint: null,
  },
  'fan-out': {
    name: 'fan-out',
    description: `the shipped config files (${FAN_OUT_FILES.map((file) => path.basename(file, '.yaml')).join(' + ')}) as they are in the tree: traces/honeycomb -> Honeycomb stand-in, traces/xray -> awsxray -> moto (X-Ray); logs/cloudwatch idle (no logs are sent)`,
    files: FAN_OUT_FILES,
    exporters: ['otlp_grpc/honeycomb', 'awsxray'],
    xrayEndpoint: 'moto',
  },
  'fan-out-xray-sink': {
    name: 'fan-out-xray-sink',
    description:
      "the same files as fan-out; the AWS endpoint is a null X-Ray endpoint (a small Node process that answers PutTraceSegments at once), so moto's own cost is out of the figure",
    files: FAN_OUT_FILES,
    exporters: ['otlp_grpc/honeycomb', 'awsxray'],
    xrayEndpoint: 'sink',
  },
};

export interface Collector {
  readonly proc: Proc;
  readonly otlpEndpoint: string;
  readonly metricsUrl: string;
  readonly pprofUrl: string;
  stop: () => Promise<void>;
}

/** The test kit's collector, pinned to its core, with the shipped 1 s batch timeout (the tests shorten it). */
export async function startCollector(spec: ConfigSpec, honeycomb: Honeycomb, awsEndpoint: string): Promise<Collector> {
  const storageDir = mkdtempSync(path.join(os.tmpdir(), 'cruddur-bench-otelcol-'));
  const collector = await startTestkitCollector({
    name: `collector-${spec.name}`,
    configs: spec.files,
    awsEndpoint,
    honeycombEndpoint: honeycomb.grpcEndpoint,
    storageDir,
    cpu: COLLECTOR_CPU,
    logDir: LOG_DIR,
    readiness: 'metrics',
    env: { OTELCOL_BATCH_TIMEOUT: composeDefaults('otel-collector').OTELCOL_BATCH_TIMEOUT ?? '1s' },
  });
  track(collector.proc);
  return {
    proc: collector.proc,
    otlpEndpoint: `127.0.0.1:${String(collector.ports.grpc)}`,
    metricsUrl: collector.metricsUrl,
    pprofUrl: `http://127.0.0.1:${String(collector.ports.pprof)}/debug/pprof/profile`,
    async stop() {
      await collector.stop();
      rmSync(storageDir, { recursive: true, force: true });
    },
  };
}
