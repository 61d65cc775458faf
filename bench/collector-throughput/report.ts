/**
 * Renders docs/bench/results/collector-throughput.json (written by main.ts): a Markdown section
 * for docs/bench/RESULTS.md and the lines `make bench` prints. Every comparison is between configs
 * of the same run: absolute spans/s vary with the machine's load, the ratio of fan-out to
 * pass-through measured side by side is what counts.
 *
 * `node bench/collector-throughput/report.ts [results.json]` prints the section and the ratios.
 */
import { readFileSync } from 'node:fs';

import { exactCommands, fmt } from '../lib/markdown.ts';
import {
  COLLECTOR_THROUGHPUT_JSON,
  type CollectorThroughputResults,
  type ConfigName,
  type ConfigResult,
  type LimitKind,
  type StepResult,
} from './results.ts';

const spans = (value: number | null): string => (value === null ? 'none' : value.toLocaleString('en-US'));

function config(results: CollectorThroughputResults, name: ConfigName): ConfigResult | undefined {
  return results.configs.find((c) => c.name === name);
}

function passingStep(c: ConfigResult): StepResult | undefined {
  return c.steps.find((s) => s.pass && s.targetSpansPerSecond === c.maxPassingSpansPerSecond);
}

/** max / max, or null when either side has no passing step. */
function ratio(numerator: ConfigResult | undefined, denominator: ConfigResult | undefined): number | null {
  const n = numerator?.maxPassingSpansPerSecond ?? null;
  const d = denominator?.maxPassingSpansPerSecond ?? null;
  return n === null || d === null || d === 0 ? null : n / d;
}

/** Limits that are not the collector's: its real maximum is at least the figure measured. */
const NOT_THE_COLLECTOR: ReadonlySet<LimitKind> = new Set<LimitKind>(['not-reached', 'load-side', 'noise']);

/** "≥" when the figure is a lower bound: every step passed, or the load side or noise stopped it. */
function bound(c: ConfigResult): string {
  return c.maxPassingSpansPerSecond !== null && NOT_THE_COLLECTOR.has(c.limitKind) ? '≥ ' : '';
}

/** CPU per span at a step, as µs, i.e. the per-core ceiling 1e6 / (µs/span) if CPU were the limit. */
function cpuCeiling(step: StepResult | undefined): number | null {
  if (step === undefined || !Number.isFinite(step.collectorCpuUsPerSpan) || step.collectorCpuUsPerSpan <= 0) return null;
  return 1e6 / step.collectorCpuUsPerSpan;
}

interface Verdict {
  readonly throughputMet: boolean | null;
  readonly rssMet: boolean | null;
  readonly rssMiB: number | null;
}

function verdict(results: CollectorThroughputResults, c: ConfigResult | undefined): Verdict {
  if (c === undefined) return { throughputMet: null, rssMet: null, rssMiB: null };
  const step = passingStep(c);
  const rss = step?.collectorHwmMiB ?? null;
  return {
    throughputMet: c.maxPassingSpansPerSecond === null ? false : c.maxPassingSpansPerSecond >= results.meta.targets.spansPerSecondPerCore,
    rssMet: rss === null ? null : rss <= results.meta.targets.rssMiB,
    rssMiB: rss,
  };
}

const mark = (ok: boolean | null): string => (ok === null ? 'n/a' : ok ? 'met' : '**not met**');

export function renderCollectorThroughput(results: CollectorThroughputResults): string {
  const { meta } = results;
  const out: string[] = [];
  out.push('## 2. Collector throughput', '');
  out.push(
    `Generated from \`docs/bench/results/collector-throughput.json\` (\`make bench-collector\`, bench/collector-throughput/main.ts). Run: ${meta.date}${meta.label === '' ? '' : ` (${meta.label})`}${meta.quick ? ' — **quick smoke run, short steps: not a measurement**' : ''}.`,
  );
  out.push(
    `Host: ${meta.host.cpu}, ${String(meta.host.cores)} cores, ${String(meta.host.memoryMiB)} MiB, Linux ${meta.host.kernel}; load average before the run ${meta.host.loadBefore.join(' / ')}.`,
  );
  out.push(
    `Versions: ${Object.entries(meta.versions)
      .map(([name, v]) => `${name} ${v}`)
      .join(
        ', ',
      )}. Commit ${meta.git.commit.slice(0, 12)}${meta.git.uncommittedConfigFiles.length === 0 ? '' : `, with uncommitted changes to ${meta.git.uncommittedConfigFiles.map((f) => `\`${f}\``).join(', ')}`}.`,
  );
  out.push(`Pinning: collector ${meta.conditions.collectorCpu}; ${meta.conditions.loadCpu}. So spans/s below are **per collector core**.`);
  out.push(
    `Load: ${meta.conditions.spanShape}; OTLP/gRPC, client batches of ${String(meta.conditions.clientBatchSize)}, at most ${String(meta.conditions.maxRatePerWorker)} spans/s per telemetrygen worker. Steps of ${String(meta.conditions.stepSeconds)} s (${meta.conditions.stepsSpansPerSecond.map(String).join(', ')} spans/s; a config stops after ${String(meta.conditions.stopAfterFailingSteps)} failing steps in a row), each followed by a drain of up to ${String(meta.conditions.drainTimeoutSeconds)} s (a step whose backlog needs more than ${String(meta.conditions.keptUpSeconds)} s to clear did not keep up); a ${String(meta.conditions.warmupSeconds)} s warm-up first. Collector: ${meta.conditions.collectorEnvironment}.`,
    '',
  );
  out.push(
    "A step **passes** when telemetrygen generated the offered rate (±5%), the collector accepted every generated span (none lost in the client's span queue), nothing was refused or failed by the receiver or dropped by a processor, and **every exporter of the config sent every accepted span** (Honeycomb and X-Ray each get all of them) with 0 send_failed / enqueue_failed, read from the collector's own metrics as deltas over the step and its drain.",
    '',
  );

  out.push(
    '| Config | max spans/s with 0 loss (per core) | collector CPU at that step | µs CPU / span | peak RSS (VmHWM) | limiting stage |',
    '|---|---:|---:|---:|---:|---|',
  );
  for (const c of results.configs) {
    const step = passingStep(c);
    out.push(
      `| ${c.name} | ${bound(c)}${spans(c.maxPassingSpansPerSecond)} | ${fmt(step?.collectorCpuPercent)}% | ${fmt(step?.collectorCpuUsPerSpan, 1)} | ${fmt(step?.collectorHwmMiB)} MiB | ${c.limitingStage} |`,
    );
  }
  out.push('');

  const fanOut = config(results, 'fan-out');
  const sink = config(results, 'fan-out-xray-sink');
  const pass = config(results, 'pass-through');
  out.push('### Targets', '');
  out.push(
    `| Config | ≥ ${spans(meta.targets.spansPerSecondPerCore)} spans/s per core with 0 loss | RSS ≤ ${String(meta.targets.rssMiB)} MiB (VmHWM up to that step) |`,
    '|---|:-:|:-:|',
  );
  for (const c of [fanOut, sink, pass]) {
    if (c === undefined) continue;
    const v = verdict(results, c);
    out.push(
      `| ${c.name} | ${mark(v.throughputMet)} (${bound(c)}${spans(c.maxPassingSpansPerSecond)}) | ${mark(v.rssMet)} (${fmt(v.rssMiB)} MiB) |`,
    );
  }
  out.push(
    '',
    'The target applies to **fan-out**, the shipped config; fan-out-xray-sink shows what the same collector does when the X-Ray endpoint costs nothing, pass-through what the binary does with no processing at all.',
    '',
  );

  out.push('### Ratios (same run)', '');
  for (const line of ratioLines(results)) out.push(`- ${line}`);
  out.push('');

  for (const c of results.configs) {
    out.push(`### ${c.name}`, '');
    out.push(
      `${c.description}. Files: ${c.files.map((f) => `\`${f}\``).join(', ')}. Exporters checked: ${c.exporters.map((e) => `\`${e}\``).join(', ')}.`,
      '',
    );
    const exporterNames = [...new Set([...c.exporters, ...c.steps.flatMap((s) => s.exporters.map((e) => e.exporter))])];
    const internal = exporterNames.filter((name) => !c.exporters.includes(name));
    if (internal.length > 0)
      out.push(
        `Internal hops reported by the collector (not vendors; their queues count towards the drain): ${internal.map((e) => `\`${e}\``).join(', ')}.`,
        '',
      );
    const exporterHeads = exporterNames.map((e) => `${e} sent / in flight / max queue`);
    const sinkColumn = c.steps.some((s) => s.sinkSegments !== null);
    const motoColumn = c.steps.some((s) => s.motoCpuUsPerSegment !== null);
    out.push(
      `| offered spans/s | generated /s | accepted /s | lost before collector | refused / failed | ${exporterHeads.join(' | ')} |${sinkColumn ? ' null X-Ray endpoint got |' : ''}${motoColumn ? ' moto CPU µs / segment |' : ''} drained in s | collector CPU % | µs/span | RSS max MiB | VmHWM MiB | core 0 busy % | telemetrygen / Honeycomb stand-in / moto / other on core 0 % | other on core 1 % | result |`,
    );
    out.push(
      `|---:|---:|---:|---:|---:|${exporterNames.map(() => '---:').join('|')}|${sinkColumn ? '---:|' : ''}${motoColumn ? '---:|' : ''}---:|---:|---:|---:|---:|---:|---:|---:|---|`,
    );
    for (const s of c.steps) {
      const exporterCells = exporterNames.map((name) => {
        const e = s.exporters.find((x) => x.exporter === name);
        if (e === undefined) return 'n/a';
        return `${String(e.sent)} / ${fmt(e.busyFraction * 100)}% / ${e.maxQueueSize === null ? '—' : String(e.maxQueueSize)}${e.sendFailed + e.enqueueFailed > 0 ? ` (failed ${String(e.sendFailed + e.enqueueFailed)})` : ''}`;
      });
      const result = s.pass ? 'pass' : `**fail**: ${s.failures.join('; ')}`;
      out.push(
        `| ${spans(s.targetSpansPerSecond)} | ${fmt(s.generatedPerSecond)} | ${fmt(s.acceptedPerSecond)} | ${String(s.lostBeforeCollector)} | ${String(s.refusedSpans)} / ${String(s.failedSpans)} | ${exporterCells.join(' | ')} |${sinkColumn ? ` ${s.sinkSegments === null ? 'n/a' : String(s.sinkSegments)} |` : ''}${motoColumn ? ` ${fmt(s.motoCpuUsPerSegment)} |` : ''} ${s.drained ? fmt(s.drainS, 1) : `not (${fmt(s.drainS, 0)})`} | ${fmt(s.collectorCpuPercent)} | ${fmt(s.collectorCpuUsPerSpan, 1)} | ${fmt(s.collectorRssMaxMiB)} | ${fmt(s.collectorHwmMiB)} | ${fmt(s.cpu0BusyPercent)} | ${fmt(s.telemetrygenCpuPercent)} / ${fmt(s.honeycombStandinCpuPercent)} / ${fmt(s.motoCpuPercent)} / ${fmt(s.otherCpu0Percent)} | ${fmt(s.otherCpu1Percent)} | ${result} |`,
      );
    }
    out.push('');
    out.push(
      `**Highest step with 0 loss: ${bound(c)}${spans(c.maxPassingSpansPerSecond)} spans/s.** Limiting stage: ${c.limitingStage}.`,
      '',
    );
    if (c.evidence.length > 0) {
      out.push('Evidence:', '');
      for (const line of c.evidence) out.push(`- ${line}`);
      out.push('');
    }
    if (c.profile !== undefined) {
      const p = c.profile;
      out.push(
        `CPU profile of the collector (pprof, ${String(p.seconds)} s at ${spans(p.targetSpansPerSecond)} spans/s offered, collector at ${fmt(p.collectorCpuPercent)}% CPU; \`${p.file}\`, not committed). Share of samples whose stack contains the stage (stages overlap: the pipelines run synchronously under the receiver):`,
        '',
      );
      out.push('| stage | % of collector CPU |', '|---|---:|');
      for (const s of p.stages) out.push(`| ${s.stage} | ${fmt(s.percent, 1)} |`);
      out.push('', '| self % | cum % | function |', '|---:|---:|---|');
      for (const t of p.top.slice(0, 12)) out.push(`| ${fmt(t.flatPercent, 1)} | ${fmt(t.cumPercent, 1)} | \`${t.function}\` |`);
      out.push('');
    }
  }
  out.push(...exactCommands(meta.commands));
  return out.join('\n');
}

/** Fan-out vs pass-through and the verdict, one line each (no indentation). */
function ratioLines(results: CollectorThroughputResults): string[] {
  const lines: string[] = [];
  const target = results.meta.targets.spansPerSecondPerCore;
  const fanOut = config(results, 'fan-out');
  const sink = config(results, 'fan-out-xray-sink');
  const pass = config(results, 'pass-through');
  // A lower-bound numerator makes the ratio a lower bound, a lower-bound denominator an upper one.
  const r = (n: ConfigResult | undefined, d: ConfigResult | undefined): string => {
    const value = ratio(n, d);
    if (value === null || n === undefined || d === undefined) return 'n/a';
    const low = bound(n) !== '';
    const high = bound(d) !== '';
    if (low && high) return `${value.toFixed(2)}x (neither side reached the collector's limit: not a ratio of limits)`;
    if (high) return `<= ${value.toFixed(2)}x (${d.name} stopped at a limit that is not the collector's)`;
    if (low) return `>= ${value.toFixed(2)}x (${n.name} stopped at a limit that is not the collector's)`;
    return `${value.toFixed(2)}x`;
  };
  if (fanOut !== undefined && pass !== undefined) lines.push(`fan-out / pass-through max spans/s: ${r(fanOut, pass)}`);
  if (sink !== undefined && pass !== undefined) lines.push(`fan-out-xray-sink / pass-through max spans/s: ${r(sink, pass)}`);
  if (fanOut !== undefined && sink !== undefined) lines.push(`fan-out (moto) / fan-out-xray-sink max spans/s: ${r(fanOut, sink)}`);
  const cpu = (c: ConfigResult | undefined): number | null => {
    const s = c === undefined ? undefined : passingStep(c);
    return s === undefined || !Number.isFinite(s.collectorCpuUsPerSpan) ? null : s.collectorCpuUsPerSpan;
  };
  const fanCpu = cpu(sink) ?? cpu(fanOut);
  const passCpu = cpu(pass);
  if (fanCpu !== null && passCpu !== null)
    lines.push(
      `collector CPU per span, fan-out${cpu(sink) === null ? '' : '-xray-sink'} / pass-through (at their highest passing steps): ${(fanCpu / passCpu).toFixed(2)}x (${fanCpu.toFixed(1)} vs ${passCpu.toFixed(1)} us)`,
    );
  for (const c of [fanOut, sink]) {
    if (c === undefined) continue;
    const v = verdict(results, c);
    const against = c.name === 'fan-out' ? 'against moto and the Honeycomb stand-in' : 'X-Ray answered by a null endpoint';
    lines.push(
      `target ${c.name} (${against}) >= ${spans(target)} spans/s per core with 0 loss: ${v.throughputMet === true ? 'met' : 'NOT met'} (${bound(c)}${spans(c.maxPassingSpansPerSecond)}; limit: ${c.limitKind}); RSS <= ${String(results.meta.targets.rssMiB)} MiB: ${v.rssMet === null ? 'n/a' : v.rssMet === true ? 'met' : 'NOT met'} (${fmt(v.rssMiB)} MiB)`,
    );
  }
  return lines;
}

/** The lines `make bench` prints for this benchmark. */
export function collectorThroughputRatios(results: CollectorThroughputResults): string[] {
  const lines: string[] = [];
  lines.push(
    `collector throughput, run of ${results.meta.date}${results.meta.quick ? ' (QUICK smoke run)' : ''} (collector on CPU 1, load on CPU 0; max spans/s with 0 loss per core):`,
  );
  for (const c of results.configs) {
    const step = passingStep(c);
    const ceiling = cpuCeiling(step);
    lines.push(
      `  ${c.name.padEnd(17)} ${(bound(c) + spans(c.maxPassingSpansPerSecond)).padStart(9)} spans/s  CPU ${fmt(step?.collectorCpuPercent).padStart(3)}%  ${fmt(step?.collectorCpuUsPerSpan, 1)} us/span${ceiling === null ? '' : ` (CPU ceiling ~${fmt(ceiling / 1000, 1)}k/s)`}  VmHWM ${fmt(step?.collectorHwmMiB)} MiB  limit: ${c.limitingStage}`,
    );
  }
  for (const line of ratioLines(results)) lines.push(`  ${line}`);
  return lines;
}

if (import.meta.main) {
  const file = process.argv[2] ?? COLLECTOR_THROUGHPUT_JSON;
  const results = JSON.parse(readFileSync(file, 'utf8')) as CollectorThroughputResults;
  process.stdout.write(`${renderCollectorThroughput(results)}\n`);
  for (const line of collectorThroughputRatios(results)) process.stdout.write(`${line}\n`);
}
