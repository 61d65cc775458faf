import type { AwsAccess, HoneycombReport, OtlpReport } from './backends.ts';
import { honeycombReport, otlpReport } from './backends.ts';
import { motoServer, otlpStandin, rollbarStandin } from './paths.ts';
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
