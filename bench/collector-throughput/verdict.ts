/** What limited a config: the stage named from the first failing step above the highest passing one. */
import type { ConfigSpec } from './collector.ts';
import type { LimitKind, StepResult } from './results.ts';
import { LOAD_CPU, RATE_TOLERANCE, SINK_CPU } from './settings.ts';

const AT_LIMIT_CPU = 90;
/** Core 1 this busy with this much of it not the collector: the collector was competing for its core. */
const SHARED_CORE_BUSY = 90;
const SHARED_CORE_OTHER = 15;
const BUSY_EXPORTER = 0.9;

function describeEndpoint(spec: Pick<ConfigSpec, 'xrayEndpoint'>, exporter: string): string {
  if (exporter === 'awsxray')
    return spec.xrayEndpoint === 'moto' ? "moto's PutTraceSegments (the X-Ray stand-in)" : 'the null X-Ray endpoint';
  if (exporter === 'otlp_grpc/honeycomb' || exporter === 'otlp_grpc/passthrough') return 'the Honeycomb stand-in';
  return "the collector's own loopback receiver and the pipeline behind it";
}

/** Names the stage that limits a config, from the first failing step above the highest passing one. */
export function limitOf(
  spec: Pick<ConfigSpec, 'xrayEndpoint'>,
  steps: readonly StepResult[],
): { max: number | null; limitStep: number | null; kind: LimitKind; stage: string; evidence: string[] } {
  const passing = steps.filter((s) => s.pass);
  const max = passing.length === 0 ? null : Math.max(...passing.map((s) => s.targetSpansPerSecond));
  const failing = steps
    .filter((s) => !s.pass && (max === null || s.targetSpansPerSecond > max))
    .sort((a, b) => a.targetSpansPerSecond - b.targetSpansPerSecond);
  const f = failing[0];
  const evidence: string[] = [];
  const lower = steps.filter((s) => !s.pass && max !== null && s.targetSpansPerSecond < max);
  if (lower.length > 0)
    evidence.push(
      `note: lower step(s) ${lower.map((s) => String(s.targetSpansPerSecond)).join(', ')} spans/s failed although a higher one passed (noise on the shared machine?)`,
    );
  if (f === undefined) {
    const top = steps.at(-1);
    return {
      max,
      limitStep: null,
      kind: 'not-reached',
      stage: `not reached: every step up to ${String(top?.targetSpansPerSecond ?? 0)} spans/s passed`,
      evidence,
    };
  }
  evidence.push(`at ${String(f.targetSpansPerSecond)} spans/s: ${f.failures.join('; ')}`);
  evidence.push(
    `collector CPU ${f.collectorCpuPercent.toFixed(0)}% of its core (${f.collectorCpuUsPerSpan.toFixed(1)} µs/span), core 1 busy ${f.cpu1BusyPercent.toFixed(0)}% (other processes ${f.otherCpu1Percent.toFixed(0)}%), core 0 (load side) busy ${f.cpu0BusyPercent.toFixed(0)}% (telemetrygen ${f.telemetrygenCpuPercent.toFixed(0)}%, Honeycomb stand-in ${f.honeycombStandinCpuPercent.toFixed(0)}%, moto ${f.motoCpuPercent.toFixed(0)}%, runner ${f.runnerCpuPercent.toFixed(0)}%, other processes ${f.otherCpu0Percent.toFixed(0)}%)`,
  );
  for (const e of f.exporters) {
    evidence.push(
      `${e.exporter} (${e.role}): a request in flight in ${(e.busyFraction * 100).toFixed(0)}% of samples (mean ${e.meanInFlight.toFixed(2)})${e.maxQueueSize === null ? '' : `, queue up to ${String(e.maxQueueSize)} items`}, sent ${String(e.sent)} of ${String(f.acceptedSpans)}`,
    );
  }
  const generatorShort = f.generatedPerSecond < f.targetSpansPerSecond * (1 - RATE_TOLERANCE);
  const vendorBusiest = f.exporters.filter((e) => e.role === 'vendor').sort((a, b) => b.busyFraction - a.busyFraction)[0];
  const xray = f.exporters.find((e) => e.exporter === 'awsxray');
  // Internal hops in front of awsxray (a spool) wait for it: the X-Ray path is as busy as its busiest hop.
  const xrayPathBusy = Math.max(
    xray?.busyFraction ?? 0,
    ...f.exporters.filter((e) => e.role === 'internal' && /xray/i.test(e.exporter)).map((e) => e.busyFraction),
  );
  const backlog = [...f.exporters]
    .filter((e) => (e.maxQueueSize ?? 0) > 0)
    .sort((a, b) => (b.maxQueueSize ?? 0) - (a.maxQueueSize ?? 0))[0];
  const core = `the collector used ${f.collectorCpuPercent.toFixed(0)}% of its core`;
  let stage: string;
  let kind: LimitKind;
  // CPU the offered rate needs at the measured cost per span: above the core even when other
  // processes kept the measured utilisation lower.
  const cpuDemand = (f.collectorCpuUsPerSpan * f.targetSpansPerSecond) / 1e4;
  if (f.collectorCpuPercent >= AT_LIMIT_CPU || cpuDemand >= AT_LIMIT_CPU) {
    kind = 'collector-cpu';
    stage = `collector CPU: at ${f.collectorCpuUsPerSpan.toFixed(1)} µs per span, ${String(f.targetSpansPerSecond)} spans/s needs ${cpuDemand.toFixed(0)}% of its one core (measured ${f.collectorCpuPercent.toFixed(0)}%; core 1 ${f.cpu1BusyPercent.toFixed(0)}% busy) — the ceiling is ~${(1e6 / f.collectorCpuUsPerSpan / 1000).toFixed(1)}k spans/s per core`;
  } else if (xrayPathBusy >= BUSY_EXPORTER && spec.xrayEndpoint === 'moto') {
    // moto's cost per segment does not depend on how busy core 1 is: checked before the noise.
    const motoCost =
      f.motoCpuUsPerSegment === null
        ? ''
        : `; moto spent ${f.motoCpuUsPerSegment.toFixed(0)} µs of CPU per segment, i.e. at most ~${(1e6 / f.motoCpuUsPerSegment / 1000).toFixed(1)}k segments/s on a whole core, and it shares core 0 (${f.cpu0BusyPercent.toFixed(0)}% busy) with the load generator`;
    kind = 'xray-standin';
    stage = `X-Ray stand-in (moto): the awsxray exporter had PutTraceSegments calls in flight ${(xrayPathBusy * 100).toFixed(0)}% of the time while ${core}${motoCost}`;
  } else if (
    f.cpu1BusyPercent >= SHARED_CORE_BUSY &&
    f.otherCpu1Percent >= SHARED_CORE_OTHER &&
    !generatorShort &&
    f.cpu0BusyPercent < AT_LIMIT_CPU
  ) {
    kind = 'noise';
    stage = `noise: the collector shared its core — core 1 was ${f.cpu1BusyPercent.toFixed(0)}% busy, ${f.otherCpu1Percent.toFixed(0)}% of it other processes on this machine (core 0: ${f.cpu0BusyPercent.toFixed(0)}% busy, ${f.otherCpu0Percent.toFixed(0)}% other), while ${core}; not a property of the collector — rerun on a quiet machine`;
  } else if (xrayPathBusy >= BUSY_EXPORTER && spec.xrayEndpoint === 'sink' && SINK_CPU === LOAD_CPU && f.cpu0BusyPercent >= AT_LIMIT_CPU) {
    kind = 'load-side';
    stage = `load side: core 0 ${f.cpu0BusyPercent.toFixed(0)}% busy (telemetrygen, stand-ins and the null X-Ray endpoint share it), so even the null endpoint answered slowly (X-Ray path busy ${(xrayPathBusy * 100).toFixed(0)}% of the time) while ${core} — not the collector's limit`;
  } else if (xrayPathBusy >= BUSY_EXPORTER) {
    kind = 'xray-path';
    stage = `X-Ray path: the awsxray exporter waits on ${describeEndpoint(spec, 'awsxray')}, requests in flight ${(xrayPathBusy * 100).toFixed(0)}% of the time while ${core}`;
  } else if (vendorBusiest !== undefined && vendorBusiest.busyFraction >= BUSY_EXPORTER) {
    kind = 'exporter-endpoint';
    stage = `${vendorBusiest.exporter} waiting on ${describeEndpoint(spec, vendorBusiest.exporter)} (in flight ${(vendorBusiest.busyFraction * 100).toFixed(0)}% of the time) while ${core}`;
  } else if (!f.drained && backlog !== undefined) {
    kind = 'queue';
    stage = `${backlog.exporter}'s queue: it grew to ${String(backlog.maxQueueSize)} items and had not drained ${String(f.drainS)} s after the load, while ${core}`;
  } else if (generatorShort || f.cpu0BusyPercent >= AT_LIMIT_CPU) {
    kind = 'load-side';
    stage = `load side: core 0 (telemetrygen + stand-ins) ${f.cpu0BusyPercent.toFixed(0)}% busy (${f.otherCpu0Percent.toFixed(0)}% of it other processes) and telemetrygen reached ${((f.generatedPerSecond / f.targetSpansPerSecond) * 100).toFixed(0)}% of the rate, while ${core} — the limit measured is the load side's, not the collector's`;
  } else if (f.otherCpu0Percent >= SHARED_CORE_OTHER || f.otherCpu1Percent >= SHARED_CORE_OTHER) {
    kind = 'noise';
    stage = `noise: no core was saturated, but other processes on this machine used ${f.otherCpu1Percent.toFixed(0)}% of core 1 and ${f.otherCpu0Percent.toFixed(0)}% of core 0 while ${core}; telemetrygen drops spans after a stall of ~${((2048 / f.targetSpansPerSecond) * 1000).toFixed(0)} ms (its 2048-span queue), which such competition causes — rerun on a quiet machine`;
  } else {
    kind = 'latency';
    stage = `collector latency: not CPU-bound (${f.collectorCpuPercent.toFixed(0)}%) and no exporter busy all the time, yet it took spans too slowly for telemetrygen's span queue (2048 spans: a stall of ~${((2048 / f.targetSpansPerSecond) * 1000).toFixed(0)} ms at this rate drops spans)`;
  }
  return { max, limitStep: f.targetSpansPerSecond, kind, stage, evidence };
}
