/** The collector under test: the configs measured and how the binary is started for one of them. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { collectorBin, config as configFile } from '../../otel-collector/test/support/paths.ts';
import { freePort } from '../lib/process.ts';
import type { Honeycomb } from './backends.ts';
import { baseEnv, startProc, waitHttp, type Proc } from './processes.ts';
import type { ConfigName } from './results.ts';
import { COLLECTOR_CPU, HONEYCOMB_KEY, REGION } from './settings.ts';

export interface ConfigSpec {
  readonly name: ConfigName;
  readonly description: string;
  readonly files: string[];
  readonly exporters: string[];
  readonly xrayEndpoint: 'moto' | 'sink' | null;
}

/**
 * The shipped collector config files fan-out runs (base + vendor + local stand-in overlays), in
 * load order. The one place the list is written: the specs, the description and the recorded
 * command line all follow it.
 */
export const FAN_OUT_FILES: string[] = ['base', 'honeycomb', 'xray', 'cloudwatch', 'local-honeycomb', 'local-aws'].map(configFile);

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
    description: 'the same files as fan-out; the AWS endpoint is a null X-Ray endpoint (a small Node process that answers PutTraceSegments at once), so moto\'s own cost is out of the figure',
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
  stop(): Promise<void>;
}

export async function startCollector(spec: ConfigSpec, honeycomb: Honeycomb, awsEndpoint: string): Promise<Collector> {
  const ports = { grpc: await freePort(), http: await freePort(), health: await freePort(), metrics: await freePort(), pprof: await freePort(), zpages: await freePort(), spool: await freePort() };
  const storageDir = mkdtempSync(path.join(os.tmpdir(), 'cruddur-bench-otelcol-'));
  const env: Record<string, string> = {
    ...baseEnv(),
    OTELCOL_LISTEN_HOST: '127.0.0.1',
    OTELCOL_OTLP_GRPC_PORT: String(ports.grpc),
    OTELCOL_OTLP_HTTP_PORT: String(ports.http),
    OTELCOL_HEALTH_PORT: String(ports.health),
    OTELCOL_METRICS_HOST: '127.0.0.1',
    OTELCOL_METRICS_PORT: String(ports.metrics),
    OTELCOL_PPROF_PORT: String(ports.pprof),
    OTELCOL_ZPAGES_PORT: String(ports.zpages),
    // Used by configs that spool X-Ray through a loopback receiver; ignored by the others.
    OTELCOL_XRAY_SPOOL_PORT: String(ports.spool),
    OTELCOL_STORAGE_DIR: storageDir,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'bench-standin',
    AWS_SECRET_ACCESS_KEY: 'bench-standin',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_STANDIN_ENDPOINT: awsEndpoint,
    HONEYCOMB_API_KEY: HONEYCOMB_KEY,
    HONEYCOMB_STANDIN_ENDPOINT: honeycomb.grpcEndpoint,
  };
  const proc = startProc(`collector-${spec.name}`, COLLECTOR_CPU, collectorBin, spec.files.flatMap((file) => ['--config', file]), env);
  const metricsUrl = `http://127.0.0.1:${String(ports.metrics)}/metrics`;
  await waitHttp(proc, metricsUrl);
  return {
    proc,
    otlpEndpoint: `127.0.0.1:${String(ports.grpc)}`,
    metricsUrl,
    pprofUrl: `http://127.0.0.1:${String(ports.pprof)}/debug/pprof/profile`,
    async stop() {
      await proc.stop();
      rmSync(storageDir, { recursive: true, force: true });
    },
  };
}
