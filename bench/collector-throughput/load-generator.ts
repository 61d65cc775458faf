/**
 * The load generator: telemetrygen (the contrib OTLP load generator) sending traces shaped like
 * the app's at a given rate, and its own count of what it generated.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

import { repoRoot } from '@cruddur/testkit/paths';
import { commandOutput } from '@cruddur/testkit/processes';
import { startProc, type Proc } from './processes.ts';
import { CHILD_SPANS, CLIENT_BATCH, GO, LOAD_CPU, MAX_RATE_PER_WORKER, SPANS_PER_TRACE } from './settings.ts';

function telemetrygenBinary(): string {
  const fromEnv = process.env.TELEMETRYGEN;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const tools = path.join(repoRoot, '.tools');
  const dir = existsSync(tools)
    ? readdirSync(tools)
        .filter((name) => name.startsWith('telemetrygen-'))
        .sort()
        .pop()
    : undefined;
  if (dir === undefined)
    throw new Error('telemetrygen not found: run `make bench-collector` (or `make telemetrygen`), or set TELEMETRYGEN');
  return path.join(tools, dir, 'telemetrygen');
}
let telemetrygenPath: string | undefined;
/** Resolved on first use, so a missing binary fails with the hint above only when a step needs it. */
export const telemetrygen = (): string => {
  telemetrygenPath ??= telemetrygenBinary();
  return telemetrygenPath;
};

/** Span attributes shaped like the app's request span; telemetrygen adds its own two (network.peer.address, service.peer.name). */
export const SPAN_ATTRIBUTES: readonly string[] = [
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

export function loadShape(target: number): { workers: number; ratePerWorker: number } {
  const workers = Math.max(1, Math.ceil(target / MAX_RATE_PER_WORKER));
  return { workers, ratePerWorker: target / workers };
}

export function telemetrygenArgs(endpoint: string, target: number, seconds: number): string[] {
  const { workers, ratePerWorker } = loadShape(target);
  return [
    'traces',
    '--otlp-endpoint',
    endpoint,
    '--otlp-insecure',
    '--duration',
    `${String(seconds)}s`,
    '--workers',
    String(workers),
    '--rate',
    String(ratePerWorker),
    '--child-spans',
    String(CHILD_SPANS),
    '--batch-size',
    String(CLIENT_BATCH),
    '--service',
    'cruddur-bench',
    ...SPAN_ATTRIBUTES.flatMap((attribute) => ['--telemetry-attributes', attribute]),
    ...RESOURCE_ATTRIBUTES.flatMap((attribute) => ['--otlp-attributes', attribute]),
  ];
}

export interface LoadRun {
  readonly proc: Proc;
  readonly done: Promise<number>;
}

export function startLoad(name: string, endpoint: string, target: number, seconds: number): LoadRun {
  const proc = startProc(name, LOAD_CPU, telemetrygen(), telemetrygenArgs(endpoint, target, seconds));
  const done = new Promise<number>((resolve) => {
    proc.child.once('exit', (code) => resolve(code ?? -1));
  });
  return { proc, done };
}

/** Spans telemetrygen generated, from its per-worker "traces generated" log lines. */
export function generatedSpans(log: string): number {
  let traces = 0;
  for (const match of log.matchAll(/traces generated\s+\{"worker": \d+, "traces": (\d+)\}/g)) traces += Number(match[1]);
  return traces * SPANS_PER_TRACE;
}

export function telemetrygenVersion(): string {
  const info = commandOutput(GO, ['version', '-m', telemetrygen()]);
  const match = /\bmod\s+\S+\/cmd\/telemetrygen\s+(\S+)/.exec(info);
  return match?.[1] ?? process.env.TELEMETRYGEN_VERSION ?? 'unknown';
}
