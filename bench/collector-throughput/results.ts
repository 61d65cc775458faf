/** The collector-throughput result shapes: what the runner writes and the report reads. */
import path from 'node:path';

import { RESULTS_DIR } from '../lib/paths.ts';

export const COLLECTOR_THROUGHPUT_JSON = path.join(RESULTS_DIR, 'collector-throughput.json');

export const CONFIG_NAMES = ['pass-through', 'fan-out', 'fan-out-xray-sink'] as const;
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
export type LimitKind =
  | 'collector-cpu'
  | 'xray-standin'
  | 'xray-path'
  | 'exporter-endpoint'
  | 'queue'
  | 'load-side'
  | 'noise'
  | 'latency'
  | 'not-reached';

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
    readonly host: {
      readonly cpu: string;
      readonly cores: number;
      readonly memoryMiB: number;
      readonly kernel: string;
      readonly loadBefore: number[];
    };
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

export const TARGET_SPANS_PER_CORE = 10_000;
export const TARGET_RSS_MIB = 256;
