/**
 * Shared pieces of the benchmarks: typed access to autocannon (it ships no type declarations),
 * process helpers, and the result shapes the runner writes and the report reads.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Agent, request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import path from 'node:path';

import { parse as parseYaml } from 'yaml';

import { collectorBin } from '../otel-collector/test/support/paths.ts';
import { metricSum } from '../tools/metrics.ts';

export const ROOT = path.resolve(import.meta.dirname, '..');
export const BENCH_DIR = path.join(ROOT, 'bench');
export const OUT_DIR = path.join(BENCH_DIR, 'out');
/** Where results, notes and the generated RESULTS.md live: out of the code folder. */
export const DOCS_DIR = path.join(ROOT, 'docs', 'bench');
export const RESULTS_DIR = path.join(DOCS_DIR, 'results');
export const RESULTS_JSON = path.join(RESULTS_DIR, 'app-overhead.json');
export const BEFORE_JSON = path.join(RESULTS_DIR, 'app-overhead-before.json');

const require = createRequire(import.meta.url);

// ---- autocannon, the subset used here ---------------------------------------------------------

export interface AutocannonOptions {
  readonly url: string;
  readonly connections: number;
  readonly duration: number;
  readonly method?: 'GET' | 'POST';
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

export interface AutocannonResult {
  readonly duration: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  readonly '2xx': number;
  readonly requests: { readonly average: number; readonly total: number };
  readonly latency: { readonly p50: number; readonly p99: number };
}

interface AutocannonInstance {
  on(event: 'response', listener: (client: unknown, statusCode: number, bytes: number, responseTimeMs: number) => void): void;
  on(event: 'done', listener: (result: AutocannonResult) => void): void;
}

type Autocannon = (options: AutocannonOptions, callback: (error: Error | null, result: AutocannonResult) => void) => AutocannonInstance;

const autocannon = require('autocannon') as Autocannon;

export interface LoadResult {
  readonly result: AutocannonResult;
  /** Every 2xx response time in ms at hrtime resolution: autocannon's histogram keeps whole ms only. */
  readonly latenciesMs: Float64Array;
  /** pacedLoad only: when each of those requests was written (epoch ms), same order. */
  readonly sentAtEpochMs?: Float64Array;
}

export function runLoad(options: AutocannonOptions): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    let latencies = new Float64Array(1 << 16);
    let count = 0;
    const instance = autocannon(options, (error, result) => {
      if (error !== null) reject(error);
      else resolve({ result, latenciesMs: latencies.subarray(0, count) });
    });
    instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
      if (statusCode < 200 || statusCode >= 300) return;
      if (count === latencies.length) {
        const grown = new Float64Array(latencies.length * 2);
        grown.set(latencies);
        latencies = grown;
      }
      latencies[count++] = responseTimeMs;
    });
  });
}

export interface PacedLoadOptions {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly ratePerSecond: number;
  readonly durationS: number;
  /** Keep-alive sockets available; an open loop needs enough that a stall never runs out. */
  readonly maxSockets: number;
}

/**
 * An open-loop load with evenly spaced arrivals, for the fixed-rate figures. autocannon's `-R`
 * is not that: each connection sends its share of the second as fast as it can, then waits for
 * the next second (lib/httpClient.js, `reqsMadeThisSecond`), so "1,000 req/s" is a burst at
 * saturation every second and its latencies are saturation latencies. Here request i is sent at
 * start + i/rate (timer granularity ~1 ms, late sends catch up at once), whatever earlier ones are
 * doing, and its latency runs from the moment it was written to the response's last byte.
 * Returns autocannon's result shape so both feed the same measurement code.
 */
export async function pacedLoad(options: PacedLoadOptions): Promise<LoadResult> {
  const target = new URL(options.url);
  const agent = new Agent({ keepAlive: true, maxSockets: options.maxSockets });
  const total = Math.round(options.ratePerSecond * options.durationS);
  const latencies = new Float64Array(total);
  const sentAtEpoch = new Float64Array(total);
  const body = options.body === undefined ? undefined : Buffer.from(options.body);
  const headers = body === undefined ? options.headers : { ...options.headers, 'content-length': String(body.length) };
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  const inFlight: Array<Promise<void>> = [];
  const send = (): Promise<void> =>
    new Promise((resolve) => {
      const sentAt = performance.now();
      const request = httpRequest({ agent, host: target.hostname, port: target.port, path: target.pathname, method: options.method, headers }, (response) => {
        response.on('data', () => undefined);
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            sentAtEpoch[ok] = performance.timeOrigin + sentAt;
            latencies[ok++] = performance.now() - sentAt;
          } else non2xx += 1;
          resolve();
        });
      });
      request.setTimeout(10_000, () => request.destroy(new Error('timeout')));
      request.on('error', () => {
        errors += 1;
        resolve();
      });
      request.end(body);
    });
  const started = performance.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) * options.ratePerSecond) / 1000) + 1);
    while (sent < due) {
      inFlight.push(send());
      sent += 1;
    }
    await sleep(1);
  }
  await Promise.all(inFlight);
  const durationS = (performance.now() - started) / 1000;
  agent.destroy();
  const sorted = Float64Array.from(latencies.subarray(0, ok)).sort();
  return {
    result: {
      duration: durationS,
      errors,
      timeouts: 0,
      non2xx,
      '2xx': ok,
      requests: { average: ok / durationS, total: sent },
      latency: { p50: percentile(sorted, 50), p99: percentile(sorted, 99) },
    },
    latenciesMs: latencies.subarray(0, ok),
    sentAtEpochMs: sentAtEpoch.subarray(0, ok),
  };
}

/** Nearest-rank percentile of an ascending-sorted array. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? Number.NaN) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

// ---- processes ------------------------------------------------------------------------------------

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls a URL until it answers 200, or fails after `timeoutMs` (or if the process died). */
export async function waitForOk(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`process exited (${String(child.exitCode)}) before ${url} answered`);
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await sleep(100);
  }
  throw new Error(`${url} did not answer 200 within ${String(timeoutMs)} ms`);
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when this child (only) has exited. */
export async function stopProcess(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

let clockTicksPerSecond: number | undefined;

/** CPU time (user + system) a process has used so far, in microseconds, from /proc. */
export function cpuMicros(pid: number): number {
  clockTicksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
  // The command name (field 2) may contain spaces; fields after its closing ')' start at 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime (14) + stime (15)
  return (ticks / clockTicksPerSecond) * 1e6;
}

/** A command's trimmed stdout (for version strings in the results), or 'unknown' if it fails. */
export function commandOutput(command: string, args: readonly string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

/** stderr (and with `stdoutToLog`, stdout too) to `logFd`; stdout is discarded otherwise. */
export function spawnLogged(command: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv; logFd: number; stdoutToLog?: boolean }): ChildProcess {
  return spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', options.stdoutToLog === true ? options.logFd : 'ignore', options.logFd] });
}

/** Our collector binary with bench/collector-passthrough.yaml: receives OTLP/gRPC, drops it, counts it. */
export interface PassThroughCollector {
  readonly otlpEndpoint: string;
  counts(): Promise<{ spans: number; logRecords: number; refused: number }>;
  stop(): Promise<void>;
}

export async function startPassThroughCollector(logFd: number): Promise<PassThroughCollector> {
  const otlpPort = await freePort();
  const metricsPort = await freePort();
  const child = spawnLogged(collectorBin, ['--config', path.join(ROOT, 'bench', 'collector-passthrough.yaml')], {
    cwd: ROOT,
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

export function packageVersion(name: string): string {
  const manifest = JSON.parse(readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

/** `${VAR:-default}` (compose) or `${env:VAR:-default}` (collector) with `env` applied; unset and no default: ''. */
export function resolveVariables(value: unknown, env: Readonly<Record<string, string>>): string | undefined {
  if (value === undefined || value === null) return undefined;
  return String(value).replace(/\$\{(?:env:)?(\w+)(?::-([^}]*))?\}/g, (_match, name: string, fallback: string | undefined) => env[name] ?? fallback ?? '');
}

/**
 * docker-compose.yml's environment for `service` with every `${VAR:-default}` resolved to its
 * default: what the shipped stack runs with when nothing is overridden.
 */
export function composeDefaults(service: string): Record<string, string> {
  const compose = parseYaml(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, { environment?: Record<string, unknown> }> };
  const environment = compose.services[service]?.environment ?? {};
  return Object.fromEntries(
    Object.entries(environment).map(([name, value]) => [name, resolveVariables(value, {}) ?? '']),
  );
}

/**
 * The app's telemetry settings exactly as docker-compose.yml ships them (the defaults of its
 * `${VAR:-default}` entries): batch delays and queue sizes change how often and how much the
 * SDK exports, so "ours" must run with them, not with the SDK's own defaults.
 */
export function shippedTelemetryEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(composeDefaults('app')).filter(([name]) => name.startsWith('OTEL_B') || name === 'TELEMETRY_RETRY_MAX_ELAPSED_MS'));
}

// ---- the measured requests ------------------------------------------------------------------------

export const BENCH_USER = 'worf';
export const POST_BODY = JSON.stringify({ message: 'bench: a crud of ordinary length', ttl: '1-hour' });
/** Keep-alive sockets for pacedLoad: enough that a stall of tens of ms never runs out of them. */
export const PACED_SOCKETS = 64;

function endpointRequest(port: number, endpoint: EndpointName): { url: string; method: 'GET' | 'POST'; headers: Record<string, string>; body?: string } {
  return endpoint === 'GET /api/activities/home'
    ? { url: `http://127.0.0.1:${String(port)}/api/activities/home`, method: 'GET', headers: { 'x-cruddur-user-handle': BENCH_USER } }
    : { url: `http://127.0.0.1:${String(port)}/api/activities`, method: 'POST', headers: { 'content-type': 'application/json', 'x-cruddur-user-handle': BENCH_USER }, body: POST_BODY };
}

/** One benchmarked endpoint, evenly paced at `ratePerSecond`. */
export function pacedOptions(port: number, endpoint: EndpointName, ratePerSecond: number, durationS: number): PacedLoadOptions {
  return { ...endpointRequest(port, endpoint), ratePerSecond, durationS, maxSockets: PACED_SOCKETS };
}

/** One benchmarked endpoint at saturation (autocannon, closed loop). */
export function loadOptions(port: number, endpoint: EndpointName, connections: number, duration: number): AutocannonOptions {
  return { ...endpointRequest(port, endpoint), connections, duration };
}

// ---- result shapes --------------------------------------------------------------------------------

export const VARIANTS = ['bare', 'none', 'floor', 'ours', 'naive'] as const;
export type VariantName = (typeof VARIANTS)[number];
export const ENDPOINTS = ['GET /api/activities/home', 'POST /api/activities'] as const;
export type EndpointName = (typeof ENDPOINTS)[number];
export type Mode = 'saturate' | 'rate';

export interface Measurement {
  readonly variant: VariantName;
  readonly round: number;
  readonly endpoint: EndpointName;
  readonly mode: Mode;
  /** 2xx responses in the measured window; warm-up ones are counted apart. */
  readonly requests: number;
  readonly warmupRequests: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** autocannon's own p99 (whole ms; corrected for coordinated omission in rate mode). */
  readonly autocannonP99Ms: number;
  /** Server CPU time / 2xx responses during the measured window. */
  readonly serverCpuUsPerRequest: number;
  /** Server CPU time / wall time: near 1.0 means the server core was saturated. */
  readonly serverCpuUtilisation: number;
  readonly errors: number;
  readonly non2xx: number;
}

export interface ExportCount {
  readonly variant: VariantName;
  readonly round: number;
  readonly requests: Record<EndpointName, number>;
  readonly spans: number;
  readonly logRecords: number;
  readonly refused: number;
}

export interface ProfileEntry {
  readonly functionName: string;
  readonly location: string;
  readonly selfMs: number;
  readonly selfPercent: number;
}

export interface ProfileSummary {
  readonly file: string;
  readonly totalMs: number;
  readonly startupMsExcluded: number;
  readonly idlePercent: number;
  readonly top: ProfileEntry[];
  readonly byPackage: { readonly name: string; readonly selfPercent: number }[];
}

export interface BenchResults {
  readonly meta: {
    readonly date: string;
    readonly label: string;
    readonly host: { readonly cpu: string; readonly cores: number; readonly kernel: string; readonly loadBefore: number[] };
    readonly versions: Record<string, string>;
    readonly settings: { readonly connections: number; readonly durationS: number; readonly warmupS: number; readonly rounds: number; readonly fixedRate: number; readonly serverNodeArgs?: string };
    readonly pinning: string;
    readonly commands: Record<string, string>;
  };
  readonly measurements: Measurement[];
  readonly exports: ExportCount[];
  readonly profile?: ProfileSummary;
}
