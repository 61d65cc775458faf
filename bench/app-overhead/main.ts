/**
 * App overhead: what the telemetry costs the app, every variant side by side in one run (the
 * variants: variants.ts). Started by `make bench-app`.
 *
 * Pinning: run this under `taskset -c 0` (make bench does). autocannon runs in this process and
 * the pass-through collector inherits CPU 0; each server is started with `taskset -c 1`, so at
 * saturation the server owns one core and 1/rps is its CPU time per request.
 *
 * Per round, each variant gets a fresh server (fresh in-memory store): GET warm-up, GET at
 * saturation, GET at a fixed rate, then the same for POST. GET goes first because every POST
 * adds to the home feed, which would make later GETs heavier. The variant order rotates per
 * round so slow drift of the machine does not always land on the same variant.
 *
 * Environment: BENCH_ROUNDS (3), BENCH_DURATION (10 s), BENCH_WARMUP (2 s), BENCH_CONNECTIONS
 * (10), BENCH_RATE (1000 req/s), BENCH_VARIANTS (comma list), BENCH_PROFILE (1: profile "ours"),
 * BENCH_LABEL (free text stored with the results), BENCH_NODE_ARGS (extra node flags for every
 * server), BENCH_OUTPUT (results JSON path), BENCH_APP_DIR (another built copy of app/, e.g. the
 * commit before a change, for a before/after comparison), BENCH_MODES (comma list of saturate,
 * rate; both by default: `saturate` alone gives the CPU figures in half the time, for iterating).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, openSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { collectorBin, repoRoot } from '@cruddur/testkit/paths';
import { envList } from '../lib/env.ts';
import { loadAverage, packageVersion, warnIfBusy } from '../lib/host.ts';
import { pacedLoad, runLoad } from '../lib/load.ts';
import { OUT_DIR } from '../lib/paths.ts';
import { freePort } from '@cruddur/testkit/ports';
import { cpuMicros, spawnLogged, stopProcess, waitForOk } from '@cruddur/testkit/processes';
import { percentile, sortedOf } from '@cruddur/testkit/stats';
import { startPassThroughCollector, type PassThroughCollector } from './pass-through.ts';
import { summariseProfile } from './profile-summary.ts';
import { BENCH_USER, loadOptions, PACED_SOCKETS, pacedOptions, POST_BODY } from './requests.ts';
import {
  ENDPOINTS,
  RESULTS_JSON,
  VARIANTS,
  type BenchResults,
  type EndpointName,
  type ExportCount,
  type Measurement,
  type Mode,
  type VariantName,
} from './results.ts';
import { serverCommands, variantSetup } from './variants.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? '3');
const DURATION_S = Number(process.env.BENCH_DURATION ?? '10');
const WARMUP_S = Number(process.env.BENCH_WARMUP ?? '2');
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? '10');
const FIXED_RATE = Number(process.env.BENCH_RATE ?? '1000');
// Extra node flags for every server (all variants alike), e.g. a V8 heap setting under evaluation.
const SERVER_NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
const PROFILE = (process.env.BENCH_PROFILE ?? '1') === '1';
const OUTPUT = path.resolve(process.env.BENCH_OUTPUT ?? RESULTS_JSON);
const SELECTED = envList('BENCH_VARIANTS', VARIANTS);
const MODES = envList('BENCH_MODES', ['saturate', 'rate'] as const);

const APP_DIR = path.resolve(process.env.BENCH_APP_DIR ?? path.join(repoRoot, 'app'));
const SERVER_CPU = '1';

/** The equivalent autocannon command line, for the results file. */
function cliOf(endpoint: EndpointName, rate?: number): string {
  if (rate !== undefined) {
    return `bench/lib/load.ts pacedLoad: open loop, one ${endpoint} every ${String(1000 / rate)} ms for ${String(DURATION_S)} s, up to ${String(PACED_SOCKETS)} keep-alive sockets, latency from write to last byte`;
  }
  const common = `autocannon -c ${String(CONNECTIONS)} -d ${String(DURATION_S)} -H x-cruddur-user-handle=${BENCH_USER}`;
  return endpoint === 'GET /api/activities/home'
    ? `${common} http://127.0.0.1:$PORT/api/activities/home`
    : `${common} -m POST -H content-type=application/json -b '${POST_BODY}' http://127.0.0.1:$PORT/api/activities`;
}

async function measure(
  variant: VariantName,
  round: number,
  endpoint: EndpointName,
  mode: Mode,
  port: number,
  pid: number,
): Promise<Measurement> {
  // Saturation: autocannon, closed loop. Fixed rate: evenly spaced arrivals (pacedLoad; autocannon's
  // -R sends each second's requests in one burst, which measures saturation latency again).
  const load = (seconds: number) =>
    mode === 'rate'
      ? pacedLoad(pacedOptions(port, endpoint, FIXED_RATE, seconds))
      : runLoad(loadOptions(port, endpoint, CONNECTIONS, seconds));
  // Warm-up at the same load shape: JIT, connection set-up and exporter batching settle first.
  const warmup = await load(WARMUP_S);
  const cpuBefore = cpuMicros(pid);
  const wallBefore = process.hrtime.bigint();
  const { result, latenciesMs } = await load(DURATION_S);
  const wallMicros = Number(process.hrtime.bigint() - wallBefore) / 1000;
  const cpuUsed = cpuMicros(pid) - cpuBefore;
  const sorted = sortedOf(latenciesMs);
  const ok = result['2xx'];
  const measurement: Measurement = {
    variant,
    round,
    endpoint,
    mode,
    requests: ok,
    warmupRequests: warmup.result['2xx'],
    rps: ok / result.duration,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    autocannonP99Ms: result.latency.p99,
    serverCpuUsPerRequest: ok === 0 ? Number.NaN : cpuUsed / ok,
    serverCpuUtilisation: cpuUsed / wallMicros,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
  process.stdout.write(
    `  ${variant.padEnd(5)} r${String(round)} ${mode.padEnd(8)} ${endpoint.padEnd(25)} ${measurement.rps.toFixed(0).padStart(6)} req/s  p50 ${measurement.p50Ms.toFixed(3)} ms  p99 ${measurement.p99Ms.toFixed(3)} ms  cpu ${measurement.serverCpuUsPerRequest.toFixed(1)} us/req (${(measurement.serverCpuUtilisation * 100).toFixed(0)}%)${measurement.errors + measurement.non2xx > 0 ? `  ERRORS ${String(measurement.errors)} non2xx ${String(measurement.non2xx)}` : ''}\n`,
  );
  return measurement;
}

async function startServer(variant: VariantName, collector: PassThroughCollector, logFd: number, extraNodeArgs: readonly string[] = []) {
  const port = await freePort();
  const setup = variantSetup(variant, collector.otlpEndpoint);
  const child = spawnLogged(
    'taskset',
    ['-c', SERVER_CPU, process.execPath, ...SERVER_NODE_ARGS, ...extraNodeArgs, ...setup.nodeArgs, 'dist/src/server.js'],
    {
      cwd: APP_DIR,
      // stdout (the JSON access log) goes to /dev/null in every variant alike.
      env: { ...process.env, ...setup.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' },
      logFd,
    },
  );
  await waitForOk(`http://127.0.0.1:${String(port)}/health`, child, 20_000);
  if (child.pid === undefined) throw new Error('server has no pid');
  return { child, port, pid: child.pid };
}

async function main(): Promise<void> {
  mkdirSync(OUT_DIR, { recursive: true });
  mkdirSync(path.dirname(OUTPUT), { recursive: true });
  const logFd = openSync(path.join(OUT_DIR, 'app-overhead.log'), 'w');
  const loadBefore = loadAverage();
  warnIfBusy(loadBefore);

  const collector = await startPassThroughCollector(logFd);
  const measurements: Measurement[] = [];
  const exports: ExportCount[] = [];
  let profile: BenchResults['profile'];
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      const order = SELECTED.map((_, index) => SELECTED[(index + round - 1) % SELECTED.length]).filter((name) => name !== undefined);
      for (const variant of order) {
        const server = await startServer(variant, collector, logFd);
        const countsBefore = await collector.counts();
        const requests: Record<EndpointName, number> = { 'GET /api/activities/home': 0, 'POST /api/activities': 0 };
        try {
          for (const endpoint of ENDPOINTS) {
            for (const mode of MODES) {
              const measurement = await measure(variant, round, endpoint, mode, server.port, server.pid);
              measurements.push(measurement);
              requests[endpoint] += measurement.requests + measurement.warmupRequests;
            }
          }
        } finally {
          // SIGTERM makes the app flush its exporters, so the counts below are complete.
          await stopProcess(server.child, 15_000);
        }
        const countsAfter = await collector.counts();
        exports.push({
          variant,
          round,
          requests,
          spans: countsAfter.spans - countsBefore.spans,
          logRecords: countsAfter.logRecords - countsBefore.logRecords,
          refused: countsAfter.refused - countsBefore.refused,
        });
      }
    }

    if (PROFILE && SELECTED.includes('ours')) {
      // A separate server: the profiler's own cost must not enter the measured figures.
      const profileDir = path.join(OUT_DIR, 'profile');
      rmSync(profileDir, { recursive: true, force: true });
      mkdirSync(profileDir, { recursive: true });
      const server = await startServer('ours', collector, logFd, [
        '--cpu-prof',
        `--cpu-prof-dir=${profileDir}`,
        '--cpu-prof-name=ours.cpuprofile',
      ]);
      try {
        process.stdout.write('profiling "ours" (node --cpu-prof) at saturation, GET then POST\n');
        for (const endpoint of ENDPOINTS) await runLoad(loadOptions(server.port, endpoint, CONNECTIONS, DURATION_S));
      } finally {
        await stopProcess(server.child, 15_000);
      }
      const file = readdirSync(profileDir).find((name) => name.endsWith('.cpuprofile'));
      if (file !== undefined) profile = summariseProfile(path.join(profileDir, file));
    }
  } finally {
    await collector.stop();
  }

  const collectorVersion = execFileSync(collectorBin, ['--version'], { encoding: 'utf8' }).trim();
  const results: BenchResults = {
    meta: {
      date: new Date().toISOString(),
      label: process.env.BENCH_LABEL ?? '',
      host: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, kernel: os.release(), loadBefore },
      versions: {
        node: process.version,
        autocannon: packageVersion('autocannon'),
        '@opentelemetry/sdk-node': packageVersion('@opentelemetry/sdk-node'),
        '@opentelemetry/sdk-trace': packageVersion('@opentelemetry/sdk-trace'),
        '@opentelemetry/instrumentation-http': packageVersion('@opentelemetry/instrumentation-http'),
        '@opentelemetry/auto-instrumentations-node': packageVersion('@opentelemetry/auto-instrumentations-node'),
        express: packageVersion('express'),
        pino: packageVersion('pino'),
        collector: collectorVersion,
      },
      settings: {
        connections: CONNECTIONS,
        durationS: DURATION_S,
        warmupS: WARMUP_S,
        rounds: ROUNDS,
        fixedRate: FIXED_RATE,
        ...(SERVER_NODE_ARGS.length > 0 ? { serverNodeArgs: SERVER_NODE_ARGS.join(' ') } : {}),
      },
      pinning: `server: taskset -c ${SERVER_CPU}; runner + autocannon + pass-through collector: CPU 0 (taskset -c 0 on the runner)`,
      commands: {
        runner: 'taskset -c 0 node bench/app-overhead/main.ts   (make bench)',
        ...serverCommands(),
        collector:
          'otelcol-cruddur --config bench/app-overhead/pass-through.yaml   (otlp grpc receiver -> debug exporter, verbosity basic)',
        'load GET (saturate)': cliOf('GET /api/activities/home'),
        'load POST (saturate)': cliOf('POST /api/activities'),
        'load GET (fixed rate)': cliOf('GET /api/activities/home', FIXED_RATE),
        'load POST (fixed rate)': cliOf('POST /api/activities', FIXED_RATE),
      },
    },
    measurements,
    exports,
    ...(profile === undefined ? {} : { profile }),
  };
  writeFileSync(OUTPUT, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`wrote ${path.relative(process.cwd(), OUTPUT)}\n`);
}

await main();
