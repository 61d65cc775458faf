import fs from 'node:fs';
import path from 'node:path';
import { cleanEnv, freePort, logDir, start, waitForHttp, type Proc } from './proc.js';
import { honeycombReport, type HoneycombReport } from '../../../tools/backends.ts';
import { collectorBin, honeycombStandin, motoServer, rollbarStandin } from './paths.js';

/** Canary credentials: obviously fake, so finding one in output is a finding, not a leak. */
export const CANARY = {
  honeycombKey: 'canary-honeycomb-key-0000',
  rollbarToken: 'canary-rollbar-token-0000',
  awsAccessKeyId: 'AKIACANARY0000000000',
  awsSecretAccessKey: 'canary-aws-secret-0000',
} as const;
export const REGION = 'us-east-1';

export interface Moto {
  proc: Proc;
  url: string;
  stop(): Promise<void>;
}

export async function startMoto(): Promise<Moto> {
  const port = await freePort();
  const proc = start('moto', motoServer, ['-H', '127.0.0.1', '-p', String(port)], cleanEnv({}));
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(proc, `${url}/moto-api/`);
  return { proc, url, stop: () => proc.stop() };
}

export interface Honeycomb {
  proc: Proc;
  grpcEndpoint: string;
  httpUrl: string;
  received(): Promise<HoneycombReport>;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export type { HoneycombReport, ReceivedLog, ReceivedRequest, ReceivedSpan } from '../../../tools/backends.ts';

export async function startHoneycomb(): Promise<Honeycomb> {
  const grpcPort = await freePort();
  const httpPort = await freePort();
  const proc = start('honeycomb-standin', honeycombStandin,
    ['-grpc-addr', `127.0.0.1:${grpcPort}`, '-http-addr', `127.0.0.1:${httpPort}`],
    cleanEnv({ HONEYCOMB_API_KEY: CANARY.honeycombKey }));
  const httpUrl = `http://127.0.0.1:${httpPort}`;
  await waitForHttp(proc, `${httpUrl}/healthz`);
  return {
    proc,
    grpcEndpoint: `127.0.0.1:${grpcPort}`,
    httpUrl,
    received: () => honeycombReport(httpUrl),
    async reset() {
      await fetch(`${httpUrl}/standin/received`, { method: 'DELETE' });
    },
    stop: () => proc.stop(),
  };
}

export interface Rollbar {
  proc: Proc;
  url: string;
  stop(): Promise<void>;
}

export async function startRollbar(): Promise<Rollbar> {
  const port = await freePort();
  const proc = start('rollbar-standin', rollbarStandin, ['-addr', `127.0.0.1:${port}`],
    cleanEnv({ ROLLBAR_ACCESS_TOKEN: CANARY.rollbarToken }));
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(proc, `${url}/healthz`);
  return { proc, url, stop: () => proc.stop() };
}

export interface Collector {
  proc: Proc;
  /** OTLP/gRPC as the JS exporters want it. */
  otlpUrl: string;
  ports: { grpc: number; http: number; health: number; metrics: number; daemon: number };
  /** The collector's own Prometheus metrics text. */
  metrics(): Promise<string>;
  stop(): Promise<void>;
}

export interface CollectorOptions {
  /** Config files, merged in order. */
  configs: string[];
  awsEndpoint?: string;
  honeycombEndpoint?: string;
  /** Overrides and additions to the collector's environment. */
  env?: Record<string, string>;
  /** Reuse the directory of a previous run, as a restarted container with its volume would. */
  storageDir?: string;
}

let collectorRuns = 0;

export async function startCollector(opts: CollectorOptions): Promise<Collector> {
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
  };
  const storageDir = opts.storageDir ?? path.join(logDir, `storage-${collectorRuns}`);
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
    OTELCOL_STORAGE_DIR: storageDir,
    OTELCOL_BATCH_TIMEOUT: '200ms',
    XRAY_DAEMON_HOST: '127.0.0.1',
    XRAY_DAEMON_PORT: String(ports.daemon),
    OTELCOL_LOOPBACK_ENDPOINT: `127.0.0.1:${ports.grpc}`,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: CANARY.awsAccessKeyId,
    AWS_SECRET_ACCESS_KEY: CANARY.awsSecretAccessKey,
    AWS_EC2_METADATA_DISABLED: 'true',
    HONEYCOMB_API_KEY: CANARY.honeycombKey,
    ...(opts.awsEndpoint ? { AWS_STANDIN_ENDPOINT: opts.awsEndpoint } : {}),
    ...(opts.honeycombEndpoint ? { HONEYCOMB_STANDIN_ENDPOINT: opts.honeycombEndpoint } : {}),
    ...opts.env,
  });
  const args = opts.configs.flatMap((c) => ['--config', c]);
  const proc = start(`collector-${collectorRuns}`, collectorBin, args, env);
  await waitForHttp(proc, `http://127.0.0.1:${ports.health}/`);
  return {
    proc,
    otlpUrl: `http://127.0.0.1:${ports.grpc}`,
    ports,
    async metrics() {
      const res = await fetch(`http://127.0.0.1:${ports.metrics}/metrics`);
      return res.text();
    },
    stop: () => proc.stop(),
  };
}
