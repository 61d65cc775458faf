/** One step: offer a rate for a while, sample as it runs, wait for the drain, then measure the deltas. */
import { readFileSync } from 'node:fs';

import { sleep } from '@cruddur/testkit/processes';
import { round } from '@cruddur/testkit/stats';
import type { Backends } from './backends.ts';
import type { Collector, ConfigSpec } from './collector.ts';
import { generatedSpans, loadShape, startLoad } from './load-generator.ts';
import {
  EXTERNAL_RECEIVER,
  isIdle,
  snapshot,
  waitIdle,
  ZERO_EXPORTER,
  ZERO_RECEIVER,
  type ReceiverCounters,
  type Snapshot,
} from './metrics.ts';
import { busyPercent, cpuTimes, memoryMiB, safeCpuMicros } from './procfs.ts';
import type { ExporterStep, StepResult } from './results.ts';
import { COLLECTOR_CPU, DRAIN_S, LOAD_CPU, SAMPLE_MS, SINK_CPU, STEP_S } from './settings.ts';
import { stepFailures } from './validate.ts';

/** Every exporter seen in either snapshot, vendor exporters of the config first. */
function exporterNames(spec: ConfigSpec, ...snapshots: readonly Snapshot[]): string[] {
  const seen = new Set<string>(spec.exporters);
  for (const snap of snapshots) for (const name of snap.exporters.keys()) seen.add(name);
  return [...seen];
}

export async function runStep(
  spec: ConfigSpec,
  collector: Collector,
  backends: Backends,
  target: number,
  stepIndex: number,
): Promise<StepResult> {
  if (!(await waitIdle(collector, DRAIN_S)))
    process.stdout.write(`  ${spec.name}: queues still not empty after ${String(DRAIN_S)} s; measuring anyway\n`);
  await backends.moto.reset();
  await backends.honeycomb.reset();
  const before = await snapshot(collector);
  const sinkBefore = spec.xrayEndpoint === 'sink' ? await backends.sink.segments() : 0;
  const cpuBefore = cpuTimes();
  const collectorCpuBefore = safeCpuMicros(collector.proc.pid);
  const motoCpuBefore = safeCpuMicros(backends.moto.proc.pid);
  const honeycombCpuBefore = safeCpuMicros(backends.honeycomb.proc.pid);
  const sinkCpuBefore = safeCpuMicros(backends.sink.proc.pid);
  const runnerCpuBefore = process.cpuUsage();
  const wallBefore = process.hrtime.bigint();

  const load = startLoad(`telemetrygen-${spec.name}-${String(stepIndex)}`, collector.otlpEndpoint, target, STEP_S);
  let loadCpu = 0;
  let rssMax = 0;
  let exited = false;
  void load.done.then(() => {
    exited = true;
  });
  const busy = new Map<string, { samples: number; busy: number; inFlight: number; maxQueue: number | null }>();
  while (!exited) {
    const tick = sleep(SAMPLE_MS);
    const cpu = safeCpuMicros(load.proc.pid);
    if (Number.isFinite(cpu)) loadCpu = cpu;
    rssMax = Math.max(rssMax, memoryMiB(collector.proc.pid).rss);
    const now = await snapshot(collector).catch(() => undefined);
    for (const [name, stats] of now?.exporters ?? []) {
      const entry = busy.get(name) ?? { samples: 0, busy: 0, inFlight: 0, maxQueue: null };
      busy.set(name, entry);
      entry.samples++;
      if (stats.inFlight > 0) entry.busy++;
      entry.inFlight += stats.inFlight;
      if (stats.queueSize !== null) entry.maxQueue = Math.max(entry.maxQueue ?? 0, stats.queueSize);
    }
    await Promise.race([tick, load.done]);
  }
  const exitCode = await load.done;
  const wallMicros = Number(process.hrtime.bigint() - wallBefore) / 1000;
  const collectorCpu = safeCpuMicros(collector.proc.pid) - collectorCpuBefore;
  const cpuAfter = cpuTimes();
  const motoCpu = safeCpuMicros(backends.moto.proc.pid) - motoCpuBefore;
  const honeycombCpu = safeCpuMicros(backends.honeycomb.proc.pid) - honeycombCpuBefore;
  const sinkCpu = safeCpuMicros(backends.sink.proc.pid) - sinkCpuBefore;
  const runnerUsage = process.cpuUsage(runnerCpuBefore);
  rssMax = Math.max(rssMax, memoryMiB(collector.proc.pid).rss);

  // Drain: telemetrygen has flushed and exited, so what the otlp receiver accepted is final; wait
  // until every vendor exporter has sent (or failed) all of it and every queue is empty.
  const acceptedOf = (snap: Snapshot): number => (snap.receivers.get(EXTERNAL_RECEIVER) ?? ZERO_RECEIVER).accepted;
  const drainStart = Date.now();
  let after = await snapshot(collector);
  let drained = false;
  while (Date.now() - drainStart < DRAIN_S * 1000) {
    const accepted = acceptedOf(after) - acceptedOf(before);
    const current = after;
    drained =
      spec.exporters.every((name) => {
        const a = current.exporters.get(name) ?? ZERO_EXPORTER;
        const b = before.exporters.get(name) ?? ZERO_EXPORTER;
        return a.sent + a.sendFailed - (b.sent + b.sendFailed) >= accepted;
      }) && isIdle(current);
    if (drained) break;
    await sleep(250);
    after = await snapshot(collector);
  }
  const drainS = (Date.now() - drainStart) / 1000;
  const memoryAfterDrain = memoryMiB(collector.proc.pid);
  // Per-item costs over load and drain: a backlog is still work for the collector and moto.
  const collectorCpuWithDrain = safeCpuMicros(collector.proc.pid) - collectorCpuBefore;
  const motoCpuWithDrain = safeCpuMicros(backends.moto.proc.pid) - motoCpuBefore;

  const generated = generatedSpans(readFileSync(load.proc.logFile, 'utf8'));
  const receiverDelta = (name: string): ReceiverCounters => {
    const a = after.receivers.get(name) ?? ZERO_RECEIVER;
    const b = before.receivers.get(name) ?? ZERO_RECEIVER;
    return { accepted: a.accepted - b.accepted, refused: a.refused - b.refused, failed: a.failed - b.failed };
  };
  const external = receiverDelta(EXTERNAL_RECEIVER);
  const accepted = external.accepted;
  const internalReceivers = [...new Set([...before.receivers.keys(), ...after.receivers.keys()])]
    .filter((name) => name !== EXTERNAL_RECEIVER)
    .map((name) => ({ receiver: name, ...receiverDelta(name) }));
  const processorDropped = after.processorIn - before.processorIn - (after.processorOut - before.processorOut);
  const exporters: ExporterStep[] = exporterNames(spec, before, after).map((name) => {
    const a = after.exporters.get(name) ?? ZERO_EXPORTER;
    const b = before.exporters.get(name) ?? ZERO_EXPORTER;
    const stats = busy.get(name);
    return {
      exporter: name,
      role: spec.exporters.includes(name) ? 'vendor' : 'internal',
      sent: a.sent - b.sent,
      sendFailed: a.sendFailed - b.sendFailed,
      enqueueFailed: a.enqueueFailed - b.enqueueFailed,
      maxQueueSize: stats?.maxQueue ?? null,
      busyFraction: stats === undefined || stats.samples === 0 ? Number.NaN : round(stats.busy / stats.samples, 2),
      meanInFlight: stats === undefined || stats.samples === 0 ? Number.NaN : round(stats.inFlight / stats.samples, 2),
    };
  });

  const xraySent = exporters.find((e) => e.exporter === 'awsxray')?.sent ?? 0;
  const { workers, ratePerWorker } = loadShape(target);
  const generatedPerSecond = generated / STEP_S;
  const failures = stepFailures({
    exitCode,
    target,
    generatedPerSecond,
    generated,
    external,
    internalReceivers,
    processorDropped,
    exporters,
    drained,
    drainS,
  });

  const cpu0Busy = busyPercent(cpuBefore, cpuAfter, LOAD_CPU);
  const cpu1Busy = busyPercent(cpuBefore, cpuAfter, COLLECTOR_CPU);
  const percentOfWall = (micros: number): number => (micros / wallMicros) * 100;
  const result: StepResult = {
    targetSpansPerSecond: target,
    workers,
    ratePerWorker: round(ratePerWorker, 2),
    durationS: STEP_S,
    generatedSpans: generated,
    generatedPerSecond: round(generatedPerSecond, 0),
    acceptedSpans: accepted,
    acceptedPerSecond: round(accepted / STEP_S, 0),
    lostBeforeCollector: Math.max(0, generated - accepted),
    refusedSpans: external.refused,
    failedSpans: external.failed,
    internalReceivers,
    processorDropped,
    exporters,
    drained,
    drainS: round(drainS, 1),
    collectorCpuPercent: round(percentOfWall(collectorCpu)),
    collectorCpuUsPerSpan: accepted === 0 ? Number.NaN : round(collectorCpuWithDrain / accepted, 2),
    collectorRssMiB: round(memoryAfterDrain.rss),
    collectorRssMaxMiB: round(rssMax),
    collectorHwmMiB: round(memoryAfterDrain.hwm),
    cpu0BusyPercent: round(cpu0Busy),
    cpu1BusyPercent: round(cpu1Busy),
    telemetrygenCpuPercent: round(percentOfWall(loadCpu)),
    honeycombStandinCpuPercent: round(percentOfWall(honeycombCpu)),
    motoCpuPercent: round(percentOfWall(motoCpu)),
    motoCpuUsPerSegment: spec.xrayEndpoint === 'moto' && xraySent > 0 ? round(motoCpuWithDrain / xraySent, 1) : null,
    runnerCpuPercent: round(percentOfWall(runnerUsage.user + runnerUsage.system)),
    otherCpu0Percent: round(
      Math.max(
        0,
        cpu0Busy -
          percentOfWall(loadCpu + honeycombCpu + motoCpu + (SINK_CPU === LOAD_CPU ? sinkCpu : 0) + runnerUsage.user + runnerUsage.system),
      ),
    ),
    otherCpu1Percent: round(Math.max(0, cpu1Busy - percentOfWall(collectorCpu))),
    sinkSegments: spec.xrayEndpoint === 'sink' ? (await backends.sink.segments()) - sinkBefore : null,
    sinkCpuPercent: round(percentOfWall(sinkCpu)),
    pass: failures.length === 0,
    failures,
  };
  const exporterText = exporters
    .map(
      (e) =>
        `${e.exporter} sent ${String(e.sent)} busy ${(e.busyFraction * 100).toFixed(0)}%${e.maxQueueSize === null ? '' : ` q<=${String(e.maxQueueSize)}`}`,
    )
    .join(', ');
  process.stdout.write(
    `  ${spec.name.padEnd(17)} ${String(target).padStart(6)}/s  gen ${String(result.generatedPerSecond).padStart(6)}/s  acc ${String(result.acceptedPerSecond).padStart(6)}/s  cpu ${result.collectorCpuPercent.toFixed(0).padStart(3)}%  rss ${result.collectorRssMaxMiB.toFixed(0)} MiB  cpu0 ${result.cpu0BusyPercent.toFixed(0)}%  ${exporterText}  ${result.pass ? 'PASS' : `FAIL: ${failures.join('; ')}`}\n`,
  );
  return result;
}
