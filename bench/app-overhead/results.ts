/** The app-overhead result shapes: what the runner writes and the report reads. */
import path from 'node:path';

import { RESULTS_DIR } from '../lib/paths.ts';

export const RESULTS_JSON = path.join(RESULTS_DIR, 'app-overhead.json');
/** The run before a change, when one is stored: the report compares it with the latest. */
export const BEFORE_JSON = path.join(RESULTS_DIR, 'app-overhead-before.json');

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
    readonly settings: {
      readonly connections: number;
      readonly durationS: number;
      readonly warmupS: number;
      readonly rounds: number;
      readonly fixedRate: number;
      readonly serverNodeArgs?: string;
    };
    readonly pinning: string;
    readonly commands: Record<string, string>;
  };
  readonly measurements: Measurement[];
  readonly exports: ExportCount[];
  readonly profile?: ProfileSummary;
}
