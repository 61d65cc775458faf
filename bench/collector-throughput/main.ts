/**
 * Collector throughput: how many spans/s our collector moves with zero loss, per core. The
 * testbed's parts are apart: load-generator.ts (telemetrygen), backends.ts (stand-ins and the
 * null X-Ray endpoint), collector.ts (the collector under test and its configs), metrics.ts and
 * procfs.ts (sampling), step.ts and validate.ts (one step and its pass/fail), verdict.ts (what
 * limited a config), profile.ts, results.ts and report.ts. Started by `make bench-collector`.
 *
 * Natively (no Docker), in one run, for each collector config below: start our collector binary
 * (otel-collector/build/otelcol-cruddur) pinned to CPU 1, then offer stepped OTLP/gRPC trace
 * load with telemetrygen (pinned to CPU 0 with the stand-ins and this runner). Per step the
 * collector's own Prometheus metrics are read as deltas (accepted / refused / failed spans,
 * sent / send_failed / enqueue_failed per exporter, processor in/out, queue size), next to
 * telemetrygen's own count of generated spans, the collector's CPU (utime+stime from /proc) and
 * RSS (VmRSS sampled, VmHWM). A step passes when the offered rate was achieved (±5%), every
 * generated span was accepted, every exporter of the config sent every accepted span, and
 * nothing was refused, failed or dropped.
 *
 * Configs (BENCH_CONFIGS, comma list; all by default):
 *   pass-through       pass-through.yaml: otlp receiver -> otlp_grpc exporter -> the Honeycomb
 *                      stand-in. The reference.
 *   fan-out            the shipped files (FAN_OUT_FILES in collector.ts) against the Honeycomb
 *                      stand-in and moto (X-Ray + CloudWatch).
 *   fan-out-xray-sink  the same files, but the AWS endpoint is a null X-Ray endpoint
 *                      (xray-sink.ts) that answers PutTraceSegments at once: separates the
 *                      collector's own cost from moto's (Python) cost of storing segments.
 *
 * Environment: BENCH_QUICK=1 (short steps: a smoke run), BENCH_CONFIGS, BENCH_STEPS (spans/s,
 * comma list), BENCH_STEP_SECONDS, BENCH_DRAIN_SECONDS, BENCH_KEPT_UP_SECONDS (a backlog that
 * takes longer to clear fails the step), BENCH_STOP_AFTER (consecutive failing steps that end a
 * config), BENCH_WORKER_RATE (spans/s per telemetrygen worker), BENCH_SINK_CPU (where the null
 * X-Ray endpoint runs; diagnostic), BENCH_PROFILE (0: no CPU profile of the collector),
 * BENCH_LABEL, BENCH_OUTPUT, TELEMETRYGEN (binary; make passes it), GO (for `go tool pprof`).
 * BENCH_QUICK=1 makes a two-minute smoke run.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { collectorBin, repoRoot } from '@cruddur/testkit/paths';
import { loadAverage, motoVersion, warnIfBusy } from '../lib/host.ts';
import { commandOutput, sleep } from '@cruddur/testkit/processes';
import { startHoneycomb, startMoto, startXraySink, type Backends } from './backends.ts';
import { FAN_OUT_FILES, PASS_THROUGH_CONFIG, SPECS, startCollector } from './collector.ts';
import { SPAN_ATTRIBUTES, startLoad, telemetrygenArgs, telemetrygenVersion } from './load-generator.ts';
import { waitIdle } from './metrics.ts';
import { stopAll } from './processes.ts';
import { profileCollector } from './profile.ts';
import { collectorThroughputRatios } from './report.ts';
import {
  TARGET_RSS_MIB,
  TARGET_SPANS_PER_CORE,
  type CollectorProfile,
  type CollectorThroughputResults,
  type ConfigResult,
  type StepResult,
} from './results.ts';
import {
  CLIENT_BATCH,
  COLLECTOR_CPU,
  DRAIN_S,
  KEPT_UP_S,
  LOAD_CPU,
  LOG_DIR,
  MAX_RATE_PER_WORKER,
  OUTPUT,
  PROFILE,
  QUICK,
  SAMPLE_MS,
  SELECTED,
  SINK_CPU,
  SPANS_PER_TRACE,
  STEP_S,
  STEPS,
  STOP_AFTER,
  WARMUP_S,
} from './settings.ts';
import { runStep } from './step.ts';
import { limitOf } from './verdict.ts';

function gitState(): { commit: string; uncommittedConfigFiles: string[] } {
  const commit = commandOutput('git', ['-C', repoRoot, 'rev-parse', 'HEAD']);
  const status = commandOutput('git', [
    '-C',
    repoRoot,
    'status',
    '--porcelain',
    '--',
    'otel-collector/config',
    'otel-collector/profiles.yaml',
    path.relative(repoRoot, PASS_THROUGH_CONFIG),
  ]);
  const files =
    status === 'unknown'
      ? []
      : status
          .split('\n')
          .filter((line) => line !== '')
          .map((line) => line.replace(/^\s*\S+\s+/, ''));
  return { commit, uncommittedConfigFiles: files };
}

async function main(): Promise<void> {
  if (os.cpus().length < 2) throw new Error('needs 2 cores: the collector is pinned to CPU 1, the load to CPU 0');
  // Pin this runner (all its threads) and so everything it starts without taskset to CPU 0.
  execFileSync('taskset', ['-a', '-p', '-c', LOAD_CPU, String(process.pid)], { stdio: 'ignore' });
  mkdirSync(LOG_DIR, { recursive: true });
  mkdirSync(path.dirname(OUTPUT), { recursive: true });
  const loadBefore = loadAverage();
  warnIfBusy(loadBefore);
  process.stdout.write(
    `collector throughput: configs ${SELECTED.join(', ')}; steps ${STEPS.join(', ')} spans/s x ${String(STEP_S)} s${QUICK ? ' (quick)' : ''}\n`,
  );

  const configs: ConfigResult[] = [];
  const stopOnSignal = (): void => {
    void stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  try {
    const [honeycomb, moto, sink] = await Promise.all([startHoneycomb(), startMoto(), startXraySink()]);
    const backends: Backends = { honeycomb, moto, sink };
    for (const name of SELECTED) {
      const spec = SPECS[name];
      const awsEndpoint = spec.xrayEndpoint === 'sink' ? sink.url : moto.url;
      const collector = await startCollector(spec, honeycomb, awsEndpoint);
      const steps: StepResult[] = [];
      let limit: ReturnType<typeof limitOf>;
      let profile: CollectorProfile | undefined;
      try {
        // Warm-up at the lowest step, not recorded: connections, queues and the heap settle.
        const warmup = startLoad(`telemetrygen-${spec.name}-warmup`, collector.otlpEndpoint, Math.min(...STEPS), WARMUP_S);
        await warmup.done;
        await waitIdle(collector, DRAIN_S);
        let failingInARow = 0;
        for (const [index, target] of STEPS.entries()) {
          const step = await runStep(spec, collector, backends, target, index);
          steps.push(step);
          failingInARow = step.pass ? 0 : failingInARow + 1;
          if (failingInARow >= STOP_AFTER) break;
          await sleep(2000);
        }
        limit = limitOf(spec, steps);
        if (PROFILE) {
          const target = limit.limitStep ?? steps.at(-1)?.targetSpansPerSecond ?? Math.max(...STEPS);
          profile = await profileCollector(spec, collector, backends, target);
        }
      } finally {
        await collector.stop();
      }
      process.stdout.write(
        `  ${spec.name}: max ${limit.max === null ? 'none' : String(limit.max)} spans/s with 0 loss; limit: ${limit.stage}\n`,
      );
      configs.push({
        name: spec.name,
        description: spec.description,
        files: spec.files.map((file) => path.relative(repoRoot, file)),
        exporters: spec.exporters,
        steps,
        maxPassingSpansPerSecond: limit.max,
        limitStepSpansPerSecond: limit.limitStep,
        limitKind: limit.kind,
        limitingStage: limit.stage,
        evidence: limit.evidence,
        ...(profile === undefined ? {} : { profile }),
      });
    }
  } finally {
    await stopAll();
  }

  const collectorVersion = commandOutput(collectorBin, ['--version']);
  const tgArgs = telemetrygenArgs('127.0.0.1:$OTLP_PORT', 10_000, STEP_S).map((arg) => (/[\s"]/.test(arg) ? `'${arg}'` : arg));
  const results: CollectorThroughputResults = {
    meta: {
      date: new Date().toISOString(),
      label: process.env.BENCH_LABEL ?? '',
      quick: QUICK,
      host: {
        cpu: os.cpus()[0]?.model ?? 'unknown',
        cores: os.cpus().length,
        memoryMiB: Math.round(os.totalmem() / 2 ** 20),
        kernel: os.release(),
        loadBefore,
      },
      versions: { collector: collectorVersion, telemetrygen: telemetrygenVersion(), node: process.version, moto: motoVersion() },
      git: gitState(),
      conditions: {
        collectorCpu: `taskset -c ${COLLECTOR_CPU} (one core; Go sizes GOMAXPROCS from the affinity mask: 1)`,
        loadCpu: `taskset -c ${LOAD_CPU}: telemetrygen, the Honeycomb stand-in, moto, this runner; the null X-Ray endpoint on CPU ${SINK_CPU}`,
        stepSeconds: STEP_S,
        drainTimeoutSeconds: DRAIN_S,
        keptUpSeconds: KEPT_UP_S,
        warmupSeconds: WARMUP_S,
        stepsSpansPerSecond: STEPS,
        stopAfterFailingSteps: STOP_AFTER,
        spansPerTrace: SPANS_PER_TRACE,
        maxRatePerWorker: MAX_RATE_PER_WORKER,
        clientBatchSize: CLIENT_BATCH,
        sampleIntervalMs: SAMPLE_MS,
        spanShape: `telemetrygen traces, ${String(SPANS_PER_TRACE)} spans per trace (client + server), each with ${String(SPAN_ATTRIBUTES.length + 2)} attributes shaped like the app's request span (${SPAN_ATTRIBUTES.map((a) => a.split('=')[0] ?? a).join(', ')})`,
        collectorEnvironment:
          'shipped defaults (OTELCOL_BATCH_TIMEOUT 1s, memory_limiter 80% of host memory, log level info); file_storage in a fresh temp dir per config; moto and the Honeycomb stand-in reset before every step',
      },
      targets: { spansPerSecondPerCore: TARGET_SPANS_PER_CORE, rssMiB: TARGET_RSS_MIB },
      commands: {
        runner: 'make bench-collector   (= taskset -c 0 node bench/collector-throughput/main.ts)',
        'collector (fan-out)': `taskset -c ${COLLECTOR_CPU} otel-collector/build/otelcol-cruddur ${FAN_OUT_FILES.map((file) => `--config ${path.relative(repoRoot, file)}`).join(' ')}`,
        'collector (pass-through)': `taskset -c ${COLLECTOR_CPU} otel-collector/build/otelcol-cruddur --config ${path.relative(repoRoot, PASS_THROUGH_CONFIG)}`,
        'load (10k spans/s shown)': `taskset -c ${LOAD_CPU} telemetrygen ${tgArgs.join(' ')}`,
        moto: `taskset -c ${LOAD_CPU} .tools/venv/bin/moto_server -H 127.0.0.1 -p $PORT`,
        'honeycomb stand-in': `HONEYCOMB_API_KEY=... taskset -c ${LOAD_CPU} .tools/bin/otlp-standin -mode honeycomb -grpc-addr 127.0.0.1:$GRPC -http-addr 127.0.0.1:$HTTP -limit 1000`,
      },
    },
    configs,
  };
  writeFileSync(OUTPUT, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`wrote ${path.relative(process.cwd(), OUTPUT)}\n`);
  for (const line of collectorThroughputRatios(results)) process.stdout.write(`${line}\n`);
}

if (import.meta.main) await main();
