/**
 * Issue 6, deliverable 3: end-to-end freshness. How long after an HTTP response its trace can be
 * read back from X-Ray and its access-log record from CloudWatch Logs, through the real compose
 * stack (app -> collector sidecar -> moto standing in for both AWS services).
 *
 * Per variant (batching settings), one fresh stack from the images `make images` built
 * (test/integration/stack.ts: the real docker-compose.yml, `local` profile, free ports):
 *   1. open-loop traffic at a steady rate: GET /api/activities/home, GET /api/activities/@andrewbrown
 *      and POST /api/activities in a fixed 2:1:1 mix, each request with its own X-Ray-compatible
 *      trace id in a `traceparent` header (tools/trace-ids.ts), the response-complete time recorded;
 *   2. meanwhile two pollers, every POLL_MS each, ask moto for what is new:
 *        X-Ray       GetTraceSummaries over [oldest still-unseen request - 2 s, now + 60 s]
 *        CloudWatch  FilterLogEvents on the app's log group from the same oldest unseen time,
 *                    matching the access-log record (attributes["log.type"] == "access") by trace_id
 *      so each poll reads a few seconds of data, not the whole run (moto scans everything it holds
 *      per call; the window keeps the answer, its JSON and our parsing small);
 *   3. after the last request, polling continues until everything is seen or DRAIN_S passed; a
 *      final sweep (BatchGetTraces, a full FilterLogEvents) tells "late" (there, but after the
 *      drain) from "lost" (not there at all).
 * Freshness = first poll answer that contains the item - response complete, both on this host's
 * clock. It is an upper bound: the item became readable somewhere in the poll interval before.
 *
 * Variants (FRESHNESS_VARIANTS, comma list; default all three):
 *   compose-defaults  the dev profile as `make up` runs it: the app's batch delays are the defaults
 *                     docker-compose.yml gives OTEL_BSP/BLRP_SCHEDULE_DELAY, the collector runs the
 *                     shipped config files unchanged (read from the files, not hard-coded here)
 *   app-1000ms        the app's two schedule delays at 1000 ms: the dev profile before this
 *                     benchmark (p95 2.05 s), kept beside it so each run shows what the change buys
 *   all-200ms         app 200 ms and OTELCOL_BATCH_TIMEOUT=200ms, which docker-compose.yml passes to
 *                     the collector, so every config value that reads it runs at 200 ms
 * Every variant sets OTELCOL_BATCH_TIMEOUT itself (the compose default unless 200 ms), so the
 * stack's own pinned value never decides it.
 * Each variant's collector batching stage per backend (batch processor or exporter queue batcher,
 * its timeout) is read from the config files stack.ts loads, so the timer model that the report
 * compares with follows the files.
 *
 * Environment: FRESHNESS_RATE (15 req/s), FRESHNESS_DURATION (60 s measured), FRESHNESS_WARMUP
 * (5 s, same traffic, not measured), FRESHNESS_POLL_MS (100), FRESHNESS_DRAIN_S (20),
 * FRESHNESS_VARIANTS, FRESHNESS_LABEL (free text stored with the results), FRESHNESS_OUTPUT
 * (default docs/bench/results/freshness.json), FRESHNESS_APP_IMAGE (another app image, e.g. a candidate
 * fix, instead of cruddur/app:dev).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { GetTraceSummariesCommand, XRayClient } from '@aws-sdk/client-xray';
import { parse as parseYaml } from 'yaml';

import type { Stack, StackOptions } from '../test/integration/stack.ts';
import { inspectContainer, serviceContainerId } from '../test/reliability/support/docker.ts';
import { clientConfig, logGroupEvents, logGroupPages, tracesInXray } from '../tools/backends.ts';
import { fromXrayTraceId, newXrayCompatibleTraceId, traceparent } from '../tools/trace-ids.ts';
import {
  BACKENDS,
  freshnessRatios,
  TARGET_P95_MS,
  FRESHNESS_JSON,
  timerModel,
  VARIANT_NAMES,
  type BackendFreshness,
  type BackendName,
  type CollectorStage,
  type FreshnessResults,
  type FreshnessSettings,
  type FreshnessVariantName,
  type FreshnessVariantResult,
  type PollStats,
} from './freshness-report.ts';
import { composeDefaults, resolveVariables } from './lib/compose.ts';
import { loadAverage, packageVersion } from './lib/host.ts';
import { ROOT } from './lib/paths.ts';
import { commandOutput, sleep } from './lib/process.ts';
import { percentile, round, sortedOf } from './lib/stats.ts';

// ---- settings: read from the files `make up` uses -----------------------------------------------

const LOG_GROUP = 'cruddur';
/** Another app image to measure (e.g. a candidate fix), instead of the one `make images` built. */
const APP_IMAGE = process.env['FRESHNESS_APP_IMAGE'];
const FAST_MS = 200;

/** Collector durations as the config writes them: 200ms, 1s, 1m. */
function durationMs(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(value.trim());
  if (match?.[1] === undefined) throw new Error(`unsupported duration ${value}`);
  const factor = match[2] === 'ms' ? 1 : match[2] === 's' ? 1000 : 60_000;
  return Number(match[1]) * factor;
}

type YamlMap = Record<string, unknown>;
const isMap = (value: unknown): value is YamlMap => typeof value === 'object' && value !== null && !Array.isArray(value);

function readYaml(relative: string): YamlMap {
  return parseYaml(readFileSync(path.join(ROOT, relative), 'utf8')) as YamlMap;
}

function child(node: unknown, key: string): unknown {
  return isMap(node) ? node[key] : undefined;
}

function at(root: unknown, keys: readonly string[]): unknown {
  return keys.reduce<unknown>((node, key) => child(node, key), root);
}

/** The collector's confmap merge: maps merge key by key, anything else is replaced by the later file. */
function merge(into: unknown, from: unknown): unknown {
  if (!isMap(into) || !isMap(from)) return from;
  const out: YamlMap = { ...into };
  for (const [key, value] of Object.entries(from)) out[key] = merge(out[key], value);
  return out;
}

/** Where stack.ts's container paths live in the repository. */
function repoPathOf(containerPath: string): string {
  if (containerPath.startsWith('/etc/otelcol/')) return `otel-collector/config/${containerPath.slice('/etc/otelcol/'.length)}`;
  if (containerPath.startsWith('/etc/xray-daemon/')) return `xray-daemon/${containerPath.slice('/etc/xray-daemon/'.length)}`;
  throw new Error(`unknown collector config path ${containerPath}`);
}

/** The pipeline each measured backend is fed by. */
const PIPELINES: Record<BackendName, string> = { xray: 'traces/xray', cloudwatch: 'logs/cloudwatch' };

/**
 * The first stage of a pipeline that holds data back: a `batch` processor, else the first
 * exporter's `sending_queue.batch`. (Defaults as the collector documents them.)
 */
function batchingStage(config: unknown, pipeline: string, env: Readonly<Record<string, string>>): CollectorStage {
  const definition = at(config, ['service', 'pipelines', pipeline]);
  if (!isMap(definition)) throw new Error(`pipeline ${pipeline} is not in the collector configuration`);
  const processors = (definition['processors'] as string[] | undefined) ?? [];
  const exporters = (definition['exporters'] as string[] | undefined) ?? [];
  const processor = processors.find((name) => name === 'batch' || name.startsWith('batch/'));
  if (processor !== undefined) {
    const settings = at(config, ['processors', processor]);
    return {
      pipeline,
      component: `processor ${processor}`,
      kind: 'batch processor',
      timeoutMs: durationMs(resolveVariables(child(settings, 'timeout'), env) ?? '200ms'),
      sizeTrigger: Number(resolveVariables(child(settings, 'send_batch_size'), env) ?? '8192'),
      exporters,
    };
  }
  for (const exporter of exporters) {
    const batch = at(config, ['exporters', exporter, 'sending_queue', 'batch']);
    if (!isMap(batch)) continue;
    return {
      pipeline,
      component: `exporter ${exporter} sending_queue.batch`,
      kind: 'queue batcher',
      timeoutMs: durationMs(resolveVariables(batch['flush_timeout'], env) ?? '200ms'),
      sizeTrigger: Number(resolveVariables(batch['min_size'], env) ?? '8192'),
      exporters,
      exporter,
    };
  }
  return { pipeline, component: 'none', kind: 'none', timeoutMs: 0, sizeTrigger: 0, exporters };
}

export interface Shipped {
  readonly bspMs: number;
  readonly blrpMs: number;
  /** The merged collector configuration as stack.ts loads it, unresolved. */
  readonly collectorConfig: unknown;
  /** What docker-compose.yml puts in the collector's environment (defaults applied). */
  readonly collectorEnv: Readonly<Record<string, string>>;
}

export function shipped(configFiles: readonly string[]): Shipped {
  const appEnv = composeDefaults('app');
  const delay = (name: string): number => {
    const value = Number(appEnv[name]);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`docker-compose.yml: no default for ${name}`);
    return value;
  };
  return {
    bspMs: delay('OTEL_BSP_SCHEDULE_DELAY'),
    blrpMs: delay('OTEL_BLRP_SCHEDULE_DELAY'),
    collectorConfig: configFiles.map((file) => readYaml(repoPathOf(file))).reduce<unknown>((merged, next) => merge(merged, next), {}),
    collectorEnv: composeDefaults('otel-collector'),
  };
}

export interface VariantPlan {
  readonly name: FreshnessVariantName;
  readonly description: string;
  readonly settings: FreshnessSettings;
}

export function plans(base: Shipped): VariantPlan[] {
  const composeTimeout = base.collectorEnv['OTELCOL_BATCH_TIMEOUT'];
  // The variants set the collector's timers through this variable; compose must hand it on.
  if (composeTimeout === undefined) throw new Error('docker-compose.yml does not pass OTELCOL_BATCH_TIMEOUT to otel-collector');
  const settings = (bsp: number, blrp: number, fastTimers: boolean): FreshnessSettings => {
    // Set in every variant, so stack.ts's pinned value never stands in for the compose default.
    const batchTimeout = fastTimers ? `${String(FAST_MS)}ms` : composeTimeout;
    const collectorEnv = { ...base.collectorEnv, OTELCOL_BATCH_TIMEOUT: batchTimeout };
    return {
      appBspScheduleDelayMs: bsp,
      appBlrpScheduleDelayMs: blrp,
      appMaxExportBatchSize: 512, // SDK default: compose sets no OTEL_BSP/BLRP_MAX_EXPORT_BATCH_SIZE
      collector: {
        xray: batchingStage(base.collectorConfig, PIPELINES.xray, collectorEnv),
        cloudwatch: batchingStage(base.collectorConfig, PIPELINES.cloudwatch, collectorEnv),
      },
      batchTimeoutFromCompose: composeTimeout,
      composeEnv: {
        OTEL_BSP_SCHEDULE_DELAY: String(bsp),
        OTEL_BLRP_SCHEDULE_DELAY: String(blrp),
        OTELCOL_BATCH_TIMEOUT: batchTimeout,
        ...(APP_IMAGE === undefined ? {} : { APP_IMAGE }),
      },
    };
  };
  return [
    {
      name: 'compose-defaults',
      description: 'the dev profile as `make up` runs it: compose defaults for the app, the collector files as they are',
      settings: settings(base.bspMs, base.blrpMs, false),
    },
    {
      name: 'app-1000ms',
      description: 'app schedule delays 1000 ms (the compose defaults before this benchmark), collector files as they are',
      settings: settings(1000, 1000, false),
    },
    {
      name: 'all-200ms',
      description: 'app schedule delays 200 ms and every collector timer that reads OTELCOL_BATCH_TIMEOUT at 200 ms',
      settings: settings(FAST_MS, FAST_MS, true),
    },
  ];
}

// ---- traffic ----------------------------------------------------------------------------------------

const now = (): number => performance.timeOrigin + performance.now();

type RequestKind = 'GET /api/activities/home' | 'GET /api/activities/@andrewbrown' | 'POST /api/activities';
const MIX: readonly RequestKind[] = ['GET /api/activities/home', 'GET /api/activities/@andrewbrown', 'GET /api/activities/home', 'POST /api/activities'];

interface Sent {
  readonly traceId: string;
  readonly kind: RequestKind;
  readonly warmup: boolean;
  readonly sentAt: number;
  respondedAt?: number;
  /** HTTP status; 0 = no response (network error or timeout). */
  status?: number;
  seen: Partial<Record<BackendName, number>>;
}

/** A request answered with a 2xx: the ones whose trace and access log are expected in the backends. */
type Answered = Sent & { readonly respondedAt: number };
const answered = (sent: Sent): sent is Answered => sent.respondedAt !== undefined && sent.status !== undefined && sent.status >= 200 && sent.status < 300;

async function drive(appUrl: string, kind: RequestKind, index: number, sent: Sent): Promise<void> {
  const headers: Record<string, string> = { traceparent: traceparent(sent.traceId) };
  const [method, route] = kind.split(' ') as [string, string];
  let body: string | undefined;
  if (method === 'POST') {
    headers['content-type'] = 'application/json';
    headers['x-cruddur-user-handle'] = 'garek';
    body = JSON.stringify({ message: `freshness probe ${String(index)}`, ttl: '1-hour' });
  } else {
    headers['x-cruddur-user-handle'] = 'worf';
  }
  try {
    const response = await fetch(`${appUrl}${route}`, { method, headers, signal: AbortSignal.timeout(10_000), ...(body === undefined ? {} : { body }) });
    await response.arrayBuffer();
    sent.respondedAt = now();
    sent.status = response.status;
  } catch {
    sent.status = 0;
  }
}

// ---- polling --------------------------------------------------------------------------------------

interface Poller {
  readonly stats: { polls: number; errors: number; firstError?: string; roundTrips: number[]; items: number };
  done: Promise<void>;
}

/** Requests not yet seen by one backend, with the oldest send time bounding the poll window. */
class Pending {
  readonly #items = new Map<string, Sent>();
  add(sent: Sent): void {
    this.#items.set(sent.traceId, sent);
  }
  take(traceId: string): Sent | undefined {
    const sent = this.#items.get(traceId);
    if (sent !== undefined) this.#items.delete(traceId);
    return sent;
  }
  /** Oldest send time among the pending, ignoring those older than `capMs` (late or lost: the sweep decides). */
  oldest(capMs: number): number | undefined {
    const floor = now() - capMs;
    let oldest: number | undefined;
    for (const sent of this.#items.values()) if (sent.sentAt >= floor && (oldest === undefined || sent.sentAt < oldest)) oldest = sent.sentAt;
    return oldest;
  }
}

const WINDOW_MARGIN_MS = 2000;
const WINDOW_CAP_MS = 30_000;

function startPoller(intervalMs: number, stopped: () => boolean, once: () => Promise<number | undefined>): Poller {
  const stats: Poller['stats'] = { polls: 0, errors: 0, roundTrips: [], items: 0 };
  const loop = async (): Promise<void> => {
    while (!stopped()) {
      const started = now();
      try {
        const items = await once();
        if (items !== undefined) {
          stats.polls += 1;
          stats.items += items;
          stats.roundTrips.push(now() - started);
        }
      } catch (error) {
        stats.errors += 1;
        stats.firstError ??= error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      }
      const wait = started + intervalMs - now();
      if (wait > 0) await sleep(wait);
    }
  };
  return { stats, done: loop() };
}

function xrayPoll(client: XRayClient, pending: Pending): () => Promise<number | undefined> {
  return async () => {
    const oldest = pending.oldest(WINDOW_CAP_MS);
    if (oldest === undefined) return undefined;
    let items = 0;
    let token: string | undefined;
    do {
      const out = await client.send(
        new GetTraceSummariesCommand({ StartTime: new Date(oldest - WINDOW_MARGIN_MS), EndTime: new Date(now() + 60_000), ...(token === undefined ? {} : { NextToken: token }) }),
      );
      const seenAt = now();
      const summaries = out.TraceSummaries ?? [];
      for (const summary of summaries) {
        if (summary.Id === undefined) continue;
        const sent = pending.take(fromXrayTraceId(summary.Id));
        if (sent !== undefined) sent.seen.xray = seenAt;
      }
      items += summaries.length;
      token = out.NextToken;
    } while (token !== undefined);
    return items;
  };
}

function cloudwatchPoll(client: CloudWatchLogsClient, pending: Pending): () => Promise<number | undefined> {
  return async () => {
    const oldest = pending.oldest(WINDOW_CAP_MS);
    if (oldest === undefined) return undefined;
    let items = 0;
    for await (const events of logGroupPages(client, LOG_GROUP, Math.floor(oldest - WINDOW_MARGIN_MS))) {
      const seenAt = now();
      for (const { message } of events) {
        if (message.trace_id === undefined || message.attributes?.['log.type'] !== 'access') continue;
        const sent = pending.take(message.trace_id);
        if (sent !== undefined) sent.seen.cloudwatch = seenAt;
      }
      items += events.length;
    }
    return items;
  };
}

// ---- statistics ---------------------------------------------------------------------------------

function pollStats(stats: Poller['stats']): PollStats {
  const trips = sortedOf(stats.roundTrips);
  return {
    polls: stats.polls,
    errors: stats.errors,
    ...(stats.firstError === undefined ? {} : { firstError: stats.firstError }),
    p50RoundTripMs: finite(percentile(trips, 50)),
    p95RoundTripMs: finite(percentile(trips, 95)),
    maxRoundTripMs: finite(trips[trips.length - 1]),
    meanItemsPerPoll: round(stats.polls === 0 ? 0 : stats.items / stats.polls),
  };
}

/** Rounded to 0.1 ms; infinity (late/lost), NaN (nothing measured) and undefined become null. */
const finite = (value: number | undefined): number | null => (value !== undefined && Number.isFinite(value) ? round(value) : null);
const HISTOGRAM_BIN_MS = 100;

/**
 * Median time between successive deliveries: items that first appeared in the same poll answer
 * arrived together. It shows the slowest timer on the path (a span or record cannot reach the
 * backend more often than its slowest batching stage lets it), whatever the settings claim.
 */
function deliveryPeriod(seenTimes: readonly (number | undefined)[]): number | null {
  const distinct = [...new Set(seenTimes.filter((value): value is number => value !== undefined))].sort((a, b) => a - b);
  const gaps = distinct.slice(1).map((value, index) => value - (distinct[index] ?? value));
  return finite(percentile(sortedOf(gaps), 50));
}

function backendFreshness(measured: readonly Answered[], backend: BackendName, presentAfterDrain: ReadonlySet<string>): BackendFreshness {
  const latencies = measured.map((sent) => {
    const seenAt = sent.seen[backend];
    return seenAt === undefined ? null : seenAt - sent.respondedAt;
  });
  const seenValues = latencies.filter((value): value is number => value !== null);
  const unseen = measured.filter((_sent, index) => latencies[index] === null);
  const late = unseen.filter((sent) => presentAfterDrain.has(sent.traceId)).length;
  // Late and lost sort last (+infinity), so they show in the upper percentiles instead of vanishing.
  const all = sortedOf([...seenValues, ...unseen.map(() => Number.POSITIVE_INFINITY)]);
  const counts: number[] = [];
  for (const value of seenValues) {
    const bin = Math.max(0, Math.floor(value / HISTOGRAM_BIN_MS));
    while (counts.length <= bin) counts.push(0);
    counts[bin] = (counts[bin] ?? 0) + 1;
  }
  const seenSorted = sortedOf(seenValues);
  return {
    measured: measured.length,
    seen: seenValues.length,
    late,
    lost: unseen.length - late,
    p50Ms: finite(percentile(all, 50)),
    p95Ms: finite(percentile(all, 95)),
    p99Ms: finite(percentile(all, 99)),
    maxMs: finite(all[all.length - 1]),
    minMs: finite(seenSorted[0]),
    meanMs: finite(seenValues.reduce((a, b) => a + b, 0) / seenValues.length),
    histogram: { binMs: HISTOGRAM_BIN_MS, counts },
    deliveryPeriodMs: deliveryPeriod(measured.map((sent) => sent.seen[backend])),
    latenciesMs: latencies.map((value) => (value === null ? null : round(value))),
  };
}

// ---- one variant -------------------------------------------------------------------------------------

interface RunConfig {
  readonly rate: number;
  readonly durationS: number;
  readonly warmupS: number;
  readonly pollMs: number;
  readonly drainS: number;
}

type StartStack = (options: StackOptions) => Promise<Stack>;

async function runVariant(plan: VariantPlan, config: RunConfig, startStack: StartStack): Promise<FreshnessVariantResult> {
  const startedAt = new Date().toISOString();
  const stackStarted = now();
  const stages = plan.settings.collector;
  process.stdout.write(
    `\n[${plan.name}] starting the stack (app BSP/BLRP ${String(plan.settings.appBspScheduleDelayMs)}/${String(plan.settings.appBlrpScheduleDelayMs)} ms; collector X-Ray ${stages.xray.kind} ${String(stages.xray.timeoutMs)} ms, CloudWatch ${stages.cloudwatch.kind} ${String(stages.cloudwatch.timeoutMs)} ms)\n`,
  );
  const stack = await startStack({ projectPrefix: 'cruddur-bench-freshness', env: plan.settings.composeEnv });
  // One attempt: a failed poll is simply the next poll, and hidden SDK retries would blur the timing.
  const xray = new XRayClient(clientConfig(stack.aws, { maxAttempts: 1 }));
  const logs = new CloudWatchLogsClient(clientConfig(stack.aws, { maxAttempts: 1 }));
  try {
    const stackStartS = (now() - stackStarted) / 1000;
    const collectorArgs = await containerArgs(stack.projectName, 'otel-collector');
    process.stdout.write(`[${plan.name}] stack up in ${stackStartS.toFixed(1)} s (${stack.projectName}); warm-up ${String(config.warmupS)} s, then ${String(config.durationS)} s at ${String(config.rate)} req/s\n`);

    const pending: Record<BackendName, Pending> = { xray: new Pending(), cloudwatch: new Pending() };
    let stopPolling = false;
    const pollers: Record<BackendName, Poller> = {
      xray: startPoller(config.pollMs, () => stopPolling, xrayPoll(xray, pending.xray)),
      cloudwatch: startPoller(config.pollMs, () => stopPolling, cloudwatchPoll(logs, pending.cloudwatch)),
    };

    const all: Sent[] = [];
    const inFlight: Promise<void>[] = [];
    const warmupCount = Math.round(config.warmupS * config.rate);
    const total = warmupCount + Math.round(config.durationS * config.rate);
    const intervalMs = 1000 / config.rate;
    const t0 = now();
    for (let index = 0; index < total; index += 1) {
      const due = t0 + index * intervalMs;
      const wait = due - now();
      if (wait > 0) await sleep(wait);
      const kind = MIX[index % MIX.length] ?? 'GET /api/activities/home';
      const sent: Sent = { traceId: newXrayCompatibleTraceId(), kind, warmup: index < warmupCount, sentAt: now(), seen: {} };
      all.push(sent);
      pending.xray.add(sent);
      pending.cloudwatch.add(sent);
      inFlight.push(
        drive(stack.appUrl, kind, index, sent).then(() => {
          if (answered(sent)) return;
          pending.xray.take(sent.traceId);
          pending.cloudwatch.take(sent.traceId);
        }),
      );
    }
    await Promise.all(inFlight);
    const lastResponse = Math.max(...all.map((sent) => sent.respondedAt ?? 0));
    const measured = all.filter((sent) => !sent.warmup).filter(answered);
    // Sends happen in order: the first measured one follows the warm-up, the last is the last.
    const firstMeasuredSend = all[warmupCount]?.sentAt ?? t0;
    const lastMeasuredSend = all[all.length - 1]?.sentAt ?? t0;

    // Drain: until every measured item is seen by both pollers, or the limit.
    const unseen = (): number => measured.filter((sent) => sent.seen.xray === undefined || sent.seen.cloudwatch === undefined).length;
    while (unseen() > 0 && now() - lastResponse < config.drainS * 1000) await sleep(config.pollMs);
    const drainS = (now() - lastResponse) / 1000;
    stopPolling = true;
    await Promise.all([pollers.xray.done, pollers.cloudwatch.done]);

    // Sweep: what the pollers missed, is it there at all (late) or not (lost)?
    const missing = (backend: BackendName): string[] => measured.filter((sent) => sent.seen[backend] === undefined).map((sent) => sent.traceId);
    const presentXray = missing('xray').length === 0 ? new Set<string>() : await tracesInXray(stack.aws, missing('xray'));
    const missingCw = new Set(missing('cloudwatch'));
    const presentCw =
      missingCw.size === 0
        ? new Set<string>()
        : new Set(
            (await logGroupEvents(stack.aws, LOG_GROUP))
              .filter((event) => event.message.attributes?.['log.type'] === 'access' && event.message.trace_id !== undefined && missingCw.has(event.message.trace_id))
              .map((event) => event.message.trace_id ?? ''),
          );

    const responseTimes = sortedOf(measured.map((sent) => sent.respondedAt - sent.sentAt));
    const ok = all.filter(answered).length;
    const byKind: Record<string, number> = {};
    for (const sent of measured) byKind[sent.kind] = (byKind[sent.kind] ?? 0) + 1;
    const result: FreshnessVariantResult = {
      name: plan.name,
      description: plan.description,
      settings: plan.settings,
      model: timerModel(plan.settings),
      collectorArgs,
      appImage: APP_IMAGE ?? 'cruddur/app:dev',
      startedAt,
      stackStartS: round(stackStartS),
      requests: {
        sent: all.length,
        warmup: warmupCount,
        ok,
        failed: all.length - ok,
        measured: measured.length,
        achievedRatePerS: round(((total - warmupCount - 1) * 1000) / Math.max(1, lastMeasuredSend - firstMeasuredSend)),
        responseP50Ms: finite(percentile(responseTimes, 50)),
        responseP99Ms: finite(percentile(responseTimes, 99)),
        byKind,
      },
      requestOffsetsMs: measured.map((sent) => round(sent.respondedAt - firstMeasuredSend)),
      backends: { xray: backendFreshness(measured, 'xray', presentXray), cloudwatch: backendFreshness(measured, 'cloudwatch', presentCw) },
      polling: { xray: pollStats(pollers.xray.stats), cloudwatch: pollStats(pollers.cloudwatch.stats) },
      drainS: round(drainS),
    };
    for (const backend of BACKENDS) {
      const b = result.backends[backend];
      const p = result.polling[backend];
      process.stdout.write(
        `[${plan.name}] ${backend.padEnd(10)} p50 ${fmtS(b.p50Ms)}  p95 ${fmtS(b.p95Ms)}  max ${fmtS(b.maxMs)}  seen ${String(b.seen)}/${String(b.measured)}  late ${String(b.late)}  lost ${String(b.lost)}  (${String(p.polls)} polls, rtt p50 ${String(p.p50RoundTripMs ?? 'n/a')} ms, ${String(p.errors)} errors)\n`,
      );
    }
    return result;
  } finally {
    xray.destroy();
    logs.destroy();
    await stack.down();
  }
}

/** The arguments a compose service's container runs with, as Docker reports them (none if it cannot say). */
async function containerArgs(projectName: string, service: string): Promise<readonly string[]> {
  try {
    return (await inspectContainer(await serviceContainerId(projectName, service))).Args;
  } catch {
    return [];
  }
}

const fmtS = (ms: number | null): string => (ms === null ? 'n/a' : `${(ms / 1000).toFixed(2)} s`);

// ---- versions and host ------------------------------------------------------------------------------

function versions(): Record<string, string> {
  const builder = readYaml('otel-collector/builder-config.yaml');
  const processors = JSON.stringify(at(builder, ['processors']));
  const moto = /moto(?:\[server\])?==([\w.]+)/.exec(readFileSync(path.join(ROOT, 'standins/moto/requirements.txt'), 'utf8'))?.[1] ?? 'unknown';
  const appManifest = JSON.parse(readFileSync(path.join(ROOT, 'app/package.json'), 'utf8')) as { dependencies: Record<string, string> };
  const image = (name: string): string => commandOutput('docker', ['image', 'inspect', '--format', '{{.Id}}', name]).replace('sha256:', '').slice(0, 12);
  return {
    node: process.version,
    '@opentelemetry/sdk-node (app)': appManifest.dependencies['@opentelemetry/sdk-node'] ?? 'unknown',
    '@opentelemetry/sdk-logs (app)': appManifest.dependencies['@opentelemetry/sdk-logs'] ?? 'unknown',
    collector: `otelcol-cruddur ${String(at(builder, ['dist', 'version']))} (batchprocessor ${/batchprocessor (v[\d.]+)/.exec(processors)?.[1] ?? '?'})`,
    moto,
    '@aws-sdk/client-xray': packageVersion('@aws-sdk/client-xray'),
    testcontainers: packageVersion('testcontainers'),
    git: `${commandOutput('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'])}${commandOutput('git', ['-C', ROOT, 'status', '--porcelain', '--', 'docker-compose.yml', 'otel-collector/config', 'xray-daemon', 'app/src']) === '' ? '' : ' + uncommitted changes to the stack files'}`,
    docker: commandOutput('docker', ['version', '--format', '{{.Server.Version}}']),
    compose: commandOutput(path.join(ROOT, 'scripts/compose.sh'), ['version', '--short']),
    [`image ${APP_IMAGE ?? 'cruddur/app:dev'}`]: image(APP_IMAGE ?? 'cruddur/app:dev'),
    'image cruddur/otel-collector:dev': image('cruddur/otel-collector:dev'),
    'image cruddur/moto:dev': image('cruddur/moto:dev'),
  };
}

function otherContainers(): number {
  const names = commandOutput('docker', ['ps', '--format', '{{.Names}}']);
  return names === 'unknown' || names === '' ? 0 : names.split('\n').filter((name) => !name.startsWith('cruddur-bench-freshness')).length;
}

// ---- main ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  // Same as the integration tests (vitest.config.ts): no registry for Ryuk's image, local daemon.
  process.env['TESTCONTAINERS_RYUK_DISABLED'] ??= 'true';
  process.env['TESTCONTAINERS_HOST_OVERRIDE'] ??= 'localhost';
  const { startStack, ALL_VENDORS_OFFLINE } = await import('../test/integration/stack.ts');

  const config: RunConfig = {
    rate: Number(process.env['FRESHNESS_RATE'] ?? '15'),
    durationS: Number(process.env['FRESHNESS_DURATION'] ?? '60'),
    warmupS: Number(process.env['FRESHNESS_WARMUP'] ?? '5'),
    pollMs: Number(process.env['FRESHNESS_POLL_MS'] ?? '100'),
    drainS: Number(process.env['FRESHNESS_DRAIN_S'] ?? '20'),
  };
  const output = path.resolve(process.env['FRESHNESS_OUTPUT'] ?? FRESHNESS_JSON);
  const selected = (process.env['FRESHNESS_VARIANTS'] ?? VARIANT_NAMES.join(','))
    .split(',')
    .map((name) => name.trim())
    .filter((name): name is FreshnessVariantName => (VARIANT_NAMES as readonly string[]).includes(name));
  if (selected.length === 0) throw new Error(`FRESHNESS_VARIANTS names none of ${VARIANT_NAMES.join(', ')}`);

  const loadBefore = loadAverage();
  const others = otherContainers();
  if (others > 0) process.stdout.write(`note: ${String(others)} other containers are running; figures will be noisier\n`);
  const variants: FreshnessVariantResult[] = [];
  for (const plan of plans(shipped(ALL_VENDORS_OFFLINE)).filter((candidate) => selected.includes(candidate.name))) {
    variants.push(await runVariant(plan, config, startStack));
  }

  const cpus = os.cpus();
  const results: FreshnessResults = {
    meta: {
      date: new Date().toISOString(),
      label: process.env['FRESHNESS_LABEL'] ?? '',
      command: ['node', ...process.argv.slice(1).map((arg) => path.relative(ROOT, arg) || arg)].join(' '),
      makeTarget: 'make bench-freshness',
      host: { cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, kernel: os.release(), loadBefore, loadAfter: loadAverage(), otherContainers: others },
      versions: versions(),
      conditions: {
        ratePerS: config.rate,
        durationS: config.durationS,
        warmupS: config.warmupS,
        pollIntervalMs: config.pollMs,
        drainLimitS: config.drainS,
        mix: [...MIX],
        logGroup: LOG_GROUP,
        targetP95Ms: TARGET_P95_MS,
        timing:
          'freshness = arrival of the first poll answer holding the item - response complete (body read), both performance.timeOrigin + performance.now() on the host; an upper bound by at most one poll interval plus one poll round trip',
      },
    },
    variants,
  };
  mkdirSync(path.dirname(output), { recursive: true });
  writeFileSync(output, `${compactArrays(JSON.stringify(results, null, 1))}\n`);
  process.stdout.write(`\nwrote ${path.relative(ROOT, output)}\n`);
  for (const line of freshnessRatios(results)) process.stdout.write(`${line}\n`);
}

/** Arrays of numbers (latencies, offsets, histogram counts) on one line each: the file stays readable. */
function compactArrays(json: string): string {
  return json.replace(/\[\s*((?:-?[\d.e+]+|null)(?:,\s*(?:-?[\d.e+]+|null))*)\s*\]/g, (_match, inner: string) => `[${inner.replace(/\s+/g, '')}]`);
}

if (import.meta.main) {
  main().catch((error: unknown) => {
    process.stderr.write(`freshness benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
