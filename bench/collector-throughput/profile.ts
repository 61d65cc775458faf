/** A CPU profile of the collector at its limit (pprof), summarised per pipeline stage and function. */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

import { repoRoot } from '@cruddur/testkit/paths';
import { sleep } from '@cruddur/testkit/processes';
import { round } from '@cruddur/testkit/stats';
import type { Backends } from './backends.ts';
import type { Collector, ConfigSpec } from './collector.ts';
import { startLoad } from './load-generator.ts';
import { safeCpuMicros } from './procfs.ts';
import type { CollectorProfile, ProfileStage } from './results.ts';
import { GO, LOG_DIR, PROFILE_S } from './settings.ts';

/** Stages named by the frames their work runs under. A sample counts in every stage whose focus
 * matches a frame of its stack (and no ignore does): the receiver's share includes the
 * processors and the queue write it runs synchronously, so the shares overlap. */
const PROFILE_STAGES: readonly { stage: string; focus: string; ignore?: string }[] = [
  {
    stage: 'gRPC receivers and all they run synchronously (decode, processors, queue writes; X-Ray export excluded)',
    focus: 'grpc\\.\\(\\*Server\\)\\.handleStream',
    ignore: 'awsxrayexporter',
  },
  { stage: 'protobuf decode of incoming requests', focus: 'otelgrpc\\.\\(\\*codecV2\\)\\.Unmarshal' },
  {
    stage: 'processors (memory_limiter, filter, resource_detection, resource, attributes)',
    focus:
      'memorylimiterprocessor|filterprocessor|resourcedetectionprocessor|resourceprocessor|attributesprocessor|coreinternal/attraction',
  },
  { stage: 'persistent queues (encode, bbolt write, read back and decode)', focus: 'persistentQueue|filestorage|bbolt' },
  { stage: 'otlp_grpc exporters (marshal, gzip, gRPC client; includes a loopback spool if configured)', focus: 'otlpexporter' },
  { stage: 'batch processor, own work', focus: 'batchprocessor', ignore: 'awsxrayexporter' },
  { stage: 'awsxray exporter (span -> segment JSON, SigV4, HTTP to the endpoint)', focus: 'awsxrayexporter' },
  { stage: 'garbage collector (background mark)', focus: 'runtime\\.gcBgMarkWorker|runtime\\.bgsweep|runtime\\.bgscavenge' },
  { stage: 'memory allocation (runtime.mallocgc, any caller)', focus: 'runtime\\.mallocgc$' },
];

function pprofTop(file: string, extra: readonly string[]): string {
  return execFileSync(GO, ['tool', 'pprof', '-top', ...extra, file], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 2 ** 20,
  });
}

function summariseCollectorProfile(file: string): { stages: ProfileStage[]; top: CollectorProfile['top'] } {
  const stages = PROFILE_STAGES.map(({ stage, focus, ignore }) => {
    let percent = 0;
    try {
      // Every node, none dropped: the summary line then totals all samples that pass the filters.
      const text = pprofTop(file, [
        '-nodecount=1000000',
        '-nodefraction=0',
        '-edgefraction=0',
        `-focus=${focus}`,
        ...(ignore === undefined ? [] : [`-ignore=${ignore}`]),
      ]);
      const match = /Showing nodes accounting for [^,]+, ([\d.]+)% of/.exec(text);
      // pprof prints no summary at all when nothing matches the focus.
      percent = match?.[1] === undefined ? 0 : Number(match[1]);
    } catch {
      percent = 0;
    }
    return { stage, focus, ...(ignore === undefined ? {} : { ignore }), percent };
  });
  const top: CollectorProfile['top'] = [];
  for (const line of pprofTop(file, ['-nodecount=25']).split('\n')) {
    const match = /^\s*[\d.]+\w*\s+([\d.]+)%\s+[\d.]+%\s+[\d.]+\w*\s+([\d.]+)%\s+(.+)$/.exec(line);
    if (match?.[1] === undefined || match[2] === undefined || match[3] === undefined) continue;
    top.push({ function: match[3].trim(), flatPercent: Number(match[1]), cumPercent: Number(match[2]) });
  }
  return { stages, top };
}

export async function profileCollector(
  spec: ConfigSpec,
  collector: Collector,
  backends: Backends,
  target: number,
): Promise<CollectorProfile | undefined> {
  await backends.moto.reset();
  const load = startLoad(`telemetrygen-${spec.name}-profile`, collector.otlpEndpoint, target, PROFILE_S + 2);
  await sleep(1000);
  const cpuBefore = safeCpuMicros(collector.proc.pid);
  const wallBefore = process.hrtime.bigint();
  const file = path.join(LOG_DIR, `${spec.name}.pprof`);
  try {
    const response = await fetch(`${collector.pprofUrl}?seconds=${String(PROFILE_S)}`);
    if (!response.ok) throw new Error(`pprof answered ${String(response.status)}`);
    writeFileSync(file, Buffer.from(await response.arrayBuffer()));
  } catch (error) {
    process.stdout.write(`  ${spec.name}: no CPU profile (${error instanceof Error ? error.message : String(error)})\n`);
    await load.done;
    return undefined;
  }
  const cpuPercent = ((safeCpuMicros(collector.proc.pid) - cpuBefore) / (Number(process.hrtime.bigint() - wallBefore) / 1000)) * 100;
  await load.done;
  await sleep(3000);
  try {
    const { stages, top } = summariseCollectorProfile(file);
    process.stdout.write(
      `  ${spec.name} profile at ${String(target)}/s: ${stages.map((s) => `${s.stage.split(' (')[0] ?? s.stage} ${s.percent.toFixed(0)}%`).join(', ')}\n`,
    );
    return {
      file: path.relative(repoRoot, file),
      targetSpansPerSecond: target,
      seconds: PROFILE_S,
      collectorCpuPercent: round(cpuPercent),
      stages,
      top,
    };
  } catch (error) {
    process.stdout.write(`  ${spec.name}: profile not summarised (${error instanceof Error ? error.message : String(error)})\n`);
    return undefined;
  }
}
