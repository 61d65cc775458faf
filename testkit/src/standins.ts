import type { AwsAccess, HoneycombReport, OtlpReport } from './backends.ts';
import { honeycombReport, otlpReport } from './backends.ts';
import { motoServer, otlpStandin, rollbarStandin, xrayStandin } from './paths.ts';
import { freePort } from './ports.ts';
import { cleanEnv, startProcess, waitForHttp, type Proc } from './processes.ts';

/** The vendor stand-ins as local processes (built by `make standins`), each on free loopback ports. */

/** Canary credentials: obviously fake, so finding one in output is a finding, not a leak. */
export const CANARY = {
  honeycombKey: 'canary-honeycomb-key-0000',
  rollbarToken: 'canary-rollbar-token-0000',
  awsAccessKeyId: 'AKIACANARY0000000000',
  awsSecretAccessKey: 'canary-aws-secret-0000',
} as const;
export const REGION = 'us-east-1';

/** Where a stand-in runs: pinned to CPUs and logging to a directory of the caller's (benchmarks). */
export interface StandinOptions {
  readonly cpu?: string;
  readonly logDir?: string;
}

/** An HTTP call whose answer is not needed, only that it completed. */
async function call(url: string, method: string): Promise<void> {
  const response = await fetch(url, { method });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`${method} ${url} answered ${String(response.status)}`);
}

export interface Moto {
  readonly proc: Proc;
  readonly url: string;
  /** moto with the canary credentials: what a collector under test signs with. */
  readonly access: AwsAccess;
  /** Forgets everything stored (moto keeps every segment in memory). */
  reset: () => Promise<void>;
  stop: () => Promise<void>;
}

export async function startMoto(options: StandinOptions = {}): Promise<Moto> {
  const port = await freePort();
  const proc = startProcess('moto', motoServer, ['-H', '127.0.0.1', '-p', String(port)], {
    env: cleanEnv(),
    cpu: options.cpu,
    logDir: options.logDir,
  });
  const url = `http://127.0.0.1:${String(port)}`;
  await waitForHttp(proc, `${url}/moto-api/`);
  const access = { endpoint: url, region: REGION, accessKeyId: CANARY.awsAccessKeyId, secretAccessKey: CANARY.awsSecretAccessKey };
  return { proc, url, access, reset: () => call(`${url}/moto-api/reset`, 'POST'), stop: () => proc.stop() };
}

export interface Honeycomb {
  readonly proc: Proc;
  readonly grpcEndpoint: string;
  readonly httpUrl: string;
  received: () => Promise<HoneycombReport>;
  reset: () => Promise<void>;
  stop: () => Promise<void>;
}

export interface HoneycombOptions extends StandinOptions {
  /** How many spans the stand-in keeps for its report (`-limit`); a small record bounds its memory under load. */
  readonly recordLimit?: number;
}

/** The OTLP stand-in (`otlp-standin -mode <mode>`) on a free HTTP port; extra arguments and environment per mode. */
async function startOtlpStandin(
  name: string,
  mode: 'honeycomb' | 'aws',
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  options: HoneycombOptions,
): Promise<{ proc: Proc; httpUrl: string }> {
  const httpPort = await freePort();
  const limit = options.recordLimit === undefined ? [] : ['-limit', String(options.recordLimit)];
  const proc = startProcess(name, otlpStandin, ['-mode', mode, '-http-addr', `127.0.0.1:${String(httpPort)}`, ...args, ...limit], {
    env: cleanEnv(env),
    cpu: options.cpu,
    logDir: options.logDir,
  });
  const httpUrl = `http://127.0.0.1:${String(httpPort)}`;
  await waitForHttp(proc, `${httpUrl}/healthz`);
  return { proc, httpUrl };
}

export async function startHoneycomb(options: HoneycombOptions = {}): Promise<Honeycomb> {
  const grpcPort = await freePort();
  const { proc, httpUrl } = await startOtlpStandin(
    'honeycomb-standin',
    'honeycomb',
    ['-grpc-addr', `127.0.0.1:${String(grpcPort)}`],
    { HONEYCOMB_API_KEY: CANARY.honeycombKey },
    options,
  );
  return {
    proc,
    grpcEndpoint: `127.0.0.1:${String(grpcPort)}`,
    httpUrl,
    received: () => honeycombReport(httpUrl),
    reset: () => call(`${httpUrl}/standin/received`, 'DELETE'),
    stop: () => proc.stop(),
  };
}

/** The OTLP stand-in playing the X-Ray (`/v1/traces`) and CloudWatch Logs (`/v1/logs`) OTLP endpoints. */
export interface AwsOtlp {
  readonly proc: Proc;
  /** Base URL: the aws-otlp overlay appends /v1/traces and /v1/logs. */
  readonly url: string;
  /** The key pair and region it accepts (the collector's canary credentials). */
  readonly access: AwsAccess;
  received: () => Promise<OtlpReport>;
  reset: () => Promise<void>;
  stop: () => Promise<void>;
}

export async function startAwsOtlp(options: HoneycombOptions = {}): Promise<AwsOtlp> {
  const env = { AWS_REGION: REGION, AWS_ACCESS_KEY_ID: CANARY.awsAccessKeyId, AWS_SECRET_ACCESS_KEY: CANARY.awsSecretAccessKey };
  const { proc, httpUrl } = await startOtlpStandin('aws-otlp-standin', 'aws', [], env, options);
  return {
    proc,
    url: httpUrl,
    access: { endpoint: httpUrl, region: REGION, accessKeyId: CANARY.awsAccessKeyId, secretAccessKey: CANARY.awsSecretAccessKey },
    received: () => otlpReport(httpUrl, 'AWS OTLP stand-in'),
    reset: () => call(`${httpUrl}/standin/received`, 'DELETE'),
    stop: () => proc.stop(),
  };
}

export interface Rollbar {
  readonly proc: Proc;
  readonly url: string;
  stop: () => Promise<void>;
}

export async function startRollbar(): Promise<Rollbar> {
  const port = await freePort();
  const proc = startProcess('rollbar-standin', rollbarStandin, ['-addr', `127.0.0.1:${String(port)}`], {
    env: cleanEnv({ ROLLBAR_ACCESS_TOKEN: CANARY.rollbarToken }),
  });
  const url = `http://127.0.0.1:${String(port)}`;
  await waitForHttp(proc, `${url}/healthz`);
  return { proc, url, stop: () => proc.stop() };
}

/** One X-Ray sampling rule as the control plane holds it. */
export interface XraySamplingRule {
  RuleName: string;
  RuleARN: string;
  Priority: number;
  FixedRate: number;
  ReservoirSize: number;
  ServiceName: string;
  [field: string]: unknown;
}

/** What the X-Ray control-plane stand-in holds (`GET /standin/received`). */
export interface XrayStandinReport {
  calls: {
    received: string;
    operation: string;
    status: number;
    error?: string;
    /** What a verified request was signed with (never the key or the signature). */
    signature?: { service: string; region: string; date: string; signedHeaders: string[] };
    clientIds?: string[];
  }[];
  rules: { SamplingRule: XraySamplingRule; CreatedAt: number; ModifiedAt: number }[];
  groups: { GroupName: string; GroupARN: string; FilterExpression: string }[];
  quotas: { RuleName: string; ClientID: string; Quota: number; Expires: string }[];
  statistics: { RuleName: string; Timestamp: number; RequestCount: number; SampledCount: number; BorrowCount: number }[];
}

export interface XrayStandin {
  readonly proc: Proc;
  readonly url: string;
  readonly port: number;
  /** The credentials it accepts: the canary pair, as the collector under test signs with. */
  readonly access: AwsAccess;
  report: () => Promise<XrayStandinReport>;
  stop: () => Promise<void>;
}

export interface XrayStandinOptions extends StandinOptions {
  /** Listen on this port (a restarted stand-in keeps its address); a free one unless given. */
  readonly port?: number;
  /** How often clients are told to ask for targets (`-interval`, default 10s as X-Ray). */
  readonly interval?: string;
  readonly quotaTtl?: string;
  /** Keep rules and groups in this file across restarts (`-state`), as X-Ray keeps them. */
  readonly stateFile?: string;
}

/** The X-Ray control-plane stand-in (sampling rules, targets, groups), SigV4-checked with the canary pair. */
export async function startXrayStandin(options: XrayStandinOptions = {}): Promise<XrayStandin> {
  const port = options.port ?? (await freePort());
  const args = ['-addr', `127.0.0.1:${String(port)}`];
  if (options.interval !== undefined) args.push('-interval', options.interval);
  if (options.quotaTtl !== undefined) args.push('-quota-ttl', options.quotaTtl);
  if (options.stateFile !== undefined) args.push('-state', options.stateFile);
  const proc = startProcess('xray-standin', xrayStandin, args, {
    env: cleanEnv({ AWS_ACCESS_KEY_ID: CANARY.awsAccessKeyId, AWS_SECRET_ACCESS_KEY: CANARY.awsSecretAccessKey, AWS_REGION: REGION }),
    cpu: options.cpu,
    logDir: options.logDir,
  });
  const url = `http://127.0.0.1:${String(port)}`;
  await waitForHttp(proc, `${url}/healthz`);
  return {
    proc,
    url,
    port,
    access: { endpoint: url, region: REGION, accessKeyId: CANARY.awsAccessKeyId, secretAccessKey: CANARY.awsSecretAccessKey },
    async report() {
      const response = await fetch(`${url}/standin/received`);
      if (!response.ok) throw new Error(`xray-standin report answered ${String(response.status)}`);
      return (await response.json()) as XrayStandinReport;
    },
    stop: () => proc.stop(),
  };
}
