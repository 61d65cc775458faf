import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '@cruddur/testkit/browser';
import { repoRoot } from '@cruddur/testkit/paths';
import { CANARY, type Honeycomb, startHoneycomb } from '@cruddur/testkit/standins';
import { queriesCli } from '../cli-run.ts';

/**
 * `make queries` without a key, end to end: spans with chosen durations go to the real Honeycomb
 * stand-in over OTLP/HTTP, the command reads its report, evaluates the saved queries with DuckDB,
 * prints the tables and writes the HTML report.
 */
let honeycomb: Honeycomb;
let outDir = '';

const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
const int = (key: string, value: number) => ({ key, value: { intValue: String(value) } });
let n = 0;
function otlpSpan(msAgo: number, ms: number, attributes: unknown[], parent = '') {
  n += 1;
  const start = BigInt(Date.now() - msAgo) * 1_000_000n;
  return {
    traceId: n.toString(16).padStart(32, 'a'),
    spanId: n.toString(16).padStart(16, 'b'),
    ...(parent === '' ? {} : { parentSpanId: parent }),
    name: 'GET /api/activities/home',
    kind: parent === '' ? 2 : 1,
    startTimeUnixNano: String(start),
    endTimeUnixNano: String(start + BigInt(ms) * 1_000_000n),
    attributes,
  };
}

beforeAll(async () => {
  honeycomb = await startHoneycomb();
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cruddur-queries-report-'));
  const home = [str('http.route', '/api/activities/home')];
  const spans = [
    // worf: 10..100 ms; garek: 5, 5, 5, 50 ms; a child span and a result size
    ...[10, 20, 30, 40, 50, 60, 70, 80, 90, 100].map((ms, i) =>
      otlpSpan(60_000 + i * 45_000, ms, [...home, str('app.user_handle', 'worf')]),
    ),
    ...[5, 5, 5, 50].map((ms, i) =>
      otlpSpan(30_000 + i * 70_000, ms, [str('http.route', '/api/messages'), str('app.user_handle', 'garek')]),
    ),
    otlpSpan(20_000, 2, [int('app.result_length', 7)], 'cccccccccccccccc'),
    otlpSpan(10_000, 4, [str('http.route', '/debug/error'), int('http.response.status_code', 500)]),
  ];
  const body = {
    resourceSpans: [
      { resource: { attributes: [str('service.name', 'cruddur-backend')] }, scopeSpans: [{ scope: { name: 'test' }, spans }] },
    ],
  };
  const response = await fetch(`${honeycomb.httpUrl}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-honeycomb-team': CANARY.honeycombKey },
    body: JSON.stringify(body),
  });
  if (response.status !== 200) throw new Error(`the stand-in refused the spans: ${String(response.status)} ${await response.text()}`);
});

afterAll(async () => {
  await honeycomb?.stop();
  if (outDir !== '') fs.rmSync(outDir, { recursive: true, force: true });
});

describe('make queries without HONEYCOMB_API_KEY', () => {
  it('prints a table per query with the exact aggregates and writes the HTML report', async () => {
    const out = path.join(outDir, 'report.html');
    const result = await queriesCli({ HONEYCOMB_REPORT_URL: honeycomb.httpUrl }, ['--out', out]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const text = result.stdout;
    expect(text).toContain('evaluated 5 queries with DuckDB over the 16 spans the Honeycomb stand-in');
    const table = (name: string): string[] => {
      const start = text.indexOf(`== ${name} `);
      const end = text.indexOf('\n\n', start);
      return text.slice(start, end).split('\n').slice(1);
    };
    // Root spans by user, P90 descending: worf 91, garek 5 + 0.7 * 45, the 500 without a user 4.
    expect(table('Latency by user').map((l) => l.trim().split(/\s{2,}/))[0]).toEqual(['app.user_handle', 'P90(duration_ms)']);
    expect(table('Latency by user').at(-1)).toMatch(/^ {3}HEATMAP: \d+ cells, see the HTML report$/);
    expect(
      table('Latency by user')
        .slice(2, -1)
        .map((l) => l.trim().split(/\s{2,}/)),
    ).toEqual([
      ['worf', '91'],
      ['garek', '36.5'],
      ['(none)', '4'],
    ]);
    expect(
      table('Errors by route')
        .slice(2)
        .map((l) => l.trim().split(/\s{2,}/)),
    ).toEqual([['/debug/error', '1']]);
    expect(
      table('Result size')
        .slice(2)
        .map((l) => l.trim().split(/\s{2,}/)),
    ).toEqual([['GET /api/activities/home', '7']]);
    expect(
      table('Slowest routes')
        .slice(2)
        .map((l) => l.trim().split(/\s{2,}/)),
    ).toEqual([
      ['/api/activities/home', '91', '10'],
      ['/api/messages', '36.5', '4'],
      ['/debug/error', '4', '1'],
    ]);
    expect(text).toContain(`report: ${out}`);

    const html = fs.readFileSync(out, 'utf8');
    // Offline: the chart libraries are inlined, nothing is loaded from a network.
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).toContain('vegaEmbed');
    const specs = JSON.parse(/const specs = (.*);\n/.exec(html)?.[1] ?? '{}') as Record<
      string,
      { mark: { type: string }; data: { values: Record<string, number | string>[] } }
    >;
    const heatmap = specs['latency-by-user-heatmap'];
    expect(heatmap?.mark.type).toBe('rect');
    // every root span in exactly one heatmap cell: 10 + 4 + 1
    expect(heatmap?.data.values.reduce((sum, v) => sum + Number(v.count), 0)).toBe(15);
    const p90 = specs['latency-by-user-series-0'];
    expect(p90?.mark.type).toBe('line');
    expect(new Set(p90?.data.values.map((v) => v.group))).toEqual(new Set(['worf', 'garek', '(none)']));
  });

  it('the report draws its charts in a browser with no network, one rect per heatmap cell; screenshot for the README', async () => {
    const out = path.join(outDir, 'report.html');
    const specs = JSON.parse(/const specs = (.*);\n/.exec(fs.readFileSync(out, 'utf8'))?.[1] ?? '{}') as Record<
      string,
      { data: { values: unknown[] } }
    >;
    const cells = specs['latency-by-user-heatmap']?.data.values.length ?? 0;
    expect(cells).toBeGreaterThan(0);
    const browser = await launchBrowser({ viewport: { width: 1100, height: 1400 } });
    try {
      const page = await browser.newPage();
      const requested: string[] = [];
      page.on('request', (request) => {
        if (!request.url().startsWith('file://')) requested.push(request.url());
      });
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`file://${out}`);
      await page.waitForFunction('window.chartsDrawn !== undefined');
      expect(await page.evaluate('window.chartsDrawn.then((views) => views.length)')).toBe(Object.keys(specs).length);
      expect(errors).toEqual([]);
      expect(requested).toEqual([]);
      // vega-embed draws SVG: the heatmap's marks are one path per cell, the P90 chart one line per user.
      const heatmapMarks = await page.locator('#latency-by-user-heatmap svg .mark-rect.role-mark path').count();
      expect(heatmapMarks).toBe(cells);
      expect(await page.locator('#latency-by-user-series-0 svg .mark-line.role-mark path').count()).toBe(3);
      const shot = path.join(repoRoot, 'docs/images/queries-report.png');
      fs.mkdirSync(path.dirname(shot), { recursive: true });
      await page.screenshot({ path: shot, clip: { x: 0, y: 0, width: 1100, height: 1400 } });
      expect(fs.statSync(shot).size).toBeGreaterThan(10_000);
    } finally {
      await browser.close();
    }
  });
});
