/**
 * Diagnostic preload for a benchmarked server (never shipped): what blocked its event loop, and when.
 * Loaded with `node --import bench/diag/loop-monitor.ts ...` before the app's own bootstrap.
 *
 * Records, from start to SIGTERM, into LOOP_MONITOR_OUT (JSON):
 *  - stalls: every time a 2 ms interval timer fired more than 5 ms late (start, lateness);
 *  - gc: every GC pause (start, duration, kind) from the `gc` performance entries;
 *  - exports: the synchronous part (serialisation) of every OTLP trace/log export call.
 * Times are performance.timeOrigin-relative ms converted to epoch ms, so the runner can line them
 * up with its own request timeline.
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { constants, performance, type PerformanceEntry, PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';

import { type Interval, watchLoop } from './loop-watch.ts';

const output = process.env.LOOP_MONITOR_OUT;
if (output === undefined) throw new Error('LOOP_MONITOR_OUT is required');

const stalls: Interval[] = [];
const gc: Interval[] = [];
const exports: Interval[] = [];
const epoch = (relativeMs: number): number => performance.timeOrigin + relativeMs;

watchLoop(stalls);

const gcKinds: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const detail = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail;
    // Heap right after the pause: old-space growth between majors is what scavenges promoted.
    const spaces = Object.fromEntries(getHeapSpaceStatistics().map((space) => [space.space_name, space]));
    gc.push({
      at: epoch(entry.startTime),
      ms: entry.duration,
      kind: gcKinds[detail?.kind ?? -1] ?? 'other',
      oldUsedMb: (spaces.old_space?.space_used_size ?? 0) / 2 ** 20,
      newSizeMb: (spaces.new_space?.space_size ?? 0) / 2 ** 20,
    });
  }
}).observe({ entryTypes: ['gc'] });

// The app's CommonJS copy of the exporters (same resolution as its `require`), timed in place:
// its own (otlp-exporters.ts) and, for builds from before them, the SDK's.
const appRequire = createRequire(path.join(process.cwd(), 'dist', 'src', 'telemetry', 'sdk.js'));
for (const [module, name] of [
  ['./otlp-exporters.js', 'OtlpGrpcSpanExporter'],
  ['./otlp-exporters.js', 'OtlpGrpcLogExporter'],
  ['@opentelemetry/exporter-trace-otlp-grpc', 'OTLPTraceExporter'],
  ['@opentelemetry/exporter-logs-otlp-grpc', 'OTLPLogExporter'],
] as const) {
  try {
    const exported = appRequire(module) as Record<string, { prototype: { export: (...args: unknown[]) => unknown } }>;
    const prototype = exported[name]?.prototype;
    if (prototype === undefined) continue;
    const original = prototype.export;
    prototype.export = function timedExport(this: unknown, ...args: unknown[]) {
      const started = performance.now();
      try {
        return original.apply(this, args);
      } finally {
        const items = Array.isArray(args[0]) ? args[0].length : 0;
        exports.push({ at: epoch(started), ms: performance.now() - started, kind: `${name}:${String(items)}` });
      }
    };
  } catch {
    // Variant without that exporter.
  }
}

const dump = (): void => writeFileSync(output, JSON.stringify({ stalls, gc, exports }));
process.on('SIGTERM', dump);
process.on('exit', dump);
