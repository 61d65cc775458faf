/** The freshness result shapes: what the runner writes and the report reads. */
import path from 'node:path';

import { RESULTS_DIR } from '../lib/paths.ts';

export const FRESHNESS_JSON = path.join(RESULTS_DIR, 'freshness.json');

export const BACKENDS = ['xray', 'cloudwatch'] as const;
export type BackendName = (typeof BACKENDS)[number];
export const BACKEND_LABELS: Record<BackendName, string> = { xray: 'X-Ray (trace)', cloudwatch: 'CloudWatch Logs (access log)' };

export const VARIANT_NAMES = ['app-1000ms', 'compose-defaults', 'all-200ms'] as const;
export type FreshnessVariantName = (typeof VARIANT_NAMES)[number];

export const TARGET_P95_MS = 2000;

/**
 * `batch processor`: a free-running timer, reset when it fires or a batch fills, not when data
 * arrives. `queue batcher` (exporterhelper `sending_queue.batch`): the timer starts when a batch
 * gets its first item and fires flush_timeout later.
 */
export type StageKind = 'batch processor' | 'queue batcher' | 'none';

/** The collector stage that holds a backend's data back, as read from the config files. */
export interface CollectorStage {
  readonly pipeline: string;
  readonly component: string;
  readonly kind: StageKind;
  readonly timeoutMs: number;
  /** send_batch_size / min_size: a batch this big goes at once. */
  readonly sizeTrigger: number;
  readonly exporters: readonly string[];
  /** `queue batcher`: the exporter whose sending_queue batches (absent in results written before it was recorded). */
  readonly exporter?: string;
}

export interface FreshnessSettings {
  /** OTEL_BSP_SCHEDULE_DELAY given to the app: the longest a finished span waits in the app. */
  readonly appBspScheduleDelayMs: number;
  /** OTEL_BLRP_SCHEDULE_DELAY given to the app: the same for log records. */
  readonly appBlrpScheduleDelayMs: number;
  /** Queued spans/records that make the app export before its timer: far above this run's volume. */
  readonly appMaxExportBatchSize: number;
  readonly collector: Record<BackendName, CollectorStage>;
  /** OTELCOL_BATCH_TIMEOUT as docker-compose.yml hands it to the collector; null = not passed (the config files' default applies). */
  readonly batchTimeoutFromCompose: string | null;
  /** Compose variables this variant set (OTELCOL_BATCH_TIMEOUT among them: it sets the collector's timers). */
  readonly composeEnv: Readonly<Record<string, string>>;
}

/** What the timers alone give, before any transport, moto or poll time. */
export interface BackendModel {
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly worstMs: number;
}
export type FreshnessModel = Record<BackendName, BackendModel>;

export interface BackendFreshness {
  /** Measured requests (2xx, after the warm-up). */
  readonly measured: number;
  /** Seen by the pollers during the run. */
  readonly seen: number;
  /** Not seen while polling, but present in the final sweep (later than the drain). */
  readonly late: number;
  /** Not present at all after the drain. Must be 0. */
  readonly lost: number;
  /**
   * Percentiles over all measured requests, late and lost ones counted as +infinity so they show
   * instead of vanishing: null = the percentile falls on a late or lost item (or nothing was measured).
   */
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
  readonly p99Ms: number | null;
  readonly maxMs: number | null;
  /** Over the items seen while polling. */
  readonly minMs: number | null;
  readonly meanMs: number | null;
  /** Counts per bin of `binMs`, from 0 (seen items only). */
  readonly histogram: { readonly binMs: number; readonly counts: number[] };
  /** Median gap between successive deliveries (distinct first-seen times): the slowest timer in effect. */
  readonly deliveryPeriodMs: number | null;
  /** Per measured request in send order (aligned with `requestOffsetsMs`), ms; null = not seen while polling. */
  readonly latenciesMs: (number | null)[];
}

export interface PollStats {
  readonly polls: number;
  readonly errors: number;
  readonly firstError?: string;
  readonly p50RoundTripMs: number | null;
  readonly p95RoundTripMs: number | null;
  readonly maxRoundTripMs: number | null;
  /** Items (summaries or log events) in an answer, on average: the cost of the window. */
  readonly meanItemsPerPoll: number;
}

export interface FreshnessVariantResult {
  readonly name: FreshnessVariantName;
  readonly description: string;
  readonly settings: FreshnessSettings;
  readonly model: FreshnessModel;
  /** The collector's arguments as the container ran them (docker inspect). */
  readonly collectorArgs: readonly string[];
  readonly appImage: string;
  readonly startedAt: string;
  readonly stackStartS: number;
  readonly requests: {
    readonly sent: number;
    readonly warmup: number;
    readonly ok: number;
    readonly failed: number;
    readonly measured: number;
    readonly achievedRatePerS: number;
    readonly responseP50Ms: number | null;
    readonly responseP99Ms: number | null;
    readonly byKind: Record<string, number>;
  };
  /** Response-complete time of each measured request, ms after the first measured request was sent. */
  readonly requestOffsetsMs: number[];
  readonly backends: Record<BackendName, BackendFreshness>;
  readonly polling: Record<BackendName, PollStats>;
  /** Time from the last response until every measured item was seen (or the drain gave up). */
  readonly drainS: number;
}

export interface FreshnessResults {
  readonly meta: {
    readonly date: string;
    readonly label: string;
    readonly command: string;
    readonly makeTarget: string;
    readonly host: {
      readonly cpu: string;
      readonly cores: number;
      readonly kernel: string;
      readonly loadBefore: number[];
      readonly loadAfter: number[];
      /** Containers of other compose projects running when the run started (noise). */
      readonly otherContainers: number;
    };
    readonly versions: Record<string, string>;
    readonly conditions: {
      readonly ratePerS: number;
      readonly durationS: number;
      readonly warmupS: number;
      readonly pollIntervalMs: number;
      readonly drainLimitS: number;
      readonly mix: string[];
      readonly logGroup: string;
      readonly targetP95Ms: number;
      readonly timing: string;
    };
  };
  readonly variants: FreshnessVariantResult[];
}
