import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '@cruddur/testkit/paths';
import { type Evaluation, EventStore, spanEvent } from '../lib/evaluate.ts';
import { loadQueries, type SavedQuery } from '../lib/spec.ts';
import { NOW, span } from './spans.ts';

const { queries } = loadQueries(path.join(repoRoot, 'queries/honeycomb'));
const saved = (id: string): SavedQuery => {
  const q = queries.find((x) => x.id === id);
  if (q === undefined) throw new Error(`no query ${id}`);
  return q;
};
const byGroup = (e: Evaluation, calc: string): Record<string, number | null> =>
  Object.fromEntries(e.rows.map((r) => [Object.values(r.group).map(String).join(','), r.values[calc] ?? null]));

// Chosen inputs. worf: ten root spans of 10..100 ms, 10 minutes ago; garek: 5, 5, 5, 50 ms, 5 minutes
// ago; one anonymous root span of 60 ms. Decoys that the filters and time range must drop: a
// 1000 ms child span under worf, and a 5000 ms root span three hours ago.
const worf = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
const garek = [5, 5, 5, 50];
const latencySpans = [
  ...worf.map((ms) => span({ ago: 600, ms, attributes: { 'app.user_handle': 'worf', 'http.route': '/api/activities/home' } })),
  ...garek.map((ms) => span({ ago: 300, ms, attributes: { 'app.user_handle': 'garek', 'http.route': '/api/messages' } })),
  span({ ago: 290, ms: 60, attributes: { 'http.route': '/api/activities/home' } }),
  span({ ago: 600, ms: 1000, parent: 'aaaaaaaaaaaaaaaa', name: 'db query', attributes: { 'app.user_handle': 'worf' } }),
  span({ ago: 3 * 3600, ms: 5000, attributes: { 'app.user_handle': 'worf', 'http.route': '/api/activities/home' } }),
];
const errorSpans = [
  // errors: two 500s on /debug/error, one Error-status child span, one 404 that is not an error
  span({ ago: 120, ms: 3, attributes: { 'http.route': '/debug/error', 'http.response.status_code': 500 } }),
  span({ ago: 110, ms: 4, attributes: { 'http.route': '/debug/error', 'http.response.status_code': 500 } }),
  span({ ago: 100, ms: 2, status: 'Error', parent: 'bbbbbbbbbbbbbbbb', name: 'store', attributes: { 'http.route': '/api/activities' } }),
  span({ ago: 90, ms: 1, attributes: { 'http.route': '/api/activities/:uuid', 'http.response.status_code': 404 } }),
  // an entry span whose parent is the caller's (a traceparent from make traffic or the browser)
  span({ ago: 80, ms: 7, parent: 'eeeeeeeeeeeeeeee', kind: 'Server', attributes: { 'app.user_handle': 'quark' } }),
  // result sizes
  span({ ago: 60, ms: 1, name: 'home-activities', parent: 'cccccccccccccccc', attributes: { 'app.result_length': 5 } }),
  span({ ago: 50, ms: 1, name: 'home-activities', parent: 'cccccccccccccccc', attributes: { 'app.result_length': 3 } }),
  span({ ago: 40, ms: 1, name: 'search-activities', parent: 'dddddddddddddddd', attributes: { 'app.result_length': 1 } }),
];

let store: EventStore;
let errorStore: EventStore;
beforeAll(async () => {
  store = await EventStore.load(latencySpans.map(spanEvent));
  errorStore = await EventStore.load(errorSpans.map(spanEvent));
});
afterAll(() => {
  store?.close();
  errorStore?.close();
});

describe('evaluating the saved queries with DuckDB', () => {
  it('Latency by user: exact P90 per user over root spans in range, decoys dropped', async () => {
    const e = await store.evaluate(saved('latency-by-user'), NOW);
    // quantile_cont (linear interpolation): worf 10..100 -> 91; garek 5,5,5,50 -> 5 + 0.7 * 45 = 36.5
    expect(byGroup(e, 'P90(duration_ms)')).toEqual({ worf: 91, garek: 36.5, null: 60 });
    expect(e.rows.map((r) => r.group['app.user_handle'])).toEqual(['worf', null, 'garek']); // P90 descending
    expect(e.matched).toBe(15);
    expect(e.window).toEqual({ start: NOW - 7200, end: NOW, granularity: 60 });
  });

  it('Latency by user: the heatmap counts every matched value into ten equal buckets from 5 to 100 ms, per minute', async () => {
    const e = await store.evaluate(saved('latency-by-user'), NOW);
    const cells = e.heatmap.map((c) => [c.time, c.lower, c.upper, c.count]);
    const tenMinutesAgo = NOW - 600;
    const fiveMinutesAgo = NOW - 300;
    expect(cells).toEqual([
      // worf, 10 minutes ago: 10 | 20 | 30 | 40 | 50 | 60 | 70 | 80 | 90 | 100
      [tenMinutesAgo, 5, 14.5, 1],
      [tenMinutesAgo, 14.5, 24, 1],
      [tenMinutesAgo, 24, 33.5, 1],
      [tenMinutesAgo, 33.5, 43, 1],
      [tenMinutesAgo, 43, 52.5, 1],
      [tenMinutesAgo, 52.5, 62, 1],
      [tenMinutesAgo, 62, 71.5, 1],
      [tenMinutesAgo, 71.5, 81, 1],
      [tenMinutesAgo, 81, 90.5, 1],
      [tenMinutesAgo, 90.5, 100, 1],
      // garek 5, 5, 5, 50 and the anonymous 60 (290 s ago: the same minute), 5 minutes ago
      [fiveMinutesAgo, 5, 14.5, 3],
      [fiveMinutesAgo, 43, 52.5, 1],
      [fiveMinutesAgo, 52.5, 62, 1],
    ]);
    expect(e.heatmap.reduce((n, c) => n + c.count, 0)).toBe(e.matched);
  });

  it('Latency by user: P90 over time per user, one point per minute bucket', async () => {
    const e = await store.evaluate(saved('latency-by-user'), NOW);
    expect(e.series.map((p) => [p.time, p.group, p.value])).toEqual([
      [NOW - 600, 'worf', 91],
      [NOW - 300, 'garek', 36.5],
      [NOW - 300, '(none)', 60],
    ]);
  });

  it("Latency by user: a server span with a remote parent is a request's entry span too; internal children are not", async () => {
    const e = await errorStore.evaluate(saved('latency-by-user'), NOW);
    // quark's 7 ms server span (remote parent); the roots without a user: 3, 4, 1 -> P90 3 + 0.8 * 1
    expect(byGroup(e, 'P90(duration_ms)')).toEqual({ quark: 7, null: 3.8 });
    expect(e.matched).toBe(4);
  });

  it('Slowest routes: P90 and COUNT per route, slowest first; span without a route dropped', async () => {
    const e = await store.evaluate(saved('slowest-routes'), NOW);
    expect(e.rows.map((r) => [r.group['http.route'], r.values['P90(duration_ms)'], r.values.COUNT])).toEqual([
      // /api/activities/home: worf's ten and the anonymous 60 -> 10..100 plus 60: P90 = 90 + 0 * 10 = 90
      ['/api/activities/home', 90, 11],
      ['/api/messages', 36.5, 4],
    ]);
    const errorRoutes = await errorStore.evaluate(saved('slowest-routes'), NOW);
    expect(errorRoutes.rows.map((r) => [r.group['http.route'], r.values['P90(duration_ms)'], r.values.COUNT])).toEqual([
      ['/debug/error', 3.9, 2],
      ['/api/activities', 2, 1],
      ['/api/activities/:uuid', 1, 1],
    ]);
  });

  it('Errors by route: COUNT of 5xx or Error spans per route (filters OR-ed), the 404 not counted', async () => {
    const e = await errorStore.evaluate(saved('errors-by-route'), NOW);
    expect(e.rows.map((r) => [r.group['http.route'], r.values.COUNT])).toEqual([
      ['/debug/error', 2],
      ['/api/activities', 1],
    ]);
    expect(e.matched).toBe(3);
  });

  it('Result size: MAX(app.result_length) per span name', async () => {
    const e = await errorStore.evaluate(saved('result-size'), NOW);
    expect(byGroup(e, 'MAX(app.result_length)')).toEqual({ 'home-activities': 5, 'search-activities': 1 });
  });

  it('Recent traces: the last 10 minutes only, spans per trace and the longest span', async () => {
    const e = await store.evaluate(saved('recent-traces'), NOW);
    // 600 s ago is the window's first second: worf's 10 roots and the 1000 ms child count, the 3-hour-old one not.
    expect(e.window).toEqual({ start: NOW - 600, end: NOW, granularity: 10 });
    expect(e.matched).toBe(latencySpans.length - 1);
    expect(e.rows[0]?.values).toEqual({ COUNT: 1, 'MAX(duration_ms)': 1000 });
    expect(e.rows).toHaveLength(16);
    const limited = await store.evaluate({ ...saved('recent-traces'), query: { ...saved('recent-traces').query, limit: 3 } }, NOW);
    expect(limited.rows.map((r) => r.values['MAX(duration_ms)'])).toEqual([1000, 100, 90]);
  });

  it('evaluates the other Honeycomb aggregates and filter ops the same way', async () => {
    const q: SavedQuery = {
      id: 'adhoc',
      file: 'adhoc.json',
      name: 'adhoc',
      description: '',
      query: {
        calculations: [
          { op: 'AVG', column: 'duration_ms' },
          { op: 'MIN', column: 'duration_ms' },
          { op: 'SUM', column: 'duration_ms' },
          { op: 'P50', column: 'duration_ms' },
          { op: 'P99', column: 'duration_ms' },
          { op: 'COUNT_DISTINCT', column: 'app.user_handle' },
        ],
        filters: [
          { column: 'app.user_handle', op: 'in', value: ['worf', 'garek'] },
          { column: 'name', op: 'starts-with', value: 'GET ' },
          { column: 'no.such.column', op: 'does-not-exist' },
        ],
        time_range: 3600,
      },
    };
    const e = await store.evaluate(q, NOW);
    // worf 10..100 and garek 5,5,5,50: 14 values, sum 615; P50 between 40 and 50; P99 at 12.87 of 13
    expect(e.rows).toHaveLength(1);
    expect(e.rows[0]?.values).toEqual({
      'AVG(duration_ms)': 43.928_571, // 615 / 14, to 6 decimals
      'MIN(duration_ms)': 5,
      'SUM(duration_ms)': 615,
      'P50(duration_ms)': 45,
      'P99(duration_ms)': 98.7,
      'COUNT_DISTINCT(app.user_handle)': 2,
    });
  });
});
