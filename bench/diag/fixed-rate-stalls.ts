/**
 * Diagnostic (not part of `make bench`): where the fixed-rate p99 of app-overhead/main.ts comes from.
 *
 * Runs the app at an evenly paced rate (pacedLoad) under a few telemetry setups, with
 * loop-monitor.ts preloaded in the server, and lines the slow requests up against what the server
 * and this runner were doing at the time: a server event-loop stall (and whether a GC pause or an
 * export's serialisation falls inside it), or a stall of this runner's own loop (the client side
 * was late reading the response). Same pinning as app-overhead/main.ts: server on CPU 1, this runner and
 * the pass-through collector on CPU 0 (run it under `taskset -c 0`).
 *
 *   taskset -c 0 node bench/diag/fixed-rate-stalls.ts
 *
 * Environment: DIAG_SETUPS (comma list of the names below), DIAG_ENDPOINT (GET|POST, default
 * POST), DIAG_RATE (1000), DIAG_SECONDS (10), DIAG_PRELOAD (seconds of the same endpoint at saturation
 * before the paced run, as app-overhead/main.ts's saturation phase precedes its fixed-rate one; default 12), DIAG_EXTRA_ENV (k=v,k=v added to
 * every setup), DIAG_NODE_ARGS (space-separated extra node flags for the server), DIAG_SERVER_CPUS
 * (taskset list for the server, default 1; 0,1 lets its GC and compiler threads use the other core),
 * DIAG_SERVER_STDOUT=1 (the server's stdout, e.g. `--trace-gc` output, into bench/out/fixed-rate-stalls.log;
 * set LOG_LEVEL=warn in DIAG_EXTRA_ENV to keep the access log out of it), DIAG_SHOW_STALLS (how many
 * of the longest server stalls to list per setup, with what fell inside them; default 5), DIAG_APP_DIR
 * (another built copy of app/, e.g. the commit before a change; default app/).
 */
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { startPassThroughCollector } from '../app-overhead/pass-through.ts';
import { loadOptions, pacedOptions } from '../app-overhead/requests.ts';
import type { EndpointName } from '../app-overhead/results.ts';
import { type VariantSetup, variantSetup } from '../app-overhead/variants.ts';
import { shippedTelemetryEnv } from '../lib/compose.ts';
import { pacedLoad, runLoad } from '../lib/load.ts';
import { repoRoot } from '@cruddur/testkit/paths';
import { OUT_DIR } from '../lib/paths.ts';
import { freePort } from '@cruddur/testkit/ports';
import { spawnLogged, stopProcess, waitForOk } from '@cruddur/testkit/processes';
import { percentile, sortedOf } from '@cruddur/testkit/stats';
import { type Interval, watchLoop } from './loop-watch.ts';

/** The shipped bootstrap with these variables (the diagnostic's own setups). */
const shipped = (env: Record<string, string>): VariantSetup => ({ nodeArgs: ['--require', './dist/src/telemetry/register.js'], env });

// bare, floor and ours are bench-app's variants (app-overhead/variants.ts); the others exist only here.
const SETUPS: Record<string, (otlp: string) => VariantSetup> = {
  bare: (otlp) => variantSetup('bare', otlp),
  floor: (otlp) => variantSetup('floor', otlp),
  'instrumented-no-export': () => shipped({ ...shippedTelemetryEnv(), OTEL_TRACES_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' }),
  'traces-only': (otlp) => shipped({ ...shippedTelemetryEnv(), OTEL_EXPORTER_OTLP_ENDPOINT: otlp, OTEL_LOGS_EXPORTER: 'none' }),
  'logs-only': (otlp) => shipped({ ...shippedTelemetryEnv(), OTEL_EXPORTER_OTLP_ENDPOINT: otlp, OTEL_TRACES_EXPORTER: 'none' }),
  ours: (otlp) => variantSetup('ours', otlp),
};

const selected = (process.env.DIAG_SETUPS ?? 'bare,ours').split(',').map((name) => name.trim());
const endpoint: EndpointName = (process.env.DIAG_ENDPOINT ?? 'POST') === 'GET' ? 'GET /api/activities/home' : 'POST /api/activities';
const rate = Number(process.env.DIAG_RATE ?? '1000');
const seconds = Number(process.env.DIAG_SECONDS ?? '10');
const preloadSeconds = Number(process.env.DIAG_PRELOAD ?? '12');
const extraEnv = Object.fromEntries(
  (process.env.DIAG_EXTRA_ENV ?? '')
    .split(',')
    .filter((pair) => pair.includes('='))
    .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
);
const serverCpus = process.env.DIAG_SERVER_CPUS ?? '1';
const extraNodeArgs = (process.env.DIAG_NODE_ARGS ?? '').split(' ').filter(Boolean);

const APP_DIR = path.resolve(process.env.DIAG_APP_DIR ?? path.join(repoRoot, 'app'));

const overlaps = (a: Interval, from: number, to: number): boolean => a.at < to && a.at + a.ms > from;

async function runSetup(name: string, otlp: string, serverLogFd: number): Promise<void> {
  const setup = SETUPS[name];
  if (setup === undefined) throw new Error(`unknown setup ${name}; known: ${Object.keys(SETUPS).join(', ')}`);
  const port = await freePort();
  const monitorOut = path.join(OUT_DIR, `loop-monitor-${name}.json`);
  const { nodeArgs, env } = setup(otlp);
  const child = spawnLogged(
    'taskset',
    [
      '-c',
      serverCpus,
      process.execPath,
      ...extraNodeArgs,
      '--import',
      path.join(repoRoot, 'bench', 'diag', 'loop-monitor.ts'),
      ...nodeArgs,
      'dist/src/server.js',
    ],
    {
      cwd: APP_DIR,
      env: {
        ...process.env,
        ...env,
        ...extraEnv,
        LOOP_MONITOR_OUT: monitorOut,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
      },
      logFd: serverLogFd,
      stdoutToLog: process.env.DIAG_SERVER_STDOUT === '1',
    },
  );
  await waitForOk(`http://127.0.0.1:${String(port)}/health`, child, 20_000);
  try {
    if (preloadSeconds > 0) {
      await runLoad(loadOptions(port, endpoint, 10, preloadSeconds));
    }
    await pacedLoad(pacedOptions(port, endpoint, rate, 2));
    const runnerStalls: Interval[] = [];
    const stopWatching = watchLoop(runnerStalls);
    const measured = await pacedLoad(pacedOptions(port, endpoint, rate, seconds));
    stopWatching();
    await stopProcess(child, 15_000);
    const server = JSON.parse(readFileSync(monitorOut, 'utf8')) as { stalls: Interval[]; gc: Interval[]; exports: Interval[] };
    report(name, measured.latenciesMs, measured.sentAtEpochMs ?? new Float64Array(), server, runnerStalls);
  } finally {
    await stopProcess(child, 15_000);
  }
}

function report(
  name: string,
  latencies: Float64Array,
  sentAt: Float64Array,
  server: { stalls: Interval[]; gc: Interval[]; exports: Interval[] },
  runnerStalls: Interval[],
): void {
  const sorted = sortedOf(latencies);
  const p99 = percentile(sorted, 99);
  const slow: Interval[] = [];
  latencies.forEach((ms, index) => {
    if (ms > 10) slow.push({ at: sentAt[index] ?? 0, ms });
  });
  const from = sentAt[0] ?? 0;
  const to = (sentAt.at(-1) ?? 0) + 1000;
  const inWindow = (list: Interval[]) => list.filter((item) => item.at >= from && item.at <= to);
  const serverStalls = inWindow(server.stalls);
  const gcs = inWindow(server.gc);
  const exportsInWindow = inWindow(server.exports);
  let byServer = 0;
  let byRunner = 0;
  for (const request of slow) {
    if (serverStalls.some((stall) => overlaps(stall, request.at, request.at + request.ms))) byServer += 1;
    else if (runnerStalls.some((stall) => overlaps(stall, request.at, request.at + request.ms))) byRunner += 1;
  }
  // Something fell inside a stall: overlaps it, give or take 1 ms.
  const inside = (stall: Interval, list: Interval[]) => list.filter((item) => overlaps(item, stall.at - 1, stall.at + stall.ms + 1));
  const explained = (stall: Interval, list: Interval[]) => inside(stall, list).length > 0;
  const sum = (list: Interval[]) => list.reduce((total, item) => total + item.ms, 0);
  const max = (list: Interval[]) => list.reduce((top, item) => Math.max(top, item.ms), 0);
  const majorGc = gcs.filter((item) => item.kind === 'major');
  // Did requests leave this runner evenly? The most sent within any 5 ms (even pacing: rate/200).
  const sends = sortedOf(sentAt);
  let burst = 0;
  for (let head = 0, tail = 0; head < sends.length; head++) {
    while ((sends[head] ?? 0) - (sends[tail] ?? 0) > 5) tail += 1;
    burst = Math.max(burst, head - tail + 1);
  }
  // Old-space growth over the minor GCs (majors shrink it): roughly what scavenges promoted.
  let promotedMb = 0;
  for (let index = 1; index < gcs.length; index++) {
    const current = gcs[index];
    const previous = gcs[index - 1];
    if (current?.kind === 'minor' && current.oldUsedMb !== undefined && previous?.oldUsedMb !== undefined)
      promotedMb += Math.max(0, current.oldUsedMb - previous.oldUsedMb);
  }
  const windowS = (to - from) / 1000;
  const line = [
    `${name.padEnd(24)} p50 ${percentile(sorted, 50).toFixed(2)} p99 ${p99.toFixed(2)} max ${(sorted.at(-1) ?? 0).toFixed(1)} ms; >10 ms: ${String(slow.length)} (server stall ${String(byServer)}, runner stall ${String(byRunner)}, neither ${String(slow.length - byServer - byRunner)})`,
    `    server stalls >5 ms: ${String(serverStalls.length)} (sum ${sum(serverStalls).toFixed(0)} ms, max ${max(serverStalls).toFixed(1)}); with a GC pause inside: ${String(serverStalls.filter((stall) => explained(stall, gcs)).length)}, with an export call inside: ${String(serverStalls.filter((stall) => explained(stall, exportsInWindow)).length)}`,
    `    gc: ${String(gcs.length)} pauses, ${sum(gcs).toFixed(0)} ms total, max ${max(gcs).toFixed(1)} ms, major ${String(majorGc.length)} (${sum(majorGc).toFixed(0)} ms), promoted ~${(promotedMb / windowS).toFixed(1)} MB/s, new space ${(gcs.at(-1)?.newSizeMb ?? 0).toFixed(0)} MB; exports: ${String(exportsInWindow.length)} calls, sync part ${sum(exportsInWindow).toFixed(0)} ms total, max ${max(exportsInWindow).toFixed(1)} ms`,
    `    runner stalls >5 ms: ${String(runnerStalls.length)} (sum ${sum(runnerStalls).toFixed(0)} ms, max ${max(runnerStalls).toFixed(1)}); most requests sent within 5 ms: ${String(burst)}`,
  ];
  process.stdout.write(`${line.join('\n')}\n`);
  const worst = [...serverStalls]
    .sort((a, b) => b.ms - a.ms)
    .slice(0, Number(process.env.DIAG_SHOW_STALLS ?? '5'))
    .sort((a, b) => a.at - b.at);
  for (const stall of worst) {
    const recorded = inside(stall, [...gcs, ...exportsInWindow]).map((item) => `${item.kind ?? '?'} ${item.ms.toFixed(1)}ms`);
    process.stdout.write(
      `      stall ${stall.ms.toFixed(1)} ms at +${(stall.at - from).toFixed(0)} ms: ${recorded.join(', ') || 'nothing recorded'}\n`,
    );
  }
}

mkdirSync(OUT_DIR, { recursive: true });
const logFd = openSync(path.join(OUT_DIR, 'fixed-rate-stalls.log'), 'w');
const collector = await startPassThroughCollector(logFd);
try {
  process.stdout.write(
    `${endpoint} at ${String(rate)} req/s for ${String(seconds)} s, after ${String(preloadSeconds)} s of it at saturation\n`,
  );
  for (const name of selected) await runSetup(name, collector.otlpEndpoint, logFd);
} finally {
  await collector.stop();
}
