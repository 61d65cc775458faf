/**
 * The variants' settings, read from the files `make up` uses: the app's batch delays from
 * docker-compose.yml's defaults, each backend's collector batching stage from the config files
 * stack.ts loads, so the timer model the report compares with follows the files.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { parse as parseYaml } from 'yaml';

import { composeDefaults, resolveVariables } from '../lib/compose.ts';
import { repoRoot } from '@cruddur/testkit/paths';
import type { BackendName, CollectorStage, FreshnessSettings, FreshnessVariantName } from './results.ts';

/** Another app image to measure (e.g. a candidate fix), instead of the one `make images` built. */
export const APP_IMAGE = process.env.FRESHNESS_APP_IMAGE;
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

export function readYaml(relative: string): YamlMap {
  return parseYaml(readFileSync(path.join(repoRoot, relative), 'utf8')) as YamlMap;
}

function child(node: unknown, key: string): unknown {
  return isMap(node) ? node[key] : undefined;
}

export function at(root: unknown, keys: readonly string[]): unknown {
  return keys.reduce<unknown>((node, key) => child(node, key), root);
}

/** The collector's confmap merge: maps merge key by key, anything else is replaced by the later file. */
function merge(into: unknown, from: unknown): unknown {
  if (!isMap(into) || !isMap(from)) return from;
  const out: YamlMap = { ...into };
  for (const [key, value] of Object.entries(from)) out[key] = merge(out[key], value);
  return out;
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
  const processors = (definition.processors as string[] | undefined) ?? [];
  const exporters = (definition.exporters as string[] | undefined) ?? [];
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
      timeoutMs: durationMs(resolveVariables(batch.flush_timeout, env) ?? '200ms'),
      sizeTrigger: Number(resolveVariables(batch.min_size, env) ?? '8192'),
      exporters,
      exporter,
    };
  }
  return { pipeline, component: 'none', kind: 'none', timeoutMs: 0, sizeTrigger: 0, exporters };
}

export interface Shipped {
  readonly bspMs: number;
  readonly blrpMs: number;
  /** The merged collector configuration the stack runs, unresolved (files are repository-relative, as in the container). */
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
    collectorConfig: configFiles.map((file) => readYaml(file)).reduce<unknown>((merged, next) => merge(merged, next), {}),
    collectorEnv: composeDefaults('otel-collector'),
  };
}

export interface VariantPlan {
  readonly name: FreshnessVariantName;
  readonly description: string;
  readonly settings: FreshnessSettings;
}

export function plans(base: Shipped): VariantPlan[] {
  const composeTimeout = base.collectorEnv.OTELCOL_BATCH_TIMEOUT;
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
