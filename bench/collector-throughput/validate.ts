/**
 * The step validator: a step passes when telemetrygen generated the offered rate (±5%), the
 * collector accepted every generated span, nothing was refused, failed or dropped, every vendor
 * exporter sent every accepted span and the backlog cleared within BENCH_KEPT_UP_SECONDS.
 */
import type { ReceiverCounters } from './metrics.ts';
import type { ExporterStep, StepResult } from './results.ts';
import { DRAIN_S, KEPT_UP_S, RATE_TOLERANCE } from './settings.ts';

/** What a step measured, as deltas over the load and its drain. */
export interface StepOutcome {
  readonly exitCode: number;
  readonly target: number;
  readonly generatedPerSecond: number;
  readonly generated: number;
  /** At the otlp receiver, where the load arrives. */
  readonly external: ReceiverCounters;
  readonly internalReceivers: StepResult['internalReceivers'];
  readonly processorDropped: number;
  readonly exporters: readonly ExporterStep[];
  readonly drained: boolean;
  readonly drainS: number;
}

/** Why the step failed, one reason a line; empty: it passed. */
export function stepFailures(step: StepOutcome): string[] {
  const { exitCode, target, generatedPerSecond, generated, external, internalReceivers, processorDropped, exporters, drained, drainS } =
    step;
  const failures: string[] = [];
  const accepted = external.accepted;
  if (exitCode !== 0) failures.push(`telemetrygen exited with ${String(exitCode)}`);
  if (generatedPerSecond < target * (1 - RATE_TOLERANCE))
    failures.push(
      `generator reached ${generatedPerSecond.toFixed(0)} spans/s (${((generatedPerSecond / target) * 100).toFixed(1)}% of the target)`,
    );
  if (accepted < generated)
    failures.push(
      `${String(generated - accepted)} spans generated but never accepted (dropped in telemetrygen's full span queue: the collector did not take them fast enough)`,
    );
  if (external.refused > 0) failures.push(`${String(external.refused)} spans refused by the otlp receiver`);
  if (external.failed > 0) failures.push(`${String(external.failed)} spans failed in the otlp receiver`);
  for (const r of internalReceivers) {
    if (r.refused + r.failed > 0)
      failures.push(`internal receiver ${r.receiver}: ${String(r.refused)} refused, ${String(r.failed)} failed`);
  }
  if (processorDropped > 0) failures.push(`${String(processorDropped)} spans dropped by processors`);
  const vendorShort = (e: ExporterStep): boolean => e.role === 'vendor' && e.sent < accepted;
  for (const e of exporters) {
    if (e.sendFailed > 0) failures.push(`${e.exporter}: ${String(e.sendFailed)} send_failed`);
    if (e.enqueueFailed > 0) failures.push(`${e.exporter}: ${String(e.enqueueFailed)} enqueue_failed`);
    if (vendorShort(e))
      failures.push(
        `${e.exporter}: sent ${String(e.sent)} of ${String(accepted)} accepted${drained ? '' : ` (not drained ${String(DRAIN_S)} s after the load)`}`,
      );
  }
  // A vendor short of spans already says "not drained" above; otherwise say it here.
  if (!drained && !exporters.some(vendorShort)) failures.push(`queues not empty ${String(DRAIN_S)} s after the load`);
  if (drained && drainS > KEPT_UP_S) {
    const deepest = [...exporters].sort((a, b) => (b.maxQueueSize ?? 0) - (a.maxQueueSize ?? 0))[0];
    failures.push(
      `exporters fell behind: the backlog took ${drainS.toFixed(1)} s to drain after the load (limit ${String(KEPT_UP_S)} s)${deepest?.maxQueueSize ? `, ${deepest.exporter} queue up to ${String(deepest.maxQueueSize)}` : ''}`,
    );
  }
  return failures;
}
