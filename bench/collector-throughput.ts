/**
 * Issue 6, deliverable 2: how many spans/s our collector moves with zero loss, per core.
 *
 * Natively (no Docker), in one run, for each collector config below: start our collector binary
 * (otel-collector/build/otelcol-cruddur) pinned to CPU 1, then offer stepped OTLP/gRPC trace
 * load with telemetrygen (pinned to CPU 0 with the stand-ins and this runner). Per step the
 * collector's own Prometheus metrics are read as deltas (accepted / refused / failed spans,
 * sent / send_failed / enqueue_failed per exporter, processor in/out, queue size), next to
 * telemetrygen's own count of generated spans, the collector's CPU (utime+stime from /proc) and
 * RSS (VmRSS sampled, VmHWM). A step passes when the offered rate was achieved (±5%), every
 * generated span was accepted, every exporter of the config sent every accepted span, and
 * nothing was refused, failed or dropped.
 *
 * Configs (BENCH_CONFIGS, comma list; all by default):
 *   pass-through       bench/collector-passthrough-otlp.yaml: otlp receiver -> otlp_grpc
 *                      exporter -> the Honeycomb stand-in. The reference.
 *   fan-out            the shipped files: base + honeycomb + xray + cloudwatch + local-honeycomb +
 *                      local-aws, against the Honeycomb stand-in and moto (X-Ray + CloudWatch).
 *   fan-out-xray-sink  the same files, but the AWS endpoint is a null X-Ray endpoint (this file run
 *                      with --xray-sink) that answers PutTraceSegments at once: separates the
 *                      collector's own cost from moto's (Python) cost of storing segments.
 *
 * Environment: BENCH_QUICK=1 (short steps: a smoke run), BENCH_CONFIGS, BENCH_STEPS (spans/s,
 * comma list), BENCH_STEP_SECONDS, BENCH_DRAIN_SECONDS, BENCH_KEPT_UP_SECONDS (a backlog that
 * takes longer to clear fails the step), BENCH_STOP_AFTER (consecutive failing steps that end a
 * config), BENCH_WORKER_RATE (spans/s per telemetrygen worker), BENCH_SINK_CPU (where the null
 * X-Ray endpoint runs; diagnostic), BENCH_PROFILE (0: no CPU profile of the collector),
 * BENCH_LABEL, BENCH_OUTPUT, TELEMETRYGEN (binary; make passes it), GO (for `go tool pprof`).
 *
 * Run it with `make bench-collector` (BENCH_QUICK=1 for a two-minute smoke run); the report is
 * bench/collector-throughput-report.ts.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import os from 'node:os';
import path from 'node:path';

import { collectorBin, config as configFile, honeycombStandin, motoServer } from '../otel-collector/test/support/paths.ts';
import { collectorThroughputRatios, COLLECTOR_THROUGHPUT_JSON } from './collector-throughput-report.ts';
import { loadAverage, warnIfBusy } from './lib/host.ts';
import { OUT_DIR, ROOT } from './lib/paths.ts';
import { commandOutput, cpuMicros, freePort, sleep, spawnLogged, stopProcess, waitForOk } from './lib/process.ts';
import { round } from './lib/stats.ts';

// ---- result shape (read by bench/collector-throughput-report.ts) ---------------------------------

const CONFIG_NAMES = ['pass-through', 'fan-out', 'fan-out-xray-sink'] as const;
export type ConfigName = (typeof CONFIG_NAMES)[number];

export interface ExporterStep {
  readonly exporter: string;
  /** vendor: must send every accepted span; internal: a hop inside the collector (e.g. a spool). */
  readonly role: 'vendor' | 'internal';
  /** Delta over the step, drain included. */
  readonly sent: number;
  readonly sendFailed: number;
  readonly enqueueFailed: number;
  /** Largest otelcol_exporter_queue_size sampled during the load (items); null: no queue. */
  readonly maxQueueSize: number | null;
  /** Share of samples during the load with at least one export request in flight (0..1). */
  readonly busyFraction: number;
  readonly meanInFlight: number;
}

export interface StepResult {
  readonly targetSpansPerSecond: number;
  readonly workers: number;
  readonly ratePerWorker: number;
  readonly durationS: number;
  /** telemetrygen's own count: traces generated x spans per trace. */
  readonly generatedSpans: number;
  readonly generatedPerSecond: number;
  readonly acceptedSpans: number;
  readonly acceptedPerSecond: number;
  /** Generated but never accepted: dropped in telemetrygen's batch span processor (full queue). */
  readonly lostBeforeCollector: number;
  /** At the otlp receiver, where the load arrives. */
  readonly refusedSpans: number;
  readonly failedSpans: number;
  /** Receivers inside the collector (loopback hops such as an X-Ray spool), as deltas. */
  readonly internalReceivers: { readonly receiver: string; readonly accepted: number; readonly refused: number; readonly failed: number }[];
  /** Sum over processors of incoming - outgoing items (filter/health drops nothing here). */
  readonly processorDropped: number;
  readonly exporters: ExporterStep[];
  readonly drained: boolean;
  readonly drainS: number;
  /** Collector CPU over the load window, % of one core (it is pinned to one). */
  readonly collectorCpuPercent: number;
  /** Collector CPU over the load and the drain per accepted span, microseconds. */
  readonly collectorCpuUsPerSpan: number;
  readonly collectorRssMiB: number;
  readonly collectorRssMaxMiB: number;
  /** VmHWM at the end of the step: the peak RSS of the collector so far in this config. */
  readonly collectorHwmMiB: number;
  /** Whole-core busy % from /proc/stat over the load window (other processes included). */
  readonly cpu0BusyPercent: number;
  readonly cpu1BusyPercent: number;
  /** Load side, % of one core: telemetrygen (last sample before it exited), stand-ins, runner. */
  readonly telemetrygenCpuPercent: number;
  readonly honeycombStandinCpuPercent: number;
  readonly motoCpuPercent: number;
  /** moto's CPU (load + drain) per segment it was sent: 1e6 / this is what one whole core of moto could take. */
  readonly motoCpuUsPerSegment: number | null;
  readonly runnerCpuPercent: number;
  /** Core 0 busy % not explained by the processes above: other work on the machine (noise). */
  readonly otherCpu0Percent: number;
  /** Core 1 busy % not explained by the collector: other work on the machine (noise). */
  readonly otherCpu1Percent: number;
  /** Only for fan-out-xray-sink: segment documents the null X-Ray endpoint received. */
  readonly sinkSegments: number | null;
  /** The null X-Ray endpoint's CPU, % of one core (idle unless fan-out-xray-sink). */
  readonly sinkCpuPercent: number;
  readonly pass: boolean;
  readonly failures: string[];
}

export interface ProfileStage {
  readonly stage: string;
  readonly focus: string;
  readonly ignore?: string;
  /** % of the collector's sampled CPU whose stack contains the focus (stages can overlap). */
  readonly percent: number;
}

export interface CollectorProfile {
  readonly file: string;
  readonly targetSpansPerSecond: number;
  readonly seconds: number;
  readonly collectorCpuPercent: number;
  readonly stages: ProfileStage[];
  /** Top functions by flat (self) %. */
  readonly top: { readonly function: string; readonly flatPercent: number; readonly cumPercent: number }[];
}

/** collector-cpu and latency are the collector's own limits; xray-standin / xray-path /
 * exporter-endpoint are a downstream's; load-side and noise mean the figure is not the collector's. */
export type LimitKind = 'collector-cpu' | 'xray-standin' | 'xray-path' | 'exporter-endpoint' | 'queue' | 'load-side' | 'noise' | 'latency' | 'not-reached';

export interface ConfigResult {
  readonly name: ConfigName;
  readonly description: string;
  readonly files: string[];
  readonly exporters: string[];
  readonly steps: StepResult[];
  readonly maxPassingSpansPerSecond: number | null;
  /** The lowest failing step above the highest passing one; null if every step passed. */
  readonly limitStepSpansPerSecond: number | null;
  /** What limited the config, as a category (the report words ratios by it) and in words. */
  readonly limitKind: LimitKind;
  readonly limitingStage: string;
  readonly evidence: string[];
  readonly profile?: CollectorProfile;
}

export interface CollectorThroughputResults {
  readonly meta: {
    readonly date: string;
    readonly label: string;
    readonly quick: boolean;
    readonly host: { readonly cpu: string; readonly cores: number; readonly memoryMiB: number; readonly kernel: string; readonly loadBefore: number[] };
    readonly versions: Record<string, string>;
    /** The commit measured, and collector config files that differed from it (uncommitted edits). */
    readonly git: { readonly commit: string; readonly uncommittedConfigFiles: string[] };
    readonly conditions: {
      readonly collectorCpu: string;
      readonly loadCpu: string;
      readonly stepSeconds: number;
      readonly drainTimeoutSeconds: number;
      readonly keptUpSeconds: number;
      readonly warmupSeconds: number;
      readonly stepsSpansPerSecond: number[];
      readonly stopAfterFailingSteps: number;
      readonly spansPerTrace: number;
      readonly maxRatePerWorker: number;
      readonly clientBatchSize: number;
      readonly sampleIntervalMs: number;
      readonly spanShape: string;
      readonly collectorEnvironment: string;
    };
    readonly targets: { readonly spansPerSecondPerCore: number; readonly rssMiB: number };
    readonly commands: Record<string, string>;
  };
  readonly configs: ConfigResult[];
}

const TARGET_SPANS_PER_CORE = 10_000;
const TARGET_RSS_MIB = 256;

// ---- settings ----------------------------------------------------------------------------------

const QUICK = process.env['BENCH_QUICK'] === '1';
const envNumber = (name: string, fallback: number): number => {
  const raw = process.env[name];
  return raw === undefined || raw === '' ? fallback : Number(raw);
};
const STEPS = (process.env['BENCH_STEPS'] ?? (QUICK ? '2500,10000,20000' : '2500,5000,10000,15000,20000,30000,40000,50000,60000'))
  .split(',')
  .map((value) => Number(value.trim()))
  .filter((value) => Number.isFinite(value) && value > 0);
const STEP_S = envNumber('BENCH_STEP_SECONDS', QUICK ? 5 : 20);
const DRAIN_S = envNumber('BENCH_DRAIN_SECONDS', QUICK ? 10 : 30);
/** A rate is only sustained if the exporters kept up: what is left when the load stops (at most a
 * batch flush interval and the requests in flight) must be gone within this. A queue that needs
 * longer was growing: the step "passed" only for as long as the queue had room. */
const KEPT_UP_S = envNumber('BENCH_KEPT_UP_SECONDS', 5);
const WARMUP_S = QUICK ? 2 : 5;
const STOP_AFTER = envNumber('BENCH_STOP_AFTER', 2);
const PROFILE = (process.env['BENCH_PROFILE'] ?? '1') === '1';
const PROFILE_S = QUICK ? 4 : 12;
const OUTPUT = path.resolve(process.env['BENCH_OUTPUT'] ?? COLLECTOR_THROUGHPUT_JSON);
const SELECTED = (process.env['BENCH_CONFIGS'] ?? CONFIG_NAMES.join(','))
  .split(',')
  .map((name) => name.trim())
  .filter((name): name is ConfigName => (CONFIG_NAMES as readonly string[]).includes(name));

const COLLECTOR_CPU = '1';
const LOAD_CPU = '0';
/** Where the null X-Ray endpoint runs: with the other stand-ins unless told otherwise (a diagnostic). */
const SINK_CPU = process.env['BENCH_SINK_CPU'] ?? LOAD_CPU;
/** telemetrygen's --rate is spans/s per worker, paced by a limiter with burst 1, so every late
 * wake-up is rate lost: at 500/s per worker and a busy load core it missed 10k/s by 6-11%. Many
 * slow workers keep the loss small. */
const MAX_RATE_PER_WORKER = envNumber('BENCH_WORKER_RATE', 100);
/** --child-spans 1: two spans per trace, as the app's request span + its one domain span. */
const CHILD_SPANS = 1;
const SPANS_PER_TRACE = 1 + CHILD_SPANS;
/** The JS SDK's default export batch, as the app sends. */
const CLIENT_BATCH = 512;
const SAMPLE_MS = 500;
const RATE_TOLERANCE = 0.05;
const GO = process.env['GO'] ?? 'go';
const LOG_DIR = path.join(OUT_DIR, 'collector-throughput');
const HONEYCOMB_KEY = 'bench-standin-honeycomb-key';
const REGION = 'us-east-1';

function telemetrygenBinary(): string {
  const fromEnv = process.env['TELEMETRYGEN'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const tools = path.join(ROOT, '.tools');
  const dir = existsSync(tools) ? readdirSync(tools).filter((name) => name.startsWith('telemetrygen-')).sort().pop() : undefined;
  if (dir === undefined) throw new Error('telemetrygen not found: run `make bench-collector` (or `make telemetrygen`), or set TELEMETRYGEN');
  return path.join(tools, dir, 'telemetrygen');
}
let telemetrygenPath: string | undefined;
/** Resolved on first use, so a missing binary fails with the hint above only when a step needs it. */
const telemetrygen = (): string => (telemetrygenPath ??= telemetrygenBinary());

/** Span attributes shaped like the app's request span; telemetrygen adds its own two (network.peer.address, service.peer.name). */
const SPAN_ATTRIBUTES: readonly string[] = [
  'http.request.method="GET"',
  'http.route="/api/activities/home"',
  'url.path="/api/activities/home"',
  'url.scheme="http"',
  'server.address="localhost"',
  'server.port=4567',
  'http.response.status_code=200',
  'user_agent.original="telemetrygen"',
  'client.address="127.0.0.1"',
  'app.user_handle="worf"',
  'enduser.id="worf"',
  'app.result_length=3',
];
const RESOURCE_ATTRIBUTES: readonly string[] = ['deployment.environment.name="bench"', 'service.version="bench"'];

// ---- processes ----------------------------------------------------------------------------------

interface Proc {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  readonly logFile: string;
  tail(lines?: number): string;
  stop(): Promise<void>;
}

const running = new Set<Proc>();

function startProc(name: string, cpu: string, command: string, args: readonly string[], env: Record<string, string>): Proc {
  const logFile = path.join(LOG_DIR, `${name}.log`);
  const fd = openSync(logFile, 'w');
  // taskset execs the command: the pid is the measured process itself.
  const child = spawnLogged('taskset', ['-c', cpu, command, ...args], { cwd: ROOT, env, logFd: fd, stdoutToLog: true });
  closeSync(fd);
  if (child.pid === undefined) throw new Error(`${name} did not start`);
  const proc: Proc = {
    name,
    child,
    pid: child.pid,
    logFile,
    tail(lines = 30) {
      return readFileSync(logFile, 'utf8').split('\n').slice(-lines).join('\n');
    },
    async stop() {
      running.delete(proc);
      // moto's server ignores SIGTERM; everything else stops well within this.
      await stopProcess(child, 10_000);
    },
  };
  running.add(proc);
  return proc;
}

async function waitHttp(proc: Proc, url: string, timeoutMs = 60_000): Promise<void> {
  try {
    await waitForOk(url, proc.child, timeoutMs);
  } catch (error) {
    throw new Error(`${proc.name}: ${error instanceof Error ? error.message : String(error)}:\n${proc.tail()}`);
  }
}

const baseEnv = (): Record<string, string> => ({ PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: os.tmpdir() });

interface Moto {
  readonly proc: Proc;
  readonly url: string;
  reset(): Promise<void>;
}

async function startMoto(): Promise<Moto> {
  const port = await freePort();
  const proc = startProc('moto', LOAD_CPU, motoServer, ['-H', '127.0.0.1', '-p', String(port)], baseEnv());
  const url = `http://127.0.0.1:${String(port)}`;
  await waitHttp(proc, `${url}/moto-api/`);
  return {
    proc,
    url,
    // moto keeps every segment in memory; a fresh store per step keeps its cost per call stable.
    async reset() {
      await (await fetch(`${url}/moto-api/reset`, { method: 'POST' })).arrayBuffer();
    },
  };
}

interface Honeycomb {
  readonly proc: Proc;
  readonly grpcEndpoint: string;
  reset(): Promise<void>;
}

async function startHoneycomb(): Promise<Honeycomb> {
  const grpcPort = await freePort();
  const httpPort = await freePort();
  // -limit: the stand-in records spans for its report; a small record bounds its memory.
  const proc = startProc('honeycomb-standin', LOAD_CPU, honeycombStandin, ['-grpc-addr', `127.0.0.1:${String(grpcPort)}`, '-http-addr', `127.0.0.1:${String(httpPort)}`, '-limit', '1000'], {
    ...baseEnv(),
    HONEYCOMB_API_KEY: HONEYCOMB_KEY,
  });
  const httpUrl = `http://127.0.0.1:${String(httpPort)}`;
  await waitHttp(proc, `${httpUrl}/healthz`);
  return {
    proc,
    grpcEndpoint: `127.0.0.1:${String(grpcPort)}`,
    async reset() {
      await (await fetch(`${httpUrl}/standin/received`, { method: 'DELETE' })).arrayBuffer();
    },
  };
}

/** A null X-Ray endpoint: answers every PutTraceSegments with nothing unprocessed and counts the
 * documents. It runs as a process of its own (this file with --xray-sink), pinned like the other
 * stand-ins, so its CPU is measured apart from the runner's. */
interface XraySink {
  readonly proc: Proc;
  readonly url: string;
  segments(): Promise<number>;
}

function serveXraySink(port: number): void {
  let segments = 0;
  const marker = 'trace_id';
  const server = createServer((request, response) => {
    if (request.method === 'GET' && request.url === '/count') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ segments }));
      return;
    }
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      // One trace_id per segment document (the exporter sends one document per span); counting
      // the marker is far cheaper than parsing the JSON on the load core.
      const body = Buffer.concat(chunks).toString('latin1');
      for (let at = body.indexOf(marker); at !== -1; at = body.indexOf(marker, at + marker.length)) segments++;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"UnprocessedTraceSegments":[]}');
    });
  });
  server.listen(port, '127.0.0.1');
  process.once('SIGTERM', () => server.close(() => process.exit(0)));
}

async function startXraySink(): Promise<XraySink> {
  const port = await freePort();
  const proc = startProc('xray-sink', SINK_CPU, process.execPath, [import.meta.filename, '--xray-sink', String(port)], baseEnv());
  const url = `http://127.0.0.1:${String(port)}`;
  await waitHttp(proc, `${url}/count`);
  return {
    proc,
    url,
    async segments() {
      const body = (await (await fetch(`${url}/count`)).json()) as { segments: number };
      return body.segments;
    },
  };
}

// ---- collector ------------------------------------------------------------------------------------

interface ConfigSpec {
  readonly name: ConfigName;
  readonly description: string;
  readonly files: string[];
  readonly exporters: string[];
  readonly xrayEndpoint: 'moto' | 'sink' | null;
}

const FAN_OUT_FILES = ['base', 'honeycomb', 'xray', 'cloudwatch', 'local-honeycomb', 'local-aws'].map(configFile);

const SPECS: Record<ConfigName, ConfigSpec> = {
  'pass-through': {
    name: 'pass-through',
    description: 'otlp receiver -> otlp_grpc exporter (defaults: in-memory queue, gzip) -> Honeycomb stand-in; no processors',
    files: [path.join(ROOT, 'bench', 'collector-passthrough-otlp.yaml')],
    exporters: ['otlp_grpc/passthrough'],
    xrayEndpoint: null,
  },
  'fan-out': {
    name: 'fan-out',
    description: 'the shipped config files (base + honeycomb + xray + cloudwatch + local-honeycomb + local-aws) as they are in the tree: traces/honeycomb -> Honeycomb stand-in, traces/xray -> awsxray -> moto (X-Ray); logs/cloudwatch idle (no logs are sent)',
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

interface Collector {
  readonly proc: Proc;
  readonly otlpEndpoint: string;
  readonly metricsUrl: string;
  readonly pprofUrl: string;
  stop(): Promise<void>;
}

async function startCollector(spec: ConfigSpec, honeycomb: Honeycomb, awsEndpoint: string): Promise<Collector> {
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

// ---- metrics ------------------------------------------------------------------------------------

interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const brace = line.indexOf('{');
    const space = line.lastIndexOf(' ');
    const name = brace === -1 ? line.slice(0, line.indexOf(' ')) : line.slice(0, brace);
    const labels: Record<string, string> = {};
    if (brace !== -1) {
      const body = line.slice(brace + 1, line.lastIndexOf('}'));
      for (const match of body.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
        const key = match[1];
        const value = match[2];
        if (key !== undefined && value !== undefined) labels[key] = value;
      }
    }
    samples.push({ name, labels, value: Number(line.slice(space + 1)) });
  }
  return samples;
}

interface ExporterCounters {
  readonly sent: number;
  readonly sendFailed: number;
  readonly enqueueFailed: number;
  readonly queueSize: number | null;
  readonly inFlight: number;
}

interface ReceiverCounters {
  readonly accepted: number;
  readonly refused: number;
  readonly failed: number;
}

interface Snapshot {
  /** Every trace receiver by name: `otlp` is where the load arrives; others are internal hops. */
  readonly receivers: Map<string, ReceiverCounters>;
  readonly processorIn: number;
  readonly processorOut: number;
  /** Every trace exporter the collector reports, vendor or internal (e.g. a spool). */
  readonly exporters: Map<string, ExporterCounters>;
}

const EXTERNAL_RECEIVER = 'otlp';

function sum(samples: readonly Sample[], name: string, match: (labels: Record<string, string>) => boolean = () => true): number {
  return samples.filter((s) => s.name === name && match(s.labels)).reduce((total, s) => total + s.value, 0);
}

async function snapshot(collector: Collector): Promise<Snapshot> {
  const samples = parsePrometheus(await (await fetch(collector.metricsUrl)).text());
  const traces = (labels: Record<string, string>): boolean => labels['otel_signal'] === undefined || labels['otel_signal'] === 'traces';
  const spanSeries = ['otelcol_exporter_sent_spans', 'otelcol_exporter_send_failed_spans', 'otelcol_exporter_enqueue_failed_spans'];
  const exporterNames = new Set<string>();
  for (const s of samples) {
    const exporter = s.labels['exporter'];
    if (exporter === undefined) continue;
    if (spanSeries.includes(s.name) || ((s.name === 'otelcol_exporter_queue_size' || s.name === 'otelcol_exporter_in_flight_requests') && s.labels['data_type'] === 'traces')) exporterNames.add(exporter);
  }
  const exporters = new Map<string, ExporterCounters>();
  for (const exporter of exporterNames) {
    const own = (labels: Record<string, string>): boolean => labels['exporter'] === exporter;
    const ownTraces = (labels: Record<string, string>): boolean => own(labels) && labels['data_type'] === 'traces';
    const queue = samples.find((s) => s.name === 'otelcol_exporter_queue_size' && ownTraces(s.labels));
    exporters.set(exporter, {
      sent: sum(samples, 'otelcol_exporter_sent_spans', own),
      sendFailed: sum(samples, 'otelcol_exporter_send_failed_spans', own),
      enqueueFailed: sum(samples, 'otelcol_exporter_enqueue_failed_spans', own),
      queueSize: queue === undefined ? null : queue.value,
      inFlight: sum(samples, 'otelcol_exporter_in_flight_requests', ownTraces),
    });
  }
  const receiverNames = new Set(samples.filter((s) => s.name.startsWith('otelcol_receiver_') && s.name.endsWith('_spans')).map((s) => s.labels['receiver'] ?? ''));
  const receivers = new Map<string, ReceiverCounters>();
  for (const receiver of receiverNames) {
    const own = (labels: Record<string, string>): boolean => labels['receiver'] === receiver;
    receivers.set(receiver, {
      accepted: sum(samples, 'otelcol_receiver_accepted_spans', own),
      refused: sum(samples, 'otelcol_receiver_refused_spans', own),
      failed: sum(samples, 'otelcol_receiver_failed_spans', own),
    });
  }
  return {
    receivers,
    processorIn: sum(samples, 'otelcol_processor_incoming_items', traces),
    processorOut: sum(samples, 'otelcol_processor_outgoing_items', traces),
    exporters,
  };
}

const ZERO_EXPORTER: ExporterCounters = { sent: 0, sendFailed: 0, enqueueFailed: 0, queueSize: null, inFlight: 0 };
const ZERO_RECEIVER: ReceiverCounters = { accepted: 0, refused: 0, failed: 0 };

// ---- /proc ----------------------------------------------------------------------------------------

function safeCpuMicros(pid: number): number {
  try {
    return cpuMicros(pid);
  } catch {
    return Number.NaN;
  }
}

function memoryMiB(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
  const field = (name: string): number => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
    return match?.[1] === undefined ? Number.NaN : Number(match[1]) / 1024;
  };
  return { rss: field('VmRSS'), hwm: field('VmHWM') };
}

/** Busy and total jiffies per CPU (cpu0, cpu1, ...). */
function cpuTimes(): Map<string, { busy: number; total: number }> {
  const out = new Map<string, { busy: number; total: number }>();
  for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
    const match = /^(cpu\d+)\s+(.*)$/.exec(line);
    if (match?.[1] === undefined || match[2] === undefined) continue;
    const values = match[2].split(/\s+/).map(Number);
    const total = values.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = (values[3] ?? 0) + (values[4] ?? 0);
    out.set(match[1], { busy: total - idle, total });
  }
  return out;
}

function busyPercent(before: Map<string, { busy: number; total: number }>, after: Map<string, { busy: number; total: number }>, cpu: string): number {
  const a = before.get(`cpu${cpu}`);
  const b = after.get(`cpu${cpu}`);
  if (a === undefined || b === undefined || b.total === a.total) return Number.NaN;
  return ((b.busy - a.busy) / (b.total - a.total)) * 100;
}

// ---- load -----------------------------------------------------------------------------------------

function loadShape(target: number): { workers: number; ratePerWorker: number } {
  const workers = Math.max(1, Math.ceil(target / MAX_RATE_PER_WORKER));
  return { workers, ratePerWorker: target / workers };
}

function telemetrygenArgs(endpoint: string, target: number, seconds: number): string[] {
  const { workers, ratePerWorker } = loadShape(target);
  return [
    'traces',
    '--otlp-endpoint', endpoint,
    '--otlp-insecure',
    '--duration', `${String(seconds)}s`,
    '--workers', String(workers),
    '--rate', String(ratePerWorker),
    '--child-spans', String(CHILD_SPANS),
    '--batch-size', String(CLIENT_BATCH),
    '--service', 'cruddur-bench',
    ...SPAN_ATTRIBUTES.flatMap((attribute) => ['--telemetry-attributes', attribute]),
    ...RESOURCE_ATTRIBUTES.flatMap((attribute) => ['--otlp-attributes', attribute]),
  ];
}

interface LoadRun {
  readonly proc: Proc;
  readonly done: Promise<number>;
}

function startLoad(name: string, endpoint: string, target: number, seconds: number): LoadRun {
  const proc = startProc(name, LOAD_CPU, telemetrygen(), telemetrygenArgs(endpoint, target, seconds), baseEnv());
  const done = new Promise<number>((resolve) => {
    proc.child.once('exit', (code) => {
      running.delete(proc);
      resolve(code ?? -1);
    });
  });
  return { proc, done };
}

/** Spans telemetrygen generated, from its per-worker "traces generated" log lines. */
function generatedSpans(log: string): number {
  let traces = 0;
  for (const match of log.matchAll(/traces generated\s+\{"worker": \d+, "traces": (\d+)\}/g)) traces += Number(match[1]);
  return traces * SPANS_PER_TRACE;
}

// ---- one step --------------------------------------------------------------------------------------

interface Backends {
  readonly honeycomb: Honeycomb;
  readonly moto: Moto;
  readonly sink: XraySink;
}

/** No exporter has a queue or a request in flight. */
const isIdle = (snap: Snapshot): boolean => [...snap.exporters.values()].every((e) => (e.queueSize ?? 0) === 0 && e.inFlight === 0);

/** Waits until no exporter has a queue or a request in flight (leftovers of the warm-up or of the
 * step before), so each step starts from an idle collector. */
async function waitIdle(collector: Collector, timeoutS: number): Promise<boolean> {
  const deadline = Date.now() + timeoutS * 1000;
  while (Date.now() < deadline) {
    const snap = await snapshot(collector);
    if (isIdle(snap)) return true;
    await sleep(250);
  }
  return false;
}

/** Every exporter seen in either snapshot, vendor exporters of the config first. */
function exporterNames(spec: ConfigSpec, ...snapshots: readonly Snapshot[]): string[] {
  const seen = new Set<string>(spec.exporters);
  for (const snap of snapshots) for (const name of snap.exporters.keys()) seen.add(name);
  return [...seen];
}

async function runStep(spec: ConfigSpec, collector: Collector, backends: Backends, target: number, stepIndex: number): Promise<StepResult> {
  if (!(await waitIdle(collector, DRAIN_S))) process.stdout.write(`  ${spec.name}: queues still not empty after ${String(DRAIN_S)} s; measuring anyway\n`);
  await backends.moto.reset();
  await backends.honeycomb.reset();
  const before = await snapshot(collector);
  const sinkBefore = spec.xrayEndpoint === 'sink' ? await backends.sink.segments() : 0;
  const cpuBefore = cpuTimes();
  const collectorCpuBefore = safeCpuMicros(collector.proc.pid);
  const motoCpuBefore = safeCpuMicros(backends.moto.proc.pid);
  const honeycombCpuBefore = safeCpuMicros(backends.honeycomb.proc.pid);
  const sinkCpuBefore = safeCpuMicros(backends.sink.proc.pid);
  const runnerCpuBefore = process.cpuUsage();
  const wallBefore = process.hrtime.bigint();

  const load = startLoad(`telemetrygen-${spec.name}-${String(stepIndex)}`, collector.otlpEndpoint, target, STEP_S);
  let loadCpu = 0;
  let rssMax = 0;
  let exited = false;
  void load.done.then(() => {
    exited = true;
  });
  const busy = new Map<string, { samples: number; busy: number; inFlight: number; maxQueue: number | null }>();
  while (!exited) {
    const tick = sleep(SAMPLE_MS);
    const cpu = safeCpuMicros(load.proc.pid);
    if (Number.isFinite(cpu)) loadCpu = cpu;
    rssMax = Math.max(rssMax, memoryMiB(collector.proc.pid).rss);
    const now = await snapshot(collector).catch(() => undefined);
    for (const [name, stats] of now?.exporters ?? []) {
      const entry = busy.get(name) ?? { samples: 0, busy: 0, inFlight: 0, maxQueue: null };
      busy.set(name, entry);
      entry.samples++;
      if (stats.inFlight > 0) entry.busy++;
      entry.inFlight += stats.inFlight;
      if (stats.queueSize !== null) entry.maxQueue = Math.max(entry.maxQueue ?? 0, stats.queueSize);
    }
    await Promise.race([tick, load.done]);
  }
  const exitCode = await load.done;
  const wallMicros = Number(process.hrtime.bigint() - wallBefore) / 1000;
  const collectorCpu = safeCpuMicros(collector.proc.pid) - collectorCpuBefore;
  const cpuAfter = cpuTimes();
  const motoCpu = safeCpuMicros(backends.moto.proc.pid) - motoCpuBefore;
  const honeycombCpu = safeCpuMicros(backends.honeycomb.proc.pid) - honeycombCpuBefore;
  const sinkCpu = safeCpuMicros(backends.sink.proc.pid) - sinkCpuBefore;
  const runnerUsage = process.cpuUsage(runnerCpuBefore);
  rssMax = Math.max(rssMax, memoryMiB(collector.proc.pid).rss);

  // Drain: telemetrygen has flushed and exited, so what the otlp receiver accepted is final; wait
  // until every vendor exporter has sent (or failed) all of it and every queue is empty.
  const acceptedOf = (snap: Snapshot): number => (snap.receivers.get(EXTERNAL_RECEIVER) ?? ZERO_RECEIVER).accepted;
  const drainStart = Date.now();
  let after = await snapshot(collector);
  let drained = false;
  while (Date.now() - drainStart < DRAIN_S * 1000) {
    const accepted = acceptedOf(after) - acceptedOf(before);
    const current = after;
    drained =
      spec.exporters.every((name) => {
        const a = current.exporters.get(name) ?? ZERO_EXPORTER;
        const b = before.exporters.get(name) ?? ZERO_EXPORTER;
        return a.sent + a.sendFailed - (b.sent + b.sendFailed) >= accepted;
      }) && isIdle(current);
    if (drained) break;
    await sleep(250);
    after = await snapshot(collector);
  }
  const drainS = (Date.now() - drainStart) / 1000;
  const memoryAfterDrain = memoryMiB(collector.proc.pid);
  // Per-item costs over load and drain: a backlog is still work for the collector and moto.
  const collectorCpuWithDrain = safeCpuMicros(collector.proc.pid) - collectorCpuBefore;
  const motoCpuWithDrain = safeCpuMicros(backends.moto.proc.pid) - motoCpuBefore;

  const generated = generatedSpans(readFileSync(load.proc.logFile, 'utf8'));
  const receiverDelta = (name: string): ReceiverCounters => {
    const a = after.receivers.get(name) ?? ZERO_RECEIVER;
    const b = before.receivers.get(name) ?? ZERO_RECEIVER;
    return { accepted: a.accepted - b.accepted, refused: a.refused - b.refused, failed: a.failed - b.failed };
  };
  const external = receiverDelta(EXTERNAL_RECEIVER);
  const accepted = external.accepted;
  const internalReceivers = [...new Set([...before.receivers.keys(), ...after.receivers.keys()])]
    .filter((name) => name !== EXTERNAL_RECEIVER)
    .map((name) => ({ receiver: name, ...receiverDelta(name) }));
  const processorDropped = after.processorIn - before.processorIn - (after.processorOut - before.processorOut);
  const exporters: ExporterStep[] = exporterNames(spec, before, after).map((name) => {
    const a = after.exporters.get(name) ?? ZERO_EXPORTER;
    const b = before.exporters.get(name) ?? ZERO_EXPORTER;
    const stats = busy.get(name);
    return {
      exporter: name,
      role: spec.exporters.includes(name) ? 'vendor' : 'internal',
      sent: a.sent - b.sent,
      sendFailed: a.sendFailed - b.sendFailed,
      enqueueFailed: a.enqueueFailed - b.enqueueFailed,
      maxQueueSize: stats?.maxQueue ?? null,
      busyFraction: stats === undefined || stats.samples === 0 ? Number.NaN : round(stats.busy / stats.samples, 2),
      meanInFlight: stats === undefined || stats.samples === 0 ? Number.NaN : round(stats.inFlight / stats.samples, 2),
    };
  });

  const xraySent = exporters.find((e) => e.exporter === 'awsxray')?.sent ?? 0;
  const { workers, ratePerWorker } = loadShape(target);
  const generatedPerSecond = generated / STEP_S;
  const failures: string[] = [];
  if (exitCode !== 0) failures.push(`telemetrygen exited with ${String(exitCode)}`);
  if (generatedPerSecond < target * (1 - RATE_TOLERANCE)) failures.push(`generator reached ${generatedPerSecond.toFixed(0)} spans/s (${((generatedPerSecond / target) * 100).toFixed(1)}% of the target)`);
  if (accepted < generated) failures.push(`${String(generated - accepted)} spans generated but never accepted (dropped in telemetrygen's full span queue: the collector did not take them fast enough)`);
  if (external.refused > 0) failures.push(`${String(external.refused)} spans refused by the otlp receiver`);
  if (external.failed > 0) failures.push(`${String(external.failed)} spans failed in the otlp receiver`);
  for (const r of internalReceivers) {
    if (r.refused + r.failed > 0) failures.push(`internal receiver ${r.receiver}: ${String(r.refused)} refused, ${String(r.failed)} failed`);
  }
  if (processorDropped > 0) failures.push(`${String(processorDropped)} spans dropped by processors`);
  const vendorShort = (e: ExporterStep): boolean => e.role === 'vendor' && e.sent < accepted;
  for (const e of exporters) {
    if (e.sendFailed > 0) failures.push(`${e.exporter}: ${String(e.sendFailed)} send_failed`);
    if (e.enqueueFailed > 0) failures.push(`${e.exporter}: ${String(e.enqueueFailed)} enqueue_failed`);
    if (vendorShort(e)) failures.push(`${e.exporter}: sent ${String(e.sent)} of ${String(accepted)} accepted${drained ? '' : ` (not drained ${String(DRAIN_S)} s after the load)`}`);
  }
  // A vendor short of spans already says "not drained" above; otherwise say it here.
  if (!drained && !exporters.some(vendorShort)) failures.push(`queues not empty ${String(DRAIN_S)} s after the load`);
  if (drained && drainS > KEPT_UP_S) {
    const deepest = [...exporters].sort((a, b) => (b.maxQueueSize ?? 0) - (a.maxQueueSize ?? 0))[0];
    failures.push(`exporters fell behind: the backlog took ${drainS.toFixed(1)} s to drain after the load (limit ${String(KEPT_UP_S)} s)${deepest?.maxQueueSize ? `, ${deepest.exporter} queue up to ${String(deepest.maxQueueSize)}` : ''}`);
  }

  const cpu0Busy = busyPercent(cpuBefore, cpuAfter, LOAD_CPU);
  const cpu1Busy = busyPercent(cpuBefore, cpuAfter, COLLECTOR_CPU);
  const percentOfWall = (micros: number): number => (micros / wallMicros) * 100;
  const result: StepResult = {
    targetSpansPerSecond: target,
    workers,
    ratePerWorker: round(ratePerWorker, 2),
    durationS: STEP_S,
    generatedSpans: generated,
    generatedPerSecond: round(generatedPerSecond, 0),
    acceptedSpans: accepted,
    acceptedPerSecond: round(accepted / STEP_S, 0),
    lostBeforeCollector: Math.max(0, generated - accepted),
    refusedSpans: external.refused,
    failedSpans: external.failed,
    internalReceivers,
    processorDropped,
    exporters,
    drained,
    drainS: round(drainS, 1),
    collectorCpuPercent: round(percentOfWall(collectorCpu)),
    collectorCpuUsPerSpan: accepted === 0 ? Number.NaN : round(collectorCpuWithDrain / accepted, 2),
    collectorRssMiB: round(memoryAfterDrain.rss),
    collectorRssMaxMiB: round(rssMax),
    collectorHwmMiB: round(memoryAfterDrain.hwm),
    cpu0BusyPercent: round(cpu0Busy),
    cpu1BusyPercent: round(cpu1Busy),
    telemetrygenCpuPercent: round(percentOfWall(loadCpu)),
    honeycombStandinCpuPercent: round(percentOfWall(honeycombCpu)),
    motoCpuPercent: round(percentOfWall(motoCpu)),
    motoCpuUsPerSegment: spec.xrayEndpoint === 'moto' && xraySent > 0 ? round(motoCpuWithDrain / xraySent, 1) : null,
    runnerCpuPercent: round(percentOfWall(runnerUsage.user + runnerUsage.system)),
    otherCpu0Percent: round(Math.max(0, cpu0Busy - percentOfWall(loadCpu + honeycombCpu + motoCpu + (SINK_CPU === LOAD_CPU ? sinkCpu : 0) + runnerUsage.user + runnerUsage.system))),
    otherCpu1Percent: round(Math.max(0, cpu1Busy - percentOfWall(collectorCpu))),
    sinkSegments: spec.xrayEndpoint === 'sink' ? (await backends.sink.segments()) - sinkBefore : null,
    sinkCpuPercent: round(percentOfWall(sinkCpu)),
    pass: failures.length === 0,
    failures,
  };
  const exporterText = exporters.map((e) => `${e.exporter} sent ${String(e.sent)} busy ${(e.busyFraction * 100).toFixed(0)}%${e.maxQueueSize === null ? '' : ` q<=${String(e.maxQueueSize)}`}`).join(', ');
  process.stdout.write(
    `  ${spec.name.padEnd(17)} ${String(target).padStart(6)}/s  gen ${String(result.generatedPerSecond).padStart(6)}/s  acc ${String(result.acceptedPerSecond).padStart(6)}/s  cpu ${result.collectorCpuPercent.toFixed(0).padStart(3)}%  rss ${result.collectorRssMaxMiB.toFixed(0)} MiB  cpu0 ${result.cpu0BusyPercent.toFixed(0)}%  ${exporterText}  ${result.pass ? 'PASS' : `FAIL: ${failures.join('; ')}`}\n`,
  );
  return result;
}

// ---- CPU profile of the collector at its limit -----------------------------------------------------

/** Stages named by the frames their work runs under. A sample counts in every stage whose focus
 * matches a frame of its stack (and no ignore does): the receiver's share includes the
 * processors and the queue write it runs synchronously, so the shares overlap. */
const PROFILE_STAGES: readonly { stage: string; focus: string; ignore?: string }[] = [
  { stage: 'gRPC receivers and all they run synchronously (decode, processors, queue writes; X-Ray export excluded)', focus: 'grpc\\.\\(\\*Server\\)\\.handleStream', ignore: 'awsxrayexporter' },
  { stage: 'protobuf decode of incoming requests', focus: 'otelgrpc\\.\\(\\*codecV2\\)\\.Unmarshal' },
  { stage: 'processors (memory_limiter, filter, resource_detection, resource, attributes)', focus: 'memorylimiterprocessor|filterprocessor|resourcedetectionprocessor|resourceprocessor|attributesprocessor|coreinternal/attraction' },
  { stage: 'persistent queues (encode, bbolt write, read back and decode)', focus: 'persistentQueue|filestorage|bbolt' },
  { stage: 'otlp_grpc exporters (marshal, gzip, gRPC client; includes a loopback spool if configured)', focus: 'otlpexporter' },
  { stage: 'batch processor, own work', focus: 'batchprocessor', ignore: 'awsxrayexporter' },
  { stage: 'awsxray exporter (span -> segment JSON, SigV4, HTTP to the endpoint)', focus: 'awsxrayexporter' },
  { stage: 'garbage collector (background mark)', focus: 'runtime\\.gcBgMarkWorker|runtime\\.bgsweep|runtime\\.bgscavenge' },
  { stage: 'memory allocation (runtime.mallocgc, any caller)', focus: 'runtime\\.mallocgc$' },
];

function pprofTop(file: string, extra: readonly string[]): string {
  return execFileSync(GO, ['tool', 'pprof', '-top', ...extra, file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 2 ** 20 });
}

function summariseCollectorProfile(file: string): { stages: ProfileStage[]; top: CollectorProfile['top'] } {
  const stages = PROFILE_STAGES.map(({ stage, focus, ignore }) => {
    let percent = 0;
    try {
      // Every node, none dropped: the summary line then totals all samples that pass the filters.
      const text = pprofTop(file, ['-nodecount=1000000', '-nodefraction=0', '-edgefraction=0', `-focus=${focus}`, ...(ignore === undefined ? [] : [`-ignore=${ignore}`])]);
      const match = /Showing nodes accounting for [^,]+, ([\d.]+)% of/.exec(text);
      // pprof prints no summary at all when nothing matches the focus.
      percent = match?.[1] === undefined ? 0 : Number(match[1]);
    } catch {
      percent = 0;
    }
    return { stage, focus, ...(ignore === undefined ? {} : { ignore }), percent };
  });
  const top: CollectorProfile['top'] = [];
  for (const line of pprofTop(file, ['-nodecount=25']).split('\n')) {
    const match = /^\s*[\d.]+\w*\s+([\d.]+)%\s+[\d.]+%\s+[\d.]+\w*\s+([\d.]+)%\s+(.+)$/.exec(line);
    if (match?.[1] === undefined || match[2] === undefined || match[3] === undefined) continue;
    top.push({ function: match[3].trim(), flatPercent: Number(match[1]), cumPercent: Number(match[2]) });
  }
  return { stages, top };
}

async function profileCollector(spec: ConfigSpec, collector: Collector, backends: Backends, target: number): Promise<CollectorProfile | undefined> {
  await backends.moto.reset();
  const load = startLoad(`telemetrygen-${spec.name}-profile`, collector.otlpEndpoint, target, PROFILE_S + 2);
  await sleep(1000);
  const cpuBefore = safeCpuMicros(collector.proc.pid);
  const wallBefore = process.hrtime.bigint();
  const file = path.join(LOG_DIR, `${spec.name}.pprof`);
  try {
    const response = await fetch(`${collector.pprofUrl}?seconds=${String(PROFILE_S)}`);
    if (!response.ok) throw new Error(`pprof answered ${String(response.status)}`);
    writeFileSync(file, Buffer.from(await response.arrayBuffer()));
  } catch (error) {
    process.stdout.write(`  ${spec.name}: no CPU profile (${error instanceof Error ? error.message : String(error)})\n`);
    await load.done;
    return undefined;
  }
  const cpuPercent = ((safeCpuMicros(collector.proc.pid) - cpuBefore) / (Number(process.hrtime.bigint() - wallBefore) / 1000)) * 100;
  await load.done;
  await sleep(3000);
  try {
    const { stages, top } = summariseCollectorProfile(file);
    process.stdout.write(`  ${spec.name} profile at ${String(target)}/s: ${stages.map((s) => `${s.stage.split(' (')[0] ?? s.stage} ${s.percent.toFixed(0)}%`).join(', ')}\n`);
    return { file: path.relative(ROOT, file), targetSpansPerSecond: target, seconds: PROFILE_S, collectorCpuPercent: round(cpuPercent), stages, top };
  } catch (error) {
    process.stdout.write(`  ${spec.name}: profile not summarised (${error instanceof Error ? error.message : String(error)})\n`);
    return undefined;
  }
}

// ---- verdict ----------------------------------------------------------------------------------------

const AT_LIMIT_CPU = 90;
/** Core 1 this busy with this much of it not the collector: the collector was competing for its core. */
const SHARED_CORE_BUSY = 90;
const SHARED_CORE_OTHER = 15;
const BUSY_EXPORTER = 0.9;

function describeEndpoint(spec: Pick<ConfigSpec, 'xrayEndpoint'>, exporter: string): string {
  if (exporter === 'awsxray') return spec.xrayEndpoint === 'moto' ? "moto's PutTraceSegments (the X-Ray stand-in)" : 'the null X-Ray endpoint';
  if (exporter === 'otlp_grpc/honeycomb' || exporter === 'otlp_grpc/passthrough') return 'the Honeycomb stand-in';
  return 'the collector\'s own loopback receiver and the pipeline behind it';
}

/** Names the stage that limits a config, from the first failing step above the highest passing one. */
function limitOf(spec: Pick<ConfigSpec, 'xrayEndpoint'>, steps: readonly StepResult[]): { max: number | null; limitStep: number | null; kind: LimitKind; stage: string; evidence: string[] } {
  const passing = steps.filter((s) => s.pass);
  const max = passing.length === 0 ? null : Math.max(...passing.map((s) => s.targetSpansPerSecond));
  const failing = steps.filter((s) => !s.pass && (max === null || s.targetSpansPerSecond > max)).sort((a, b) => a.targetSpansPerSecond - b.targetSpansPerSecond);
  const f = failing[0];
  const evidence: string[] = [];
  const lower = steps.filter((s) => !s.pass && max !== null && s.targetSpansPerSecond < max);
  if (lower.length > 0) evidence.push(`note: lower step(s) ${lower.map((s) => String(s.targetSpansPerSecond)).join(', ')} spans/s failed although a higher one passed (noise on the shared machine?)`);
  if (f === undefined) {
    const top = steps[steps.length - 1];
    return { max, limitStep: null, kind: 'not-reached', stage: `not reached: every step up to ${String(top?.targetSpansPerSecond ?? 0)} spans/s passed`, evidence };
  }
  evidence.push(`at ${String(f.targetSpansPerSecond)} spans/s: ${f.failures.join('; ')}`);
  evidence.push(`collector CPU ${f.collectorCpuPercent.toFixed(0)}% of its core (${f.collectorCpuUsPerSpan.toFixed(1)} µs/span), core 1 busy ${f.cpu1BusyPercent.toFixed(0)}% (other processes ${f.otherCpu1Percent.toFixed(0)}%), core 0 (load side) busy ${f.cpu0BusyPercent.toFixed(0)}% (telemetrygen ${f.telemetrygenCpuPercent.toFixed(0)}%, Honeycomb stand-in ${f.honeycombStandinCpuPercent.toFixed(0)}%, moto ${f.motoCpuPercent.toFixed(0)}%, runner ${f.runnerCpuPercent.toFixed(0)}%, other processes ${f.otherCpu0Percent.toFixed(0)}%)`);
  for (const e of f.exporters) {
    evidence.push(`${e.exporter} (${e.role}): a request in flight in ${(e.busyFraction * 100).toFixed(0)}% of samples (mean ${e.meanInFlight.toFixed(2)})${e.maxQueueSize === null ? '' : `, queue up to ${String(e.maxQueueSize)} items`}, sent ${String(e.sent)} of ${String(f.acceptedSpans)}`);
  }
  const generatorShort = f.generatedPerSecond < f.targetSpansPerSecond * (1 - RATE_TOLERANCE);
  const vendorBusiest = f.exporters.filter((e) => e.role === 'vendor').sort((a, b) => b.busyFraction - a.busyFraction)[0];
  const xray = f.exporters.find((e) => e.exporter === 'awsxray');
  // Internal hops in front of awsxray (a spool) wait for it: the X-Ray path is as busy as its busiest hop.
  const xrayPathBusy = Math.max(xray?.busyFraction ?? 0, ...f.exporters.filter((e) => e.role === 'internal' && /xray/i.test(e.exporter)).map((e) => e.busyFraction));
  const backlog = [...f.exporters].filter((e) => (e.maxQueueSize ?? 0) > 0).sort((a, b) => (b.maxQueueSize ?? 0) - (a.maxQueueSize ?? 0))[0];
  const core = `the collector used ${f.collectorCpuPercent.toFixed(0)}% of its core`;
  let stage: string;
  let kind: LimitKind;
  // CPU the offered rate needs at the measured cost per span: above the core even when other
  // processes kept the measured utilisation lower.
  const cpuDemand = (f.collectorCpuUsPerSpan * f.targetSpansPerSecond) / 1e4;
  if (f.collectorCpuPercent >= AT_LIMIT_CPU || cpuDemand >= AT_LIMIT_CPU) {
    kind = 'collector-cpu';
    stage = `collector CPU: at ${f.collectorCpuUsPerSpan.toFixed(1)} µs per span, ${String(f.targetSpansPerSecond)} spans/s needs ${cpuDemand.toFixed(0)}% of its one core (measured ${f.collectorCpuPercent.toFixed(0)}%; core 1 ${f.cpu1BusyPercent.toFixed(0)}% busy) — the ceiling is ~${(1e6 / f.collectorCpuUsPerSpan / 1000).toFixed(1)}k spans/s per core`;
  } else if (xrayPathBusy >= BUSY_EXPORTER && spec.xrayEndpoint === 'moto') {
    // moto's cost per segment does not depend on how busy core 1 is: checked before the noise.
    const motoCost = f.motoCpuUsPerSegment === null ? '' : `; moto spent ${f.motoCpuUsPerSegment.toFixed(0)} µs of CPU per segment, i.e. at most ~${(1e6 / f.motoCpuUsPerSegment / 1000).toFixed(1)}k segments/s on a whole core, and it shares core 0 (${f.cpu0BusyPercent.toFixed(0)}% busy) with the load generator`;
    kind = 'xray-standin';
    stage = `X-Ray stand-in (moto): the awsxray exporter had PutTraceSegments calls in flight ${(xrayPathBusy * 100).toFixed(0)}% of the time while ${core}${motoCost}`;
  } else if (f.cpu1BusyPercent >= SHARED_CORE_BUSY && f.otherCpu1Percent >= SHARED_CORE_OTHER && !generatorShort && f.cpu0BusyPercent < AT_LIMIT_CPU) {
    kind = 'noise';
    stage = `noise: the collector shared its core — core 1 was ${f.cpu1BusyPercent.toFixed(0)}% busy, ${f.otherCpu1Percent.toFixed(0)}% of it other processes on this machine (core 0: ${f.cpu0BusyPercent.toFixed(0)}% busy, ${f.otherCpu0Percent.toFixed(0)}% other), while ${core}; not a property of the collector — rerun on a quiet machine`;
  } else if (xrayPathBusy >= BUSY_EXPORTER && spec.xrayEndpoint === 'sink' && SINK_CPU === LOAD_CPU && f.cpu0BusyPercent >= AT_LIMIT_CPU) {
    kind = 'load-side';
    stage = `load side: core 0 ${f.cpu0BusyPercent.toFixed(0)}% busy (telemetrygen, stand-ins and the null X-Ray endpoint share it), so even the null endpoint answered slowly (X-Ray path busy ${(xrayPathBusy * 100).toFixed(0)}% of the time) while ${core} — not the collector's limit`;
  } else if (xrayPathBusy >= BUSY_EXPORTER) {
    kind = 'xray-path';
    stage = `X-Ray path: the awsxray exporter waits on ${describeEndpoint(spec, 'awsxray')}, requests in flight ${(xrayPathBusy * 100).toFixed(0)}% of the time while ${core}`;
  } else if (vendorBusiest !== undefined && vendorBusiest.busyFraction >= BUSY_EXPORTER) {
    kind = 'exporter-endpoint';
    stage = `${vendorBusiest.exporter} waiting on ${describeEndpoint(spec, vendorBusiest.exporter)} (in flight ${(vendorBusiest.busyFraction * 100).toFixed(0)}% of the time) while ${core}`;
  } else if (!f.drained && backlog !== undefined) {
    kind = 'queue';
    stage = `${backlog.exporter}'s queue: it grew to ${String(backlog.maxQueueSize)} items and had not drained ${String(f.drainS)} s after the load, while ${core}`;
  } else if (generatorShort || f.cpu0BusyPercent >= AT_LIMIT_CPU) {
    kind = 'load-side';
    stage = `load side: core 0 (telemetrygen + stand-ins) ${f.cpu0BusyPercent.toFixed(0)}% busy (${f.otherCpu0Percent.toFixed(0)}% of it other processes) and telemetrygen reached ${((f.generatedPerSecond / f.targetSpansPerSecond) * 100).toFixed(0)}% of the rate, while ${core} — the limit measured is the load side's, not the collector's`;
  } else if (f.otherCpu0Percent >= SHARED_CORE_OTHER || f.otherCpu1Percent >= SHARED_CORE_OTHER) {
    kind = 'noise';
    stage = `noise: no core was saturated, but other processes on this machine used ${f.otherCpu1Percent.toFixed(0)}% of core 1 and ${f.otherCpu0Percent.toFixed(0)}% of core 0 while ${core}; telemetrygen drops spans after a stall of ~${((2048 / f.targetSpansPerSecond) * 1000).toFixed(0)} ms (its 2048-span queue), which such competition causes — rerun on a quiet machine`;
  } else {
    kind = 'latency';
    stage = `collector latency: not CPU-bound (${f.collectorCpuPercent.toFixed(0)}%) and no exporter busy all the time, yet it took spans too slowly for telemetrygen's span queue (2048 spans: a stall of ~${(2048 / f.targetSpansPerSecond * 1000).toFixed(0)} ms at this rate drops spans)`;
  }
  return { max, limitStep: f.targetSpansPerSecond, kind, stage, evidence };
}

// ---- main -------------------------------------------------------------------------------------------

function telemetrygenVersion(): string {
  const info = commandOutput(GO, ['version', '-m', telemetrygen()]);
  const match = /\bmod\s+\S+\/cmd\/telemetrygen\s+(\S+)/.exec(info);
  return match?.[1] ?? process.env['TELEMETRYGEN_VERSION'] ?? 'unknown';
}

function motoVersion(): string {
  const requirements = readFileSync(path.join(ROOT, 'standins', 'moto', 'requirements.txt'), 'utf8');
  return /^moto(?:\[[^\]]*\])?==(\S+)/m.exec(requirements)?.[1] ?? 'unknown';
}

function gitState(): { commit: string; uncommittedConfigFiles: string[] } {
  const commit = commandOutput('git', ['-C', ROOT, 'rev-parse', 'HEAD']);
  const status = commandOutput('git', ['-C', ROOT, 'status', '--porcelain', '--', 'otel-collector/config', 'bench/collector-passthrough-otlp.yaml']);
  const files = status === 'unknown' ? [] : status.split('\n').filter((line) => line !== '').map((line) => line.replace(/^\s*\S+\s+/, ''));
  return { commit, uncommittedConfigFiles: files };
}

async function stopAll(): Promise<void> {
  await Promise.all([...running].map((proc) => proc.stop()));
}

async function main(): Promise<void> {
  if (os.cpus().length < 2) throw new Error('needs 2 cores: the collector is pinned to CPU 1, the load to CPU 0');
  // Pin this runner (all its threads) and so everything it starts without taskset to CPU 0.
  execFileSync('taskset', ['-a', '-p', '-c', LOAD_CPU, String(process.pid)], { stdio: 'ignore' });
  mkdirSync(LOG_DIR, { recursive: true });
  mkdirSync(path.dirname(OUTPUT), { recursive: true });
  const loadBefore = loadAverage();
  warnIfBusy(loadBefore);
  process.stdout.write(`collector throughput: configs ${SELECTED.join(', ')}; steps ${STEPS.join(', ')} spans/s x ${String(STEP_S)} s${QUICK ? ' (quick)' : ''}\n`);

  const configs: ConfigResult[] = [];
  const stopOnSignal = (): void => {
    void stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  try {
    const [honeycomb, moto, sink] = await Promise.all([startHoneycomb(), startMoto(), startXraySink()]);
    const backends: Backends = { honeycomb, moto, sink };
    for (const name of SELECTED) {
      const spec = SPECS[name];
      const awsEndpoint = spec.xrayEndpoint === 'sink' ? sink.url : moto.url;
      const collector = await startCollector(spec, honeycomb, awsEndpoint);
      const steps: StepResult[] = [];
      let limit: ReturnType<typeof limitOf>;
      let profile: CollectorProfile | undefined;
      try {
        // Warm-up at the lowest step, not recorded: connections, queues and the heap settle.
        const warmup = startLoad(`telemetrygen-${spec.name}-warmup`, collector.otlpEndpoint, Math.min(...STEPS), WARMUP_S);
        await warmup.done;
        await waitIdle(collector, DRAIN_S);
        let failingInARow = 0;
        for (const [index, target] of STEPS.entries()) {
          const step = await runStep(spec, collector, backends, target, index);
          steps.push(step);
          failingInARow = step.pass ? 0 : failingInARow + 1;
          if (failingInARow >= STOP_AFTER) break;
          await sleep(2000);
        }
        limit = limitOf(spec, steps);
        if (PROFILE) {
          const target = limit.limitStep ?? steps[steps.length - 1]?.targetSpansPerSecond ?? Math.max(...STEPS);
          profile = await profileCollector(spec, collector, backends, target);
        }
      } finally {
        await collector.stop();
      }
      process.stdout.write(`  ${spec.name}: max ${limit.max === null ? 'none' : String(limit.max)} spans/s with 0 loss; limit: ${limit.stage}\n`);
      configs.push({
        name: spec.name,
        description: spec.description,
        files: spec.files.map((file) => path.relative(ROOT, file)),
        exporters: spec.exporters,
        steps,
        maxPassingSpansPerSecond: limit.max,
        limitStepSpansPerSecond: limit.limitStep,
        limitKind: limit.kind,
        limitingStage: limit.stage,
        evidence: limit.evidence,
        ...(profile === undefined ? {} : { profile }),
      });
    }
  } finally {
    await stopAll();
  }

  const collectorVersion = commandOutput(collectorBin, ['--version']);
  const tgArgs = telemetrygenArgs('127.0.0.1:$OTLP_PORT', 10_000, STEP_S).map((arg) => (/[\s"]/.test(arg) ? `'${arg}'` : arg));
  const results: CollectorThroughputResults = {
    meta: {
      date: new Date().toISOString(),
      label: process.env['BENCH_LABEL'] ?? '',
      quick: QUICK,
      host: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, memoryMiB: Math.round(os.totalmem() / 2 ** 20), kernel: os.release(), loadBefore },
      versions: { collector: collectorVersion, telemetrygen: telemetrygenVersion(), node: process.version, moto: motoVersion() },
      git: gitState(),
      conditions: {
        collectorCpu: `taskset -c ${COLLECTOR_CPU} (one core; Go sizes GOMAXPROCS from the affinity mask: 1)`,
        loadCpu: `taskset -c ${LOAD_CPU}: telemetrygen, the Honeycomb stand-in, moto, this runner; the null X-Ray endpoint on CPU ${SINK_CPU}`,
        stepSeconds: STEP_S,
        drainTimeoutSeconds: DRAIN_S,
        keptUpSeconds: KEPT_UP_S,
        warmupSeconds: WARMUP_S,
        stepsSpansPerSecond: STEPS,
        stopAfterFailingSteps: STOP_AFTER,
        spansPerTrace: SPANS_PER_TRACE,
        maxRatePerWorker: MAX_RATE_PER_WORKER,
        clientBatchSize: CLIENT_BATCH,
        sampleIntervalMs: SAMPLE_MS,
        spanShape: `telemetrygen traces, ${String(SPANS_PER_TRACE)} spans per trace (client + server), each with ${String(SPAN_ATTRIBUTES.length + 2)} attributes shaped like the app's request span (${SPAN_ATTRIBUTES.map((a) => a.split('=')[0] ?? a).join(', ')})`,
        collectorEnvironment: 'shipped defaults (OTELCOL_BATCH_TIMEOUT 1s, memory_limiter 80% of host memory, log level info); file_storage in a fresh temp dir per config; moto and the Honeycomb stand-in reset before every step',
      },
      targets: { spansPerSecondPerCore: TARGET_SPANS_PER_CORE, rssMiB: TARGET_RSS_MIB },
      commands: {
        runner: 'make bench-collector   (= taskset -c 0 node bench/collector-throughput.ts)',
        'collector (fan-out)': `taskset -c ${COLLECTOR_CPU} otel-collector/build/otelcol-cruddur ${FAN_OUT_FILES.map((file) => `--config ${path.relative(ROOT, file)}`).join(' ')}`,
        'collector (pass-through)': `taskset -c ${COLLECTOR_CPU} otel-collector/build/otelcol-cruddur --config bench/collector-passthrough-otlp.yaml`,
        'load (10k spans/s shown)': `taskset -c ${LOAD_CPU} telemetrygen ${tgArgs.join(' ')}`,
        moto: `taskset -c ${LOAD_CPU} .tools/venv/bin/moto_server -H 127.0.0.1 -p $PORT`,
        'honeycomb stand-in': `HONEYCOMB_API_KEY=... taskset -c ${LOAD_CPU} .tools/bin/honeycomb-standin -grpc-addr 127.0.0.1:$GRPC -http-addr 127.0.0.1:$HTTP -limit 1000`,
      },
    },
    configs,
  };
  writeFileSync(OUTPUT, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`wrote ${path.relative(process.cwd(), OUTPUT)}\n`);
  for (const line of collectorThroughputRatios(results)) process.stdout.write(`${line}\n`);
}

if (import.meta.main) {
  const sinkFlag = process.argv.indexOf('--xray-sink');
  if (sinkFlag === -1) await main();
  else serveXraySink(Number(process.argv[sinkFlag + 1]));
}
