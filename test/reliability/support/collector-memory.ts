import fs from 'node:fs';

import { parse } from 'yaml';

import { type ContainerInspect, type ContainerMemory, containerMemory, inspectContainer } from '@cruddur/testkit/docker';
import { metricSum } from '@cruddur/testkit/metrics';
import { fromRoot } from '@cruddur/testkit/paths';

/*
 * What the collector's flood tests (collector-overload: gRPC from a misbehaving SDK; browser-burst:
 * OTLP/HTTP from a runaway page) watch while they flood: the memory the kernel would OOM-kill for,
 * the heap memory_limiter reads, who refused what, and whether the container survived.
 */

export const MB = 1024 * 1024;

/** A compose memory limit (`512m`, `1g`) in bytes. */
export function bytesOf(limit: string): number {
  const match = /^(\d+)([kmg])$/i.exec(limit);
  if (match === null) throw new Error(`a memory limit must look like 192m, got ${limit}`);
  const unit = { k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(match[2] ?? 'm').toLowerCase() as 'k' | 'm' | 'g'];
  return Number(match[1]) * unit;
}

/** memory_limiter's limits (otel-collector/config/base.yaml) for a container of `limitBytes`: refuse above soft, force a GC above hard. */
export function memoryLimiterLimits(limitBytes: number): { readonly softBytes: number; readonly hardBytes: number } {
  const config = parse(fs.readFileSync(fromRoot('otel-collector/config/base.yaml'), 'utf8')) as {
    processors: { memory_limiter: { limit_percentage: number; spike_limit_percentage: number } };
  };
  const { limit_percentage: limit, spike_limit_percentage: spike } = config.processors.memory_limiter;
  return { softBytes: (limitBytes * (limit - spike)) / 100, hardBytes: (limitBytes * limit) / 100 };
}

/** Which part of the collector refused a request, from the message it answered with. */
export type Refuser = 'memory_limiter' | 'queue_full' | 'other';

export function refuser(details: string): Refuser {
  // memory_limiter's ErrDataRefused (collector internal/memorylimiter) and exporterhelper's ErrQueueIsFull.
  if (/data refused due to high memory usage/.test(details)) return 'memory_limiter';
  if (/sending queue is full/.test(details)) return 'queue_full';
  return 'other';
}

/** How much a counter grew from one scrape to a later one. */
export function delta(from: string, to: string, name: string, labels: Record<string, string> = {}): number {
  return metricSum(to, name, labels) - metricSum(from, name, labels);
}

export interface MemorySample {
  /** The Go heap memory_limiter watches (live and not yet collected). */
  readonly heapMb: number;
  /** What the Go runtime holds from the OS (heap, stacks, GC metadata). */
  readonly goSysMb: number;
  /** The process's resident set: anonymous memory plus the mapped pages of bbolt's queue files. */
  readonly rssMb: number;
  /** The container's cgroup: anonymous memory (only an OOM kill frees it), page cache, and the total charged against the limit. */
  readonly anonMb: number;
  readonly fileMb: number;
  readonly cgroupMb: number;
  /** Of the page cache: mapped into the process (bbolt's files) and not yet written back. */
  readonly mappedMb: number;
  readonly dirtyMb: number;
}

export type MemoryPeaks = { readonly [K in keyof MemorySample as `peak${Capitalize<K>}`]: number };

export interface MemorySampler {
  readonly samples: MemorySample[];
  stop: () => void;
  /** The highest value of each sample field, rounded to whole MB. */
  peaks: () => MemoryPeaks;
}

export interface SamplerOptions {
  /** The collector's container id. */
  readonly container: string;
  readonly metrics: () => Promise<string>;
  /** Called with each sample and the scrape it came from (e.g. to print a verbose trace). */
  readonly onSample?: (sample: MemorySample, scrape: string, index: number) => void;
}

/** Samples the collector's own metrics and its container's cgroup once a second until stopped. */
export function sampleCollectorMemory(options: SamplerOptions): MemorySampler {
  const samples: MemorySample[] = [];
  const timer = setInterval(() => {
    void Promise.all([options.metrics(), containerMemory(options.container)]).then(
      ([text, cgroup]) => {
        const sample: MemorySample = {
          heapMb: metricSum(text, 'otelcol_process_runtime_heap_alloc_bytes') / MB,
          goSysMb: metricSum(text, 'otelcol_process_runtime_total_sys_memory_bytes') / MB,
          rssMb: metricSum(text, 'otelcol_process_memory_rss') / MB,
          anonMb: cgroup.anonBytes / MB,
          fileMb: cgroup.fileBytes / MB,
          cgroupMb: cgroup.usageBytes / MB,
          mappedMb: cgroup.fileMappedBytes / MB,
          dirtyMb: cgroup.dirtyBytes / MB,
        };
        samples.push(sample);
        options.onSample?.(sample, text, samples.length);
      },
      () => undefined, // a busy collector may miss a scrape; the container state is what counts
    );
  }, 1000);
  const peak = (key: keyof MemorySample): number => Math.round(Math.max(...samples.map((sample) => sample[key])));
  return {
    samples,
    stop: () => clearInterval(timer),
    peaks: () => ({
      peakHeapMb: peak('heapMb'),
      peakGoSysMb: peak('goSysMb'),
      peakRssMb: peak('rssMb'),
      peakAnonMb: peak('anonMb'),
      peakFileMb: peak('fileMb'),
      peakCgroupMb: peak('cgroupMb'),
      peakMappedMb: peak('mappedMb'),
      peakDirtyMb: peak('dirtyMb'),
    }),
  };
}

export interface ContainerFate {
  readonly state: ContainerInspect;
  readonly oomKilled: boolean;
  /** OOM kills in the container's cgroup since `before` was read (any process in it). */
  readonly cgroupOomKills: number;
  readonly restartCount: number;
}

/** The container's state after a flood, read first (if the kernel killed it, the restart policy may already be at work). */
export async function containerFate(container: string, before: ContainerMemory): Promise<ContainerFate> {
  const state = await inspectContainer(container);
  const after = await containerMemory(container);
  return {
    state,
    oomKilled: state.State.OOMKilled,
    cgroupOomKills: after.oomKills - before.oomKills,
    restartCount: state.RestartCount,
  };
}
