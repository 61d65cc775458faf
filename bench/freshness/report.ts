/**
 * The freshness section of docs/bench/RESULTS.md (`renderFreshness`) and the lines `make bench`
 * prints (`freshnessRatios`). Everything quoted is computed from the results file, so a new run
 * rewrites the prose with its own figures and settings.
 *
 * `node bench/freshness/report.ts` prints the section; `--ratios` prints the summary lines.
 */
import { readFileSync } from 'node:fs';

import { appDelayMs } from './model.ts';
import {
  BACKEND_LABELS,
  BACKENDS,
  FRESHNESS_JSON,
  type BackendFreshness,
  type BackendName,
  type CollectorStage,
  type FreshnessResults,
  type FreshnessVariantResult,
} from './results.ts';

const seconds = (ms: number | null, digits = 2): string => (ms === null ? 'n/a' : (ms / 1000).toFixed(digits));
const millis = (ms: number | null): string => (ms === null ? 'n/a' : ms.toFixed(0));

/** p95 met only with nothing lost and the percentile on a seen item at or under the target. */
function meets(b: BackendFreshness, targetMs: number): boolean {
  return b.lost === 0 && b.p95Ms !== null && b.p95Ms <= targetMs;
}

function worstP95(v: FreshnessVariantResult): number | null {
  const values = BACKENDS.map((backend) => v.backends[backend].p95Ms);
  return values.includes(null) ? null : Math.max(...values.map((value) => value ?? 0));
}

function timersCell(v: FreshnessVariantResult, backend: BackendName): string {
  const stage = v.settings.collector[backend];
  return `app ${String(appDelayMs(v.settings, backend))} ms + ${stage.kind === 'none' ? 'no collector timer' : `${stage.kind} ${String(stage.timeoutMs)} ms`}`;
}

/**
 * Variant/backend pairs slower than their timers explain, by either sign:
 * - data arrives less often than the timers allow: every stage fires at least every
 *   max(app delay, collector timeout) plus an export, so a delivery period well above that means a
 *   timer on the path is longer than the settings say (a busy host stretches the tail, not the period);
 * - the median is more than `slackMs` above the timer model's: more than transport can explain.
 */
export function timerAnomalies(results: FreshnessResults, slackMs = 400): string[] {
  const lines: string[] = [];
  for (const v of results.variants) {
    for (const backend of BACKENDS) {
      const b = v.backends[backend];
      const m = v.model[backend];
      const stage = v.settings.collector[backend];
      const longest = Math.max(appDelayMs(v.settings, backend), stage.kind === 'none' ? 0 : stage.timeoutMs);
      const slowPeriod = b.deliveryPeriodMs !== null && b.deliveryPeriodMs > 1.5 * longest + 100;
      const slowMedian = b.p50Ms !== null && b.p50Ms - m.p50Ms > slackMs;
      if (!slowPeriod && !slowMedian) continue;
      lines.push(
        `${v.name}, ${BACKEND_LABELS[backend]} (${timersCell(v, backend)}): p50 ${seconds(b.p50Ms)} s against a timer model of ${seconds(m.p50Ms)} s; data arrived every ${millis(b.deliveryPeriodMs)} ms (median) where no timer on the path is longer than ${millis(longest)} ms.`,
      );
    }
  }
  return lines;
}

function stageSentence(stage: CollectorStage): string {
  const exporters = stage.exporters.map((name) => `\`${name}\``).join(', ');
  if (stage.kind === 'batch processor') {
    return `pipeline \`${stage.pipeline}\`: a \`batch\` processor (timeout ${String(stage.timeoutMs)} ms, send_batch_size ${String(stage.sizeTrigger)}) before ${exporters}. Its timer is free-running — reset when it fires or a batch fills, not when data arrives — so an item waits between 0 and the timeout for the next tick. Worst case app delay + timeout; when both cycles are about as long, their relative phase drifts only slowly, so within a run the collector wait stays close to one value, and which value differs from run to run.`;
  }
  if (stage.kind === 'queue batcher') {
    // Older results lack `exporter`: read it back out of the component ("exporter NAME sending_queue.batch").
    const exporter = stage.exporter ?? /^exporter (\S+)/.exec(stage.component)?.[1] ?? stage.component;
    return `pipeline \`${stage.pipeline}\`: no batch processor; the \`${exporter}\` exporter's persistent \`sending_queue\`, whose \`batch\` step flushes ${String(stage.timeoutMs)} ms after a batch gets its **first** item (or at min_size ${String(stage.sizeTrigger)}). When the app exports less often than that, every app export opens a batch of its own and every item waits the **whole** flush_timeout: latency = flush_timeout + U(0, app delay) + transport, best case flush_timeout itself.`;
  }
  return `pipeline \`${stage.pipeline}\`: nothing holds data back before ${exporters}.`;
}

export function renderFreshness(results: FreshnessResults): string {
  const { meta } = results;
  const c = meta.conditions;
  const target = c.targetP95Ms;
  const out: string[] = [];
  out.push('## 3. Freshness', '');
  out.push(
    `Time from an HTTP response to its trace being readable from X-Ray and its access-log record from CloudWatch Logs, through the real compose stack (app → collector sidecar → moto standing in for both services). Generated from \`docs/bench/results/freshness.json\` (\`bench/freshness/main.ts\`, \`${meta.makeTarget}\`). Target: **p95 ≤ ${seconds(target, 1)} s in the dev profile**.`,
    '',
  );
  out.push(
    `Run: ${meta.date}${meta.label === '' ? '' : ` (${meta.label})`}. Host: ${meta.host.cpu}, ${String(meta.host.cores)} cores, Linux ${meta.host.kernel}; load average ${meta.host.loadBefore.join(' / ')} before, ${meta.host.loadAfter.join(' / ')} after${meta.host.otherContainers > 0 ? `; **${String(meta.host.otherContainers)} containers of other projects were running** (noisier)` : ''}.`,
  );
  out.push(
    `Load: ${String(c.ratePerS)} req/s open loop for ${String(c.durationS)} s per variant after a ${String(c.warmupS)} s warm-up, mix ${c.mix.join(', ')} (repeating); every request carries its own X-Ray-compatible trace id in \`traceparent\`. One fresh stack per variant (\`testkit/src/stack.ts\`: the real docker-compose.yml, \`local\` profile).`,
  );
  out.push(
    `Reading back: every ${String(c.pollIntervalMs)} ms, X-Ray \`GetTraceSummaries\` and CloudWatch \`FilterLogEvents\` (group \`${c.logGroup}\`, the record with \`log.type = access\`), each over a window starting 2 s before the oldest request not yet seen, so a poll reads seconds of data, not the whole run. After the last request polling goes on until everything is seen (limit ${String(c.drainLimitS)} s); a final \`BatchGetTraces\` / full \`FilterLogEvents\` sweep separates *late* from *lost*. Timing: ${c.timing}.`,
  );
  out.push(
    `Versions: ${Object.entries(meta.versions)
      .map(([name, version]) => `${name} ${version}`)
      .join(', ')}.`,
    '',
  );

  out.push(
    '| Variant | Backend | timers on the path | measured | p50 s | p95 s | max s | late | lost | timer model p50 / p95 / worst s | p95 ≤ 2 s |',
  );
  out.push('|---|---|---|---:|---:|---:|---:|---:|---:|---:|:-:|');
  for (const v of results.variants) {
    for (const backend of BACKENDS) {
      const b = v.backends[backend];
      const m = v.model[backend];
      out.push(
        `| ${v.name} | ${BACKEND_LABELS[backend]} | ${timersCell(v, backend)} | ${String(b.measured)} | ${seconds(b.p50Ms)} | **${seconds(b.p95Ms)}** | ${seconds(b.maxMs)} | ${String(b.late)} | ${String(b.lost)} | ${seconds(m.p50Ms)} / ${seconds(m.p95Ms)} / ${seconds(m.worstMs)} | ${meets(b, target) ? 'met' : '**not met**'} |`,
      );
    }
  }
  out.push('');
  out.push(
    "The timer model is what the batching timers alone give (no network, no moto, no poller), derived below. Measured figures sit above it by the transport: OTLP/gRPC export, the collector's persistent queue on disk, `PutTraceSegments` / `PutLogEvents` into moto (Python, on the same 2 cores) and the poll that finds the item.",
    '',
  );

  out.push(
    '| Variant | requests sent (warm-up) | failed | achieved req/s | response p50 / p99 ms | X-Ray polls (errors), rtt p50 / p95 ms, summaries per poll | CloudWatch polls (errors), rtt p50 / p95 ms, events per poll | measured − model at p50, X-Ray / CloudWatch ms | delivery period X-Ray / CloudWatch ms |',
  );
  out.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const v of results.variants) {
    const x = v.polling.xray;
    const w = v.polling.cloudwatch;
    const overP50 = (backend: BackendName): string => {
      const p50 = v.backends[backend].p50Ms;
      return p50 === null ? 'n/a' : millis(p50 - v.model[backend].p50Ms);
    };
    out.push(
      `| ${v.name} | ${String(v.requests.sent)} (${String(v.requests.warmup)}) | ${String(v.requests.failed)} | ${v.requests.achievedRatePerS.toFixed(1)} | ${millis(v.requests.responseP50Ms)} / ${millis(v.requests.responseP99Ms)} | ${String(x.polls)} (${String(x.errors)}), ${millis(x.p50RoundTripMs)} / ${millis(x.p95RoundTripMs)}, ${x.meanItemsPerPoll.toFixed(0)} | ${String(w.polls)} (${String(w.errors)}), ${millis(w.p50RoundTripMs)} / ${millis(w.p95RoundTripMs)}, ${w.meanItemsPerPoll.toFixed(0)} | ${overP50('xray')} / ${overP50('cloudwatch')} | ${millis(v.backends.xray.deliveryPeriodMs)} / ${millis(v.backends.cloudwatch.deliveryPeriodMs)} |`,
    );
  }
  out.push('');
  out.push(
    '"delivery period" is the median gap between successive arrivals in the backend (items first seen in the same poll arrived together): nothing arrives more often than the slowest batching stage on its path fires, so it shows the longest timer actually in effect.',
    '',
  );
  const anomalies = timerAnomalies(results);
  if (anomalies.length > 0) {
    out.push(
      '**Slower than their timers explain** (median more than 0.4 s above the model, or deliveries further apart than the longest configured timer allows): some stage on these paths holds data longer than its settings say.',
      '',
    );
    for (const line of anomalies) out.push(`- ${line}`);
    out.push('');
  }

  const dev = results.variants.find((v) => v.name === 'compose-defaults') ?? results.variants[0];
  out.push('### What decides it: the batching settings', '');
  if (dev !== undefined) {
    const s = dev.settings;
    out.push(
      `Settings of **${dev.name}**: app \`OTEL_BSP_SCHEDULE_DELAY\` = ${String(s.appBspScheduleDelayMs)} ms, \`OTEL_BLRP_SCHEDULE_DELAY\` = ${String(s.appBlrpScheduleDelayMs)} ms (docker-compose.yml defaults); collector timers from \`OTELCOL_BATCH_TIMEOUT\` (${s.batchTimeoutFromCompose === null ? "docker-compose.yml does not pass it to the collector, so a dev stack always runs the config files' default" : `docker-compose.yml passes ${s.batchTimeoutFromCompose}`}). The size triggers (${String(s.appMaxExportBatchSize)} in the app, ${BACKENDS.map((backend) => `${String(s.collector[backend].sizeTrigger)} for ${backend}`).join(', ')} in the collector) are far above what ${String(c.ratePerS)} req/s produces per interval, so only the timers act:`,
      '',
    );
    out.push(
      '1. **App, both signals** (`BatchSpanProcessor`, `BatchLogRecordProcessor`): the timer starts when the first span (record) of a new batch ends and fires one schedule delay later (or once 512 are queued); the batch goes out as one OTLP/gRPC call. An item waits between 0 and the delay, evenly spread; while an export is in flight nothing else is sent, so the cycle is the delay plus the export time.',
      `2. **Collector, X-Ray**: ${stageSentence(s.collector.xray)}`,
      `3. **Collector, CloudWatch**: ${stageSentence(s.collector.cloudwatch)} The \`awscloudwatchlogs\` exporter then makes one \`PutLogEvents\` per batch (it force-flushes after each call it gets).`,
      '4. **Honeycomb** is fed through the same kind of queue batcher with the same `flush_timeout` variable, so it behaves like the CloudWatch row; it is not polled here.',
      '5. **Measurement**: a poll finds an item at most one poll interval plus one round trip after it became readable (the second table gives both).',
      '',
    );
    for (const backend of BACKENDS) {
      const m = dev.model[backend];
      const b = dev.backends[backend];
      out.push(
        `Expected for ${BACKEND_LABELS[backend]} in ${dev.name}: worst ${seconds(m.worstMs)} s and p95 ${seconds(m.p95Ms)} s from the timers alone, plus transport; measured p95 ${seconds(b.p95Ms)} s, max ${seconds(b.maxMs)} s.`,
      );
    }
    out.push('');
  }

  out.push('### Verdict', '');
  for (const v of results.variants) {
    const parts = BACKENDS.map((backend) => {
      const b = v.backends[backend];
      const lossNote = b.lost > 0 ? `, **${String(b.lost)} lost**` : b.late > 0 ? `, ${String(b.late)} later than the drain` : ', 0 lost';
      return `${BACKEND_LABELS[backend]} p95 ${seconds(b.p95Ms)} s (${meets(b, target) ? 'met' : '**not met**'}${lossNote})`;
    });
    out.push(`- **${v.name}** (${v.description}): ${parts.join('; ')}.`);
  }
  out.push('');
  if (dev !== undefined) {
    const devMet = BACKENDS.every((backend) => meets(dev.backends[backend], target));
    const passing = results.variants.filter((v) => v !== dev && BACKENDS.every((backend) => meets(v.backends[backend], target)));
    out.push(
      devMet
        ? `**${dev.name}** meets p95 ≤ ${seconds(target, 1)} s on both backends in this run (worst p95 ${seconds(worstP95(dev))} s).`
        : `**${dev.name}** does **not** meet p95 ≤ ${seconds(target, 1)} s in this run (worst p95 ${seconds(worstP95(dev))} s)${passing.length === 0 ? '; no other variant measured here does either.' : `; ${passing.map((v) => `**${v.name}** does (worst p95 ${seconds(worstP95(v))} s)`).join(', ')}.`}`,
      '',
    );
  }
  return out.join('\n');
}

export function freshnessRatios(results: FreshnessResults): string[] {
  const c = results.meta.conditions;
  const lines = [
    `freshness, run of ${results.meta.date} (${String(c.ratePerS)} req/s for ${String(c.durationS)} s, polled every ${String(c.pollIntervalMs)} ms; target p95 <= ${seconds(c.targetP95Ms, 1)} s):`,
  ];
  for (const v of results.variants) {
    const parts = BACKENDS.map((backend) => {
      const b = v.backends[backend];
      return `${backend} p50 ${seconds(b.p50Ms)} s p95 ${seconds(b.p95Ms)} s max ${seconds(b.maxMs)} s lost ${String(b.lost)}${b.late > 0 ? ` late ${String(b.late)}` : ''} (${meets(b, c.targetP95Ms) ? 'met' : 'NOT met'})`;
    });
    lines.push(`  ${v.name.padEnd(16)} ${parts.join(' | ')}`);
  }
  for (const line of timerAnomalies(results)) lines.push(`  SLOWER THAN ITS TIMERS: ${line}`);
  return lines;
}

if (import.meta.main) {
  const results = JSON.parse(readFileSync(FRESHNESS_JSON, 'utf8')) as FreshnessResults;
  const text = process.argv.includes('--ratios') ? freshnessRatios(results).join('\n') : renderFreshness(results);
  process.stdout.write(`${text}\n`);
}
