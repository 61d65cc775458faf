/**
 * Shows evaluated queries: a table per query for the terminal, and one self-contained HTML page
 * with each query's table, its HEATMAP and its calculations over time, drawn by Vega-Lite. The
 * Vega, Vega-Lite and vega-embed browser builds are inlined from node_modules, so the page works
 * offline and from a file:// URL.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { type Evaluation, groupLabel } from './evaluate.ts';

const iso = (seconds: number): string => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');

function cell(value: unknown): string {
  if (value === null || value === undefined) return '(none)';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(3).replace(/0+$/, '');
  return String(value);
}

/** The table a person reads in the terminal: breakdown columns, then each calculation. */
export function textTable(e: Evaluation): string {
  const header = [...e.breakdowns, ...e.calculations];
  const body = e.rows.map((r) => [...e.breakdowns.map((b) => cell(r.group[b])), ...e.calculations.map((c) => cell(r.values[c]))]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? '').length)));
  const numeric = header.map((_, i) => i >= e.breakdowns.length);
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (numeric[i] === true ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const title = `== ${e.query.name} (${e.query.id}.json): ${String(e.matched)} events from ${iso(e.window.start)} to ${iso(e.window.end)}, every ${String(e.window.granularity)} s`;
  const heat = e.heatmap.length > 0 ? [`   HEATMAP: ${String(e.heatmap.length)} cells, see the HTML report`] : [];
  if (body.length === 0) return [title, '   (no events matched)', ...heat].join('\n');
  return [
    title,
    `   ${line(header)}`,
    `   ${widths.map((w) => '-'.repeat(w)).join('  ')}`,
    ...body.map((r) => `   ${line(r)}`),
    ...heat,
  ].join('\n');
}

type VegaLiteSpec = Record<string, unknown>;

/**
 * The charts' time axis, ms: to the window's end, from five buckets before the first data (or
 * the window's start, whichever is later), so a few minutes of traffic in a two-hour window are
 * not a sliver at the right edge. The table covers the whole window either way.
 */
function timeDomain(e: Evaluation): [number, number] {
  const times = [...e.series.map((p) => p.time), ...e.heatmap.map((c) => c.time)];
  const first = times.length === 0 ? e.window.start : Math.min(...times);
  return [Math.max(e.window.start, first - 5 * e.window.granularity) * 1000, e.window.end * 1000];
}

/** HEATMAP: time on x, the value buckets on y, count as colour (as Honeycomb draws it). */
function heatmapSpec(e: Evaluation, calc: string): VegaLiteSpec {
  const values = e.heatmap
    .filter((c) => c.calc === calc)
    .map((c) => ({ time: c.time * 1000, end: (c.time + e.window.granularity) * 1000, lower: c.lower, upper: c.upper, count: c.count }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: calc,
    width: 640,
    height: 220,
    data: { values },
    mark: { type: 'rect', tooltip: true },
    encoding: {
      x: { field: 'time', type: 'temporal', title: 'time', scale: { domain: timeDomain(e) } },
      x2: { field: 'end' },
      y: { field: 'lower', type: 'quantitative', title: calc.replace(/^HEATMAP\((.*)\)$/, '$1') },
      y2: { field: 'upper' },
      color: { field: 'count', type: 'quantitative', scale: { scheme: 'yelloworangered' }, legend: { format: 'd', tickMinStep: 1 } },
    },
  };
}

/** One calculation over time, a line per group (P90 over time by user, for example). */
function seriesSpec(e: Evaluation, calc: string): VegaLiteSpec {
  const values = e.series.filter((p) => p.calc === calc).map((p) => ({ time: p.time * 1000, group: p.group, value: p.value }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `${calc} over time`,
    width: 640,
    height: 220,
    data: { values },
    mark: { type: 'line', point: true, tooltip: true },
    encoding: {
      x: { field: 'time', type: 'temporal', title: 'time', scale: { domain: timeDomain(e) } },
      y: { field: 'value', type: 'quantitative', title: calc },
      color: { field: 'group', type: 'nominal', title: e.breakdowns.join(', ') || 'all' },
    },
  };
}

const escapeHtml = (s: string): string =>
  s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

function htmlTable(e: Evaluation): string {
  const header = [...e.breakdowns, ...e.calculations].map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const rows = e.rows
    .map(
      (r) =>
        `<tr>${e.breakdowns.map((b) => `<td>${escapeHtml(cell(r.group[b]))}</td>`).join('')}${e.calculations
          .map((c) => `<td class="num">${escapeHtml(cell(r.values[c]))}</td>`)
          .join('')}</tr>`,
    )
    .join('\n');
  return `<table><thead><tr>${header}</tr></thead><tbody>${rows || `<tr><td colspan="99">no events matched</td></tr>`}</tbody></table>`;
}

/** Charts of one query: each HEATMAP, then each percentile (or, without one, the first calculation) over time. */
export function chartsOf(e: Evaluation): Array<{ id: string; spec: VegaLiteSpec }> {
  const charts: Array<{ id: string; spec: VegaLiteSpec }> = [];
  for (const calc of new Set(e.heatmap.map((c) => c.calc))) charts.push({ id: `${e.query.id}-heatmap`, spec: heatmapSpec(e, calc) });
  const percentiles = e.calculations.filter((c) => /^P\d+\(/.test(c));
  const overTime = percentiles.length > 0 ? percentiles : e.calculations.slice(0, 1);
  for (const [i, calc] of overTime.entries()) charts.push({ id: `${e.query.id}-series-${String(i)}`, spec: seriesSpec(e, calc) });
  return charts;
}

const require = createRequire(import.meta.url);
/** A package's browser build, which sits beside its entry point (all three keep them in build/). */
const inlineScript = (pkg: string, file: string): string =>
  // A script body must not contain "</script"; the minified builds do not, this keeps it so.
  fs.readFileSync(path.join(path.dirname(require.resolve(pkg)), file), 'utf8').replaceAll('</script', '<\\/script');

/** The whole report as one HTML document. */
export function htmlReport(evaluations: readonly Evaluation[], generatedAt: Date, source: string): string {
  const sections = evaluations.map((e) => {
    const charts = chartsOf(e);
    const json = JSON.stringify(e.query.query, null, 2);
    return `<section id="${escapeHtml(e.query.id)}">
<h2>${escapeHtml(e.query.name)}</h2>
<p>${escapeHtml(e.query.description)}</p>
<p class="meta">${String(e.matched)} ${e.matched === 1 ? 'event' : 'events'}, ${escapeHtml(iso(e.window.start))} to ${escapeHtml(iso(e.window.end))}, granularity ${String(e.window.granularity)} s; groups: ${escapeHtml(e.rows.map((r) => groupLabel(r.group, e.breakdowns)).join(' | ') || 'none')}</p>
${charts.map((c) => `<div class="chart" id="${escapeHtml(c.id)}"></div>`).join('\n')}
${htmlTable(e)}
<details><summary>Query specification (${escapeHtml(e.query.id)}.json)</summary><pre>${escapeHtml(json)}</pre></details>
</section>`;
  });
  const specs = Object.fromEntries(evaluations.flatMap((e) => chartsOf(e).map((c) => [c.id, c.spec])));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Cruddur saved queries</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2em; max-width: 60em; }
table { border-collapse: collapse; margin: 0.5em 0 1em; }
th, td { border: 1px solid #ccc; padding: 0.2em 0.6em; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.meta { color: #555; font-size: 0.9em; }
section { border-top: 2px solid #eee; padding-top: 0.5em; }
</style>
<script>${inlineScript('vega', 'vega.min.js')}</script>
<script>${inlineScript('vega-lite', 'vega-lite.min.js')}</script>
<script>${inlineScript('vega-embed', 'vega-embed.min.js')}</script>
</head><body>
<h1>Cruddur saved queries</h1>
<p class="meta">Evaluated offline with DuckDB over ${escapeHtml(source)} at ${escapeHtml(generatedAt.toISOString())}. The same specifications are what <code>make queries</code> saves in Honeycomb when HONEYCOMB_API_KEY is set.</p>
${sections.join('\n')}
<script>
const specs = ${JSON.stringify(specs).replaceAll('<', '\\u003c')};
window.chartsDrawn = Promise.all(Object.entries(specs).map(([id, spec]) => vegaEmbed('#' + CSS.escape(id), spec, { actions: false, renderer: 'svg' })));
</script>
</body></html>
`;
}

export function writeReport(file: string, html: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, html);
}
