import fs from 'node:fs';
import path from 'node:path';

import { collectorBin } from './paths.ts';
import { freePort } from './ports.ts';
import { cleanEnv, logDir, startProcess, waitForHttp, type Proc } from './processes.ts';
import { CANARY, REGION } from './standins.ts';

/** Our collector binary as a local process, every port a free loopback one, canary credentials. */
export interface Collector {
  readonly proc: Proc;
  /** OTLP/gRPC as the JS exporters want it. */
  readonly otlpUrl: string;
  readonly ports: { grpc: number; http: number; health: number; metrics: number; pprof: number; daemon: number; browser: number };
  readonly metricsUrl: string;
  /** The collector's own Prometheus metrics text. */
  metrics: () => Promise<string>;
  stop: () => Promise<void>;
}

export interface CollectorOptions {
  /** Config files (absolute paths), merged in order. */
  readonly configs: readonly string[];
  readonly awsEndpoint?: string;
  /** Where the xray-control overlay points the daemon role's sampling proxy (the X-Ray control-plane stand-in). */
  readonly xrayControlEndpoint?: string;
  readonly honeycombEndpoint?: string;
  /** The AWS OTLP stand-in's base URL, for the aws-otlp overlay (local-aws-otlp.yaml). */
  readonly awsOtlpEndpoint?: string;
  /** Overrides and additions to the collector's environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** Reuse the directory of a previous run, as a restarted container with its volume would. */
  readonly storageDir?: string;
  /** The process's name in logs (default `collector-<n>`). */
  readonly name?: string;
  /** Pin to these CPUs and log to this directory (benchmarks). */
  readonly cpu?: string;
  readonly logDir?: string;
  /** What "started" means: the health_check extension answering (default), or, for configs without it, the own-metrics endpoint. */
  readonly readiness?: 'health' | 'metrics';
  /** The collector binary (default: the main build; `agentCollectorBin` for the agent profiles). */
  readonly binary?: string;
}

let collectorRuns = 0;

export async function startCollector(options: CollectorOptions): Promise<Collector> {
  collectorRuns += 1;
  const ports = {
    grpc: await freePort(),
    http: await freePort(),
    health: await freePort(),
    metrics: await freePort(),
    pprof: await freePort(),
    zpages: await freePort(),
    daemon: await freePort({ udp: true }),
    xraySpool: await freePort(),
    browser: await freePort(),
  };
  const storageDir = options.storageDir ?? path.join(logDir, `storage-${String(collectorRuns)}`);
  fs.mkdirSync(storageDir, { recursive: true });
  const env = cleanEnv({
    OTELCOL_LISTEN_HOST: '127.0.0.1',
    OTELCOL_OTLP_GRPC_PORT: String(ports.grpc),
    OTELCOL_OTLP_HTTP_PORT: String(ports.http),
    OTELCOL_HEALTH_PORT: String(ports.health),
    OTELCOL_METRICS_PORT: String(ports.metrics),
    OTELCOL_PPROF_PORT: String(ports.pprof),
    OTELCOL_ZPAGES_PORT: String(ports.zpages),
    OTELCOL_XRAY_SPOOL_PORT: String(ports.xraySpool),
    OTELCOL_BROWSER_PORT: String(ports.browser),
    OTELCOL_STORAGE_DIR: storageDir,
    OTELCOL_BATCH_TIMEOUT: '200ms',
    XRAY_DAEMON_HOST: '127.0.0.1',
    XRAY_DAEMON_PORT: String(ports.daemon),
    OTELCOL_LOOPBACK_ENDPOINT: `127.0.0.1:${String(ports.grpc)}`,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: CANARY.awsAccessKeyId,
    AWS_SECRET_ACCESS_KEY: CANARY.awsSecretAccessKey,
    AWS_EC2_METADATA_DISABLED: 'true',
    HONEYCOMB_API_KEY: CANARY.honeycombKey,
    ...(options.awsEndpoint === undefined ? {} : { AWS_STANDIN_ENDPOINT: options.awsEndpoint }),
    ...(options.xrayControlEndpoint === undefined ? {} : { XRAY_CONTROL_STANDIN_ENDPOINT: options.xrayControlEndpoint }),
    ...(options.honeycombEndpoint === undefined ? {} : { HONEYCOMB_STANDIN_ENDPOINT: options.honeycombEndpoint }),
    ...(options.awsOtlpEndpoint === undefined ? {} : { AWS_OTLP_STANDIN_ENDPOINT: options.awsOtlpEndpoint }),
    ...options.env,
  });
  const args = options.configs.flatMap((file) => ['--config', file]);
  const proc = startProcess(options.name ?? `collector-${String(collectorRuns)}`, options.binary ?? collectorBin, args, {
    env,
    cpu: options.cpu,
    logDir: options.logDir,
  });
  const metricsUrl = `http://127.0.0.1:${String(ports.metrics)}/metrics`;
  await waitForHttp(proc, options.readiness === 'metrics' ? metricsUrl : `http://127.0.0.1:${String(ports.health)}/`);
  return {
    proc,
    otlpUrl: `http://127.0.0.1:${String(ports.grpc)}`,
    ports,
    metricsUrl,
    async metrics() {
      const response = await fetch(metricsUrl);
      return response.text();
    },
    stop: () => proc.stop(),
  };
}
