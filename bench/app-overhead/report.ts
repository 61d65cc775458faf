/**
 * The app-overhead section of RESULTS.md and the lines `make bench` prints for it. Every derived
 * figure compares variants of the SAME run: absolute req/s vary from run to run on this machine,
 * the differences and ratios within one run are what count.
 */
import { exactCommands, fmt } from '../lib/markdown.ts';
import { median } from '@cruddur/testkit/stats';
import { ENDPOINTS, VARIANTS, type BenchResults, type EndpointName, type Mode, type VariantName } from './results.ts';

// Issue #17's targets: ours' added CPU per request within 1.5x the floor's (the HTTP span alone),
// naive's at least 3.5x ours', and the p99 added at the fixed rate within 1 ms in EVERY round.
const TARGET_FLOOR_RATIO = 1.5;
const TARGET_RATIO = 3.5;
const TARGET_P99_ADDED_MS = 1;

export interface Row {
  readonly variant: VariantName;
  readonly endpoint: EndpointName;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly cpuUsPerRequest: number;
  readonly utilisation: number;
  /** 1/rps(variant) - 1/rps(bare), microseconds. */
  readonly addedUs: number;
  /** Measured server CPU per request minus bare's, microseconds. */
  readonly addedCpuUs: number;
  readonly rateP50Ms: number;
  readonly rateP99Ms: number;
  readonly rateP99AddedMs: number;
  readonly errors: number;
}

export function summarise(results: BenchResults): Row[] {
  const pick = (variant: VariantName, endpoint: EndpointName, mode: Mode) =>
    results.measurements.filter((m) => m.variant === variant && m.endpoint === endpoint && m.mode === mode);
  const rows: Row[] = [];
  for (const endpoint of ENDPOINTS) {
    const bare = pick('bare', endpoint, 'saturate');
    const bareRps = median(bare.map((m) => m.rps));
    const bareCpu = median(bare.map((m) => m.serverCpuUsPerRequest));
    const bareRateP99 = median(pick('bare', endpoint, 'rate').map((m) => m.p99Ms));
    for (const variant of VARIANTS) {
      const saturate = pick(variant, endpoint, 'saturate');
      const rate = pick(variant, endpoint, 'rate');
      if (saturate.length === 0) continue;
      const rps = median(saturate.map((m) => m.rps));
      const cpu = median(saturate.map((m) => m.serverCpuUsPerRequest));
      const rateP99 = median(rate.map((m) => m.p99Ms));
      rows.push({
        variant,
        endpoint,
        rps,
        p50Ms: median(saturate.map((m) => m.p50Ms)),
        p99Ms: median(saturate.map((m) => m.p99Ms)),
        cpuUsPerRequest: cpu,
        utilisation: median(saturate.map((m) => m.serverCpuUtilisation)),
        addedUs: 1e6 / rps - 1e6 / bareRps,
        addedCpuUs: cpu - bareCpu,
        rateP50Ms: median(rate.map((m) => m.p50Ms)),
        rateP99Ms: rateP99,
        rateP99AddedMs: rateP99 - bareRateP99,
        errors: [...saturate, ...rate].reduce((total, m) => total + m.errors + m.non2xx, 0),
      });
    }
  }
  return rows;
}

const signed = (value: number, digits = 0): string => (Number.isFinite(value) ? `${value >= 0 ? '+' : ''}${value.toFixed(digits)}` : 'n/a');

function row(rows: Row[], variant: VariantName, endpoint: EndpointName): Row | undefined {
  return rows.find((r) => r.variant === variant && r.endpoint === endpoint);
}

export interface Verdict {
  readonly endpoint: EndpointName;
  /** Measured server CPU per request above bare's (medians of the rounds), microseconds. */
  readonly oursAddedCpuUs: number;
  readonly floorAddedCpuUs: number;
  readonly naiveAddedCpuUs: number;
  /** ours ÷ floor, added CPU. */
  readonly floorRatio: number;
  /** naive ÷ ours, added CPU. */
  readonly ratio: number;
  /** ours' fixed-rate p99 minus bare's, per round (each round's own bare), milliseconds. */
  readonly p99AddedByRoundMs: readonly number[];
  readonly floorRatioMet: boolean;
  readonly ratioMet: boolean;
  /** Every round within the target, not only the median. */
  readonly p99Met: boolean;
}

/** ours' fixed-rate p99 minus bare's of the same round, for every round that has both. */
function p99AddedByRound(results: BenchResults, endpoint: EndpointName): number[] {
  const rateP99 = (variant: VariantName, round: number): number | undefined =>
    results.measurements.find((m) => m.variant === variant && m.endpoint === endpoint && m.mode === 'rate' && m.round === round)?.p99Ms;
  const rounds = [...new Set(results.measurements.map((m) => m.round))].sort((a, b) => a - b);
  return rounds.flatMap((round) => {
    const ours = rateP99('ours', round);
    const bare = rateP99('bare', round);
    return ours === undefined || bare === undefined ? [] : [ours - bare];
  });
}

export function verdicts(rows: Row[], results: BenchResults): Verdict[] {
  return ENDPOINTS.flatMap((endpoint) => {
    const ours = row(rows, 'ours', endpoint);
    const floor = row(rows, 'floor', endpoint);
    const naive = row(rows, 'naive', endpoint);
    if (ours === undefined || floor === undefined || naive === undefined) return [];
    const floorRatio = ours.addedCpuUs / floor.addedCpuUs;
    const ratio = naive.addedCpuUs / ours.addedCpuUs;
    const p99AddedByRoundMs = p99AddedByRound(results, endpoint);
    return [
      {
        endpoint,
        oursAddedCpuUs: ours.addedCpuUs,
        floorAddedCpuUs: floor.addedCpuUs,
        naiveAddedCpuUs: naive.addedCpuUs,
        floorRatio,
        ratio,
        p99AddedByRoundMs,
        floorRatioMet: floorRatio <= TARGET_FLOOR_RATIO,
        ratioMet: ratio >= TARGET_RATIO,
        p99Met: p99AddedByRoundMs.length > 0 && p99AddedByRoundMs.every((added) => added <= TARGET_P99_ADDED_MS),
      },
    ];
  });
}

function exportsTable(results: BenchResults): string[] {
  const lines = [
    '| Variant | requests (incl. warm-up) | spans received | log records received | spans / request | log records / request | refused |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const variant of VARIANTS) {
    const counts = results.exports.filter((e) => e.variant === variant);
    if (counts.length === 0) continue;
    const requests = counts.reduce((total, e) => total + Object.values(e.requests).reduce((a, b) => a + b, 0), 0);
    const spans = counts.reduce((total, e) => total + e.spans, 0);
    const logs = counts.reduce((total, e) => total + e.logRecords, 0);
    const refused = counts.reduce((total, e) => total + e.refused, 0);
    lines.push(
      `| ${variant} | ${String(requests)} | ${String(spans)} | ${String(logs)} | ${fmt(spans / requests, 2)} | ${fmt(logs / requests, 2)} | ${String(refused)} |`,
    );
  }
  return lines;
}
/** Section 1 of RESULTS.md: this run, the run before the change when there is one, the profile, the commands. */
export function renderAppOverhead(results: BenchResults, before: BenchResults | undefined): string {
  const rows = summarise(results);
  const verdictList = verdicts(rows, results);
  const { meta } = results;
  const out: string[] = [];
  out.push('## 1. App overhead', '');
  out.push(
    `Run: ${meta.date}${meta.label === '' ? '' : ` (${meta.label})`}. Host: ${meta.host.cpu}, ${String(meta.host.cores)} cores, Linux ${meta.host.kernel}; load average before the run ${meta.host.loadBefore.join(' / ')}.`,
  );
  out.push(`Pinning: ${meta.pinning}.`);
  out.push(
    `Settings: ${String(meta.settings.connections)} connections, ${String(meta.settings.rounds)} rounds × ${String(meta.settings.durationS)} s per variant and endpoint after a ${String(meta.settings.warmupS)} s warm-up; fixed-rate runs at ${String(meta.settings.fixedRate)} req/s. Each figure is the **median of the rounds**; each round is a fresh server process, variants in rotating order.`,
  );
  out.push(
    `Versions: ${Object.entries(meta.versions)
      .map(([name, version]) => `${name} ${version}`)
      .join(', ')}.`,
    '',
  );
  out.push('![added CPU per request and p99 at a fixed rate, per variant](app-overhead.png)', '');
  out.push('Variants (same compiled app, same endpoints, same load; only the preloaded bootstrap differs):', '');
  out.push('- **bare** — the shipped bootstrap with `OTEL_SDK_DISABLED=true`: the baseline every "added" figure is relative to.');
  out.push('- **none** — no bootstrap at all (reference).');
  out.push(
    '- **floor** — `@opentelemetry/instrumentation-http` alone, every span recorded then dropped by a no-op processor (`bench/app-overhead/floor-register.ts`).',
  );
  out.push(
    '- **ours** — as shipped (`app/src/telemetry/register.ts`): traces and access logs over OTLP/gRPC to a live collector (our `otelcol-cruddur`, `bench/app-overhead/pass-through.yaml`: otlp → debug exporter).',
  );
  out.push(
    '- **naive** — `getNodeAutoInstrumentations()` with defaults, NodeSDK, OTLP/gRPC trace and log exporters to the same collector, no metrics (`bench/app-overhead/naive-register.ts`).',
    '',
  );

  for (const endpoint of ENDPOINTS) {
    out.push(`### \`${endpoint}\` at saturation (closed loop)`, '');
    out.push(
      '| Variant | req/s | p50 ms | p99 ms | added µs/req (1/rps − 1/rps bare) | server CPU µs/req (measured) | added CPU µs/req (measured) | server core busy |',
    );
    out.push('|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const r of rows.filter((x) => x.endpoint === endpoint)) {
      out.push(
        `| ${r.variant} | ${fmt(r.rps)} | ${fmt(r.p50Ms, 3)} | ${fmt(r.p99Ms, 3)} | ${r.variant === 'bare' ? '0 (baseline)' : signed(r.addedUs, 1)} | ${fmt(r.cpuUsPerRequest, 1)} | ${r.variant === 'bare' ? '0' : signed(r.addedCpuUs, 1)} | ${fmt(r.utilisation * 100)}% |`,
      );
    }
    out.push('');
  }
  out.push(`### Fixed rate: ${String(meta.settings.fixedRate)} req/s, evenly spaced (open loop, \`pacedLoad\` in bench/lib/load.ts)`, '');
  out.push(
    '| Variant | GET p50 ms | GET p99 ms | GET p99 added ms | POST p50 ms | POST p99 ms | POST p99 added ms |',
    '|---|---:|---:|---:|---:|---:|---:|',
  );
  for (const variant of VARIANTS) {
    const get = row(rows, variant, 'GET /api/activities/home');
    const post = row(rows, variant, 'POST /api/activities');
    if (get === undefined || post === undefined) continue;
    out.push(
      `| ${variant} | ${fmt(get.rateP50Ms, 3)} | ${fmt(get.rateP99Ms, 3)} | ${signed(get.rateP99AddedMs, 3)} | ${fmt(post.rateP50Ms, 3)} | ${fmt(post.rateP99Ms, 3)} | ${signed(post.rateP99AddedMs, 3)} |`,
    );
  }
  out.push(
    '',
    'Saturation latencies are every 2xx response time at hrtime resolution as autocannon measured it (its own histogram keeps whole milliseconds only). ' +
      "Fixed-rate latencies come from an open-loop generator that sends one request every 1/rate s, because autocannon's `-R` sends each second's share as one burst " +
      '(lib/httpClient.js resets `reqsMadeThisSecond` once a second), which measures saturation latency again: runs before this change reported fixed-rate p50s equal to the saturation ones.',
    '',
  );

  out.push('### Ratios and targets (issue #17)', '');
  out.push(
    `Added CPU is the measured server CPU per request above bare's (medians of the rounds). The p99 target holds only if it holds in every round: each round's ours minus that round's bare.`,
    '',
    `| Endpoint | ours added CPU µs/req | floor added | naive added | ours ÷ floor (target ≤ ${String(TARGET_FLOOR_RATIO)}) | naive ÷ ours (target ≥ ${String(TARGET_RATIO)}) | ours p99 added per round @ fixed rate (target ≤ +${String(TARGET_P99_ADDED_MS)} ms) |`,
    '|---|---:|---:|---:|:-:|:-:|:-:|',
  );
  for (const v of verdictList) {
    const mark = (ok: boolean): string => (ok ? 'met' : '**not met**');
    const perRound = v.p99AddedByRoundMs.map((added) => `${signed(added, 3)}`).join(', ');
    out.push(
      `| ${v.endpoint} | ${fmt(v.oursAddedCpuUs, 1)} | ${fmt(v.floorAddedCpuUs, 1)} | ${fmt(v.naiveAddedCpuUs, 1)} | ${fmt(v.floorRatio, 2)}×: ${mark(v.floorRatioMet)} | ${fmt(v.ratio, 2)}×: ${mark(v.ratioMet)} | ${perRound} ms: ${mark(v.p99Met)} |`,
    );
  }
  out.push('');

  out.push(
    '### What was really exported',
    '',
    'Counted by the pass-through collector (`otelcol_receiver_accepted_*`), per server lifetime, warm-ups included: the check that "ours" exported everything it should and that no variant silently dropped its telemetry.',
    '',
  );
  out.push(...exportsTable(results), '');

  if (before !== undefined) {
    const beforeRows = summarise(before);
    out.push('### Before and after the change in the shipped setup', '');
    out.push(
      `Before: run of ${before.meta.date}${before.meta.label === '' ? '' : ` (${before.meta.label})`}; after: the run above. Each "added" figure is relative to the bare variant **of its own run**.`,
      '',
    );
    out.push(
      '"added vs none" compares with the no-bootstrap variant, which both runs have and which the change cannot affect: it is the like-for-like figure across the two runs.',
      '',
    );
    out.push(
      '| Endpoint | variant | before req/s | before CPU µs/req | after req/s | after CPU µs/req | before added vs bare | after added vs bare | before added vs none | after added vs none | before naive ÷ ours | after naive ÷ ours |',
    );
    out.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    const beforeVerdicts = verdicts(beforeRows, before);
    for (const endpoint of ENDPOINTS) {
      const bNone = row(beforeRows, 'none', endpoint);
      const aNone = row(rows, 'none', endpoint);
      for (const variant of ['bare', 'ours'] as const) {
        const b = row(beforeRows, variant, endpoint);
        const a = row(rows, variant, endpoint);
        if (b === undefined || a === undefined) continue;
        const vsNone = (r: Row, none: Row | undefined): string => (none === undefined ? 'n/a' : signed(1e6 / r.rps - 1e6 / none.rps, 1));
        const ratioBefore = beforeVerdicts.find((v) => v.endpoint === endpoint)?.ratio ?? Number.NaN;
        const ratioAfter = verdictList.find((v) => v.endpoint === endpoint)?.ratio ?? Number.NaN;
        const isOurs = variant === 'ours';
        out.push(
          `| ${endpoint} | ${variant} | ${fmt(b.rps)} | ${fmt(b.cpuUsPerRequest, 1)} | ${fmt(a.rps)} | ${fmt(a.cpuUsPerRequest, 1)} | ${isOurs ? signed(b.addedUs, 1) : '—'} | ${isOurs ? signed(a.addedUs, 1) : '—'} | ${vsNone(b, bNone)} | ${vsNone(a, aNone)} | ${isOurs ? `${fmt(ratioBefore, 2)}×` : ''} | ${isOurs ? `${fmt(ratioAfter, 2)}×` : ''} |`,
        );
      }
    }
    out.push('');
  }

  if (results.profile !== undefined) {
    const p = results.profile;
    out.push('### Where "ours" spends its CPU', '');
    out.push(
      `\`node --cpu-prof\` on a separate "ours" server (not one of the measured ones) at saturation, ${String(meta.settings.durationS)} s GET then ${String(meta.settings.durationS)} s POST: ${String(p.totalMs)} ms sampled, ${String(p.idlePercent)}% idle. Self time (the function itself, not its callees), as % of busy time; summarised by \`bench/app-overhead/profile-summary.ts\`.`,
      '',
    );
    out.push('| self % | function | location |', '|---:|---|---|');
    for (const entry of p.top.slice(0, 20))
      out.push(
        `| ${fmt(entry.selfPercent, 1)} | \`${entry.functionName}\` | ${entry.location === '' ? '(V8/native)' : `\`${entry.location}\``} |`,
      );
    out.push('', '| self % | package |', '|---:|---|');
    for (const entry of p.byPackage) out.push(`| ${fmt(entry.selfPercent, 1)} | ${entry.name} |`);
    out.push('');
  }

  out.push(...exactCommands(meta.commands));
  return out.join('\n');
}

/** The medians `make bench` prints, one line per endpoint and variant. */
export function appOverheadSummary(results: BenchResults): string[] {
  const lines = [`app overhead, run of ${results.meta.date} (medians; server on CPU 1, load on CPU 0):`];
  for (const r of summarise(results)) {
    lines.push(
      `  ${r.endpoint.padEnd(25)} ${r.variant.padEnd(5)} ${fmt(r.rps).padStart(6)} req/s  added ${signed(r.addedUs, 1).padStart(7)} us/req  p99@${String(results.meta.settings.fixedRate)}/s ${fmt(r.rateP99Ms, 3)} ms (${signed(r.rateP99AddedMs, 3)})`,
    );
  }
  return lines;
}

/** The targets, one line per endpoint. */
export function appOverheadRatios(results: BenchResults): string[] {
  const lines = ['app overhead ratios:'];
  for (const v of verdicts(summarise(results), results)) {
    const verdict = (ok: boolean): string => (ok ? 'met' : 'NOT met');
    lines.push(
      `  ${v.endpoint}: ours +${fmt(v.oursAddedCpuUs, 1)} us/req CPU, floor +${fmt(v.floorAddedCpuUs, 1)}, naive +${fmt(v.naiveAddedCpuUs, 1)}; ours/floor ${fmt(v.floorRatio, 2)}x (target <= ${String(TARGET_FLOOR_RATIO)}: ${verdict(v.floorRatioMet)}), naive/ours ${fmt(v.ratio, 2)}x (target >= ${String(TARGET_RATIO)}: ${verdict(v.ratioMet)}), p99 added at ${String(results.meta.settings.fixedRate)} req/s per round ${v.p99AddedByRoundMs.map((added) => signed(added, 3)).join(', ')} ms (target <= ${String(TARGET_P99_ADDED_MS)} in every round: ${verdict(v.p99Met)})`,
    );
  }
  return lines;
}
