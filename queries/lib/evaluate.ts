/**
 * Evaluates saved Honeycomb query specifications offline, over the spans the Honeycomb stand-in
 * received, with DuckDB as the engine: every aggregate (COUNT, AVG, MAX, percentiles, the
 * heatmap's histogram), group-by, filter and time bucket is SQL that DuckDB runs; this module
 * only turns a specification into that SQL and the rows back into results.
 *
 * Spans become events the way Honeycomb flattens OTLP: resource and span attributes as columns,
 * plus `name`, `duration_ms`, `trace.trace_id`, `trace.span_id`, `trace.parent_id` (absent on a
 * root span), `span.kind`, `status_code`, `error` (true when the status is Error) and
 * `service.name`. An event's time is its span's start.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { ReceivedSpan } from '@cruddur/testkit/backends';
import type { CalculationOp, QuerySpec, SavedQuery } from './spec.ts';

export type Scalar = string | number | boolean | null;
/** One Honeycomb event: column -> value. */
export type HoneycombEvent = Record<string, Scalar>;

/** The hidden column holding an event's time (epoch seconds); no Honeycomb column has this name. */
const TIME = '__time';

/** Honeycomb's default time range when a specification sets none: two hours. */
export const DEFAULT_TIME_RANGE = 7200;
/** Value buckets of a HEATMAP, equal width between the smallest and largest value in range. */
export const HEATMAP_BUCKETS = 10;

const STATUS_CODES: Record<string, number> = { Unset: 0, Ok: 1, Error: 2 };

function flat(value: unknown): Scalar {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return JSON.stringify(value);
}

/** A span as the Honeycomb event it becomes (and its time, epoch seconds). */
export function spanEvent(span: ReceivedSpan): HoneycombEvent {
  const start = Number(span.startTimeUnixNano ?? 0);
  const end = Number(span.endTimeUnixNano ?? start);
  const event: HoneycombEvent = {};
  for (const [k, v] of Object.entries(span.resource)) event[k] = flat(v);
  for (const [k, v] of Object.entries(span.attributes)) event[k] = flat(v);
  Object.assign(event, {
    name: span.name,
    // Nanosecond times near 1.8e18 lose up to 256 ns as JavaScript numbers: round to the microsecond.
    duration_ms: Math.round((end - start) / 1e3) / 1e3,
    'trace.trace_id': span.traceId,
    'trace.span_id': span.spanId,
    'span.kind': span.kind.toLowerCase(),
    status_code: STATUS_CODES[span.statusCode] ?? 0,
    [TIME]: start / 1e9,
  });
  if (span.parentSpanId !== '') event['trace.parent_id'] = span.parentSpanId;
  if (span.statusCode === 'Error') event.error = true;
  return event;
}

/** A calculation's label, as Honeycomb titles it: `P90(duration_ms)`, `COUNT`. */
export function calcLabel(c: { op: CalculationOp; column?: string | undefined }): string {
  return c.column === undefined ? c.op : `${c.op}(${c.column})`;
}

/** The time window a query covers: [start, end) epoch seconds, and its buckets' width. */
export interface Window {
  readonly start: number;
  readonly end: number;
  readonly granularity: number;
}

export interface ResultRow {
  /** Breakdown column -> value (null: the event had no such column). */
  readonly group: Record<string, Scalar>;
  /** Calculation label -> value (HEATMAP has none in the table). */
  readonly values: Record<string, number | null>;
}

export interface SeriesPoint {
  /** Bucket start, epoch seconds. */
  readonly time: number;
  /** The group's breakdown values joined with ", " ("(all)" without breakdowns). */
  readonly group: string;
  readonly calc: string;
  readonly value: number | null;
}

export interface HeatmapCell {
  readonly calc: string;
  readonly time: number;
  /** The value bucket (lower, upper]; the first bucket includes its lower bound. */
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
}

export interface Evaluation {
  readonly query: SavedQuery;
  readonly window: Window;
  /** Events the filters and time range kept. */
  readonly matched: number;
  readonly breakdowns: readonly string[];
  /** The table's calculation labels (HEATMAP excluded). */
  readonly calculations: readonly string[];
  readonly rows: readonly ResultRow[];
  readonly series: readonly SeriesPoint[];
  readonly heatmap: readonly HeatmapCell[];
}

export class EvaluationError extends Error {
  override readonly name = 'EvaluationError';
}

const ident = (name: string): string => `"${name.replaceAll('"', '""')}"`;

function literal(value: string | number | boolean): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new EvaluationError(`not a finite number: ${String(value)}`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  return `'${value.replaceAll("'", "''")}'`;
}

const PERCENTILES: Partial<Record<CalculationOp, number>> = {
  P001: 0.001,
  P01: 0.01,
  P05: 0.05,
  P10: 0.1,
  P20: 0.2,
  P25: 0.25,
  P50: 0.5,
  P75: 0.75,
  P80: 0.8,
  P90: 0.9,
  P95: 0.95,
  P99: 0.99,
  P999: 0.999,
};

/** Builds SQL over the `matched` relation; columns the data never had read as NULL, as in Honeycomb. */
class SqlBuilder {
  private readonly columns: ReadonlySet<string>;

  constructor(columns: ReadonlySet<string>) {
    this.columns = columns;
  }

  col(name: string): string {
    return this.columns.has(name) ? ident(name) : 'NULL';
  }

  /** The column compared as the value's type: numbers as DOUBLE, booleans as BOOLEAN, else text. */
  private typed(column: string, value: string | number | boolean): string {
    const c = this.col(column);
    if (typeof value === 'number') return `TRY_CAST(${c} AS DOUBLE)`;
    if (typeof value === 'boolean') return `TRY_CAST(${c} AS BOOLEAN)`;
    return `CAST(${c} AS VARCHAR)`;
  }

  filter(f: NonNullable<QuerySpec['filters']>[number]): string {
    const c = this.col(f.column);
    const one = (): string | number | boolean => {
      if (f.value === undefined || Array.isArray(f.value)) throw new EvaluationError(`filter ${f.column} ${f.op} needs one value`);
      return f.value;
    };
    const text = `CAST(${c} AS VARCHAR)`;
    switch (f.op) {
      case 'exists':
        return `${c} IS NOT NULL`;
      case 'does-not-exist':
        return `${c} IS NULL`;
      case '=':
        return `${this.typed(f.column, one())} = ${literal(one())}`;
      case '!=':
        return `${this.typed(f.column, one())} IS DISTINCT FROM ${literal(one())}`;
      case '>':
      case '>=':
      case '<':
      case '<=':
        return `${this.typed(f.column, one())} ${f.op} ${literal(one())}`;
      case 'starts-with':
        return `starts_with(${text}, ${literal(String(one()))})`;
      case 'does-not-start-with':
        return `coalesce(NOT starts_with(${text}, ${literal(String(one()))}), TRUE)`;
      case 'ends-with':
        return `ends_with(${text}, ${literal(String(one()))})`;
      case 'does-not-end-with':
        return `coalesce(NOT ends_with(${text}, ${literal(String(one()))}), TRUE)`;
      case 'contains':
        return `contains(${text}, ${literal(String(one()))})`;
      case 'does-not-contain':
        return `coalesce(NOT contains(${text}, ${literal(String(one()))}), TRUE)`;
      case 'in':
      case 'not-in': {
        const values = Array.isArray(f.value) ? f.value : [];
        const any = values.map((v) => `${this.typed(f.column, v)} = ${literal(v)}`).join(' OR ') || 'FALSE';
        return f.op === 'in' ? `coalesce(${any}, FALSE)` : `coalesce(NOT (${any}), TRUE)`;
      }
    }
  }

  aggregate(c: { op: CalculationOp; column?: string | undefined }): string {
    const num = `TRY_CAST(${this.col(c.column ?? '')} AS DOUBLE)`;
    const q = PERCENTILES[c.op];
    if (q !== undefined) return `quantile_cont(${num}, ${String(q)})`;
    switch (c.op) {
      case 'COUNT':
        return 'count(*)';
      case 'COUNT_DISTINCT':
        return `count(DISTINCT ${this.col(c.column ?? '')})`;
      case 'SUM':
        return `sum(${num})`;
      case 'AVG':
        return `avg(${num})`;
      case 'MAX':
        return `max(${num})`;
      case 'MIN':
        return `min(${num})`;
      default:
        throw new EvaluationError(`${c.op} is not evaluated offline (only in Honeycomb itself)`);
    }
  }
}

/**
 * Results are rounded to 6 decimal places: durations are exact to the microsecond (0.001 ms), and
 * an interpolated percentile such as 5 + 0.7 * 45 would otherwise read 36.50000000000001.
 */
function toNumber(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const n = typeof value === 'number' ? value : Number(value);
  return Math.round(n * 1e6) / 1e6;
}

function toScalar(value: unknown): Scalar {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return JSON.stringify(value);
}

export const groupLabel = (group: Record<string, Scalar>, breakdowns: readonly string[]): string =>
  breakdowns.length === 0 ? '(all)' : breakdowns.map((b) => (group[b] === null ? '(none)' : String(group[b]))).join(', ');

/** The events loaded into DuckDB once; each query runs against them. */
export class EventStore {
  private readonly instance: DuckDBInstance;
  private readonly conn: DuckDBConnection;
  private readonly columns: ReadonlySet<string>;
  readonly size: number;

  private constructor(instance: DuckDBInstance, conn: DuckDBConnection, columns: ReadonlySet<string>, size: number) {
    this.instance = instance;
    this.conn = conn;
    this.columns = columns;
    this.size = size;
  }

  static async load(events: readonly HoneycombEvent[]): Promise<EventStore> {
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    const columns = new Set<string>();
    if (events.length === 0) {
      await conn.run(`CREATE TABLE events (${ident(TIME)} DOUBLE)`);
    } else {
      // DuckDB's JSON reader infers each column's type from the values, as Honeycomb types columns.
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cruddur-queries-'));
      const file = path.join(dir, 'events.ndjson');
      try {
        fs.writeFileSync(file, `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
        await conn.run(`CREATE TABLE events AS SELECT * FROM read_json(${literal(file)}, format = 'newline_delimited', sample_size = -1)`);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
    const described = await conn.runAndReadAll('DESCRIBE events');
    for (const row of described.getRowObjectsJS()) columns.add(String(row.column_name as string));
    return new EventStore(instance, conn, columns, events.length);
  }

  private async rows(sql: string): Promise<Record<string, unknown>[]> {
    const reader = await this.conn.runAndReadAll(sql);
    return reader.getRowObjectsJS() as Record<string, unknown>[];
  }

  /** Runs one saved query over the events in [now - time_range, now). */
  async evaluate(saved: SavedQuery, nowSeconds: number): Promise<Evaluation> {
    const spec = saved.query;
    const sql = new SqlBuilder(this.columns);
    const range = spec.time_range ?? DEFAULT_TIME_RANGE;
    const granularity = spec.granularity ?? Math.max(1, Math.ceil(range / 60));
    const window: Window = { start: nowSeconds - range, end: nowSeconds, granularity };
    const calcs = spec.calculations?.length ? spec.calculations : [{ op: 'COUNT' as const }];
    const tableCalcs = calcs.filter((c) => c.op !== 'HEATMAP');
    const breakdowns = spec.breakdowns ?? [];

    const filters = (spec.filters ?? []).map((f) => `(${sql.filter(f)})`);
    const joiner = spec.filter_combination === 'OR' ? ' OR ' : ' AND ';
    const where = [`${ident(TIME)} >= ${literal(window.start)}`, `${ident(TIME)} < ${literal(window.end)}`];
    if (filters.length > 0) where.push(`(${filters.join(joiner)})`);
    const matched = `matched AS (SELECT * FROM events WHERE ${where.join(' AND ')})`;

    const groupCols = breakdowns.map((b, i) => `${sql.col(b)} AS g${String(i)}`);
    const calcCols = tableCalcs.map((c, i) => `${sql.aggregate(c)} AS c${String(i)}`);
    const groupBy = breakdowns.length > 0 ? ` GROUP BY ${breakdowns.map((_, i) => `g${String(i)}`).join(', ')}` : '';

    // Orders: as given, else the first calculation descending; breakdown values break ties.
    const orderTerms: string[] = [];
    const orders = spec.orders ?? [];
    for (const o of orders) {
      const dir = o.order === 'ascending' ? 'ASC' : 'DESC';
      if (o.op === undefined) orderTerms.push(`g${String(breakdowns.indexOf(o.column ?? ''))} ${dir} NULLS LAST`);
      else {
        const index = tableCalcs.findIndex((c) => c.op === o.op && c.column === o.column);
        if (index >= 0) orderTerms.push(`c${String(index)} ${dir} NULLS LAST`);
      }
    }
    if (orders.length === 0 && tableCalcs.length > 0) orderTerms.push('c0 DESC NULLS LAST');
    orderTerms.push(...breakdowns.map((_, i) => `g${String(i)} ASC NULLS LAST`));
    const orderBy = orderTerms.length > 0 ? ` ORDER BY ${orderTerms.join(', ')}` : '';
    const limit = spec.limit ?? 1000;

    const select = [...groupCols, ...calcCols];
    const tableRows =
      select.length === 0
        ? []
        : await this.rows(`WITH ${matched} SELECT ${select.join(', ')} FROM matched${groupBy}${orderBy} LIMIT ${String(limit)}`);
    const rows: ResultRow[] = tableRows.map((r) => ({
      group: Object.fromEntries(breakdowns.map((b, i) => [b, toScalar(r[`g${String(i)}`])])),
      values: Object.fromEntries(tableCalcs.map((c, i) => [calcLabel(c), toNumber(r[`c${String(i)}`])])),
    }));
    const [count] = await this.rows(`WITH ${matched} SELECT count(*) AS n FROM matched`);
    const matchedCount = toNumber(count?.n) ?? 0;

    // The time series: each calculation per group per bucket, for the groups the table kept.
    const kept = new Set(rows.map((r) => groupLabel(r.group, breakdowns)));
    const bucket = `floor(${ident(TIME)} / ${String(granularity)}) * ${String(granularity)}`;
    const seriesRows =
      calcCols.length === 0
        ? []
        : await this.rows(
            `WITH ${matched} SELECT ${[`${bucket} AS t`, ...groupCols, ...calcCols].join(', ')} FROM matched GROUP BY ALL ORDER BY ${['t', ...breakdowns.map((_, i) => `g${String(i)} NULLS LAST`)].join(', ')}`,
          );
    const series: SeriesPoint[] = [];
    for (const r of seriesRows) {
      const group = groupLabel(Object.fromEntries(breakdowns.map((b, i) => [b, toScalar(r[`g${String(i)}`])])), breakdowns);
      if (!kept.has(group)) continue;
      for (const [i, c] of tableCalcs.entries()) {
        series.push({ time: toNumber(r.t) ?? 0, group, calc: calcLabel(c), value: toNumber(r[`c${String(i)}`]) });
      }
    }

    const heatmap: HeatmapCell[] = [];
    for (const c of calcs.filter((x) => x.op === 'HEATMAP')) {
      heatmap.push(...(await this.heatmap(matched, sql.col(c.column ?? ''), calcLabel(c), bucket)));
    }
    return { query: saved, window, matched: matchedCount, breakdowns, calculations: tableCalcs.map(calcLabel), rows, series, heatmap };
  }

  /** HEATMAP: DuckDB's equal-width bins over the values in range, and its histogram per time bucket. */
  private async heatmap(matched: string, column: string, label: string, bucket: string): Promise<HeatmapCell[]> {
    const value = `TRY_CAST(${column} AS DOUBLE)`;
    const [range] = await this.rows(
      `WITH ${matched} SELECT min(${value}) AS lo, max(${value}) AS hi, equi_width_bins(min(${value}), max(${value}), ${String(HEATMAP_BUCKETS)}, false) AS bins FROM matched`,
    );
    const lo = toNumber(range?.lo);
    const hi = toNumber(range?.hi);
    if (lo === null || hi === null) return [];
    const edges = Array.isArray(range?.bins) ? (range.bins as unknown[]).map((b) => toNumber(b) ?? hi) : [];
    const bins = lo === hi || edges.length === 0 ? [hi] : edges;
    const list = `[${bins.map((b) => `${literal(b)}::DOUBLE`).join(', ')}]`;
    const cells = await this.rows(
      `WITH ${matched}, h AS (SELECT ${bucket} AS t, histogram(${value}, ${list}) AS hist FROM matched WHERE ${value} IS NOT NULL GROUP BY ALL)
       SELECT t, unnest(map_keys(hist)) AS upper, unnest(map_values(hist)) AS n FROM h ORDER BY t, upper`,
    );
    return cells
      .map((r) => {
        const upper = toNumber(r.upper) ?? 0;
        const index = bins.indexOf(upper);
        return {
          calc: label,
          time: toNumber(r.t) ?? 0,
          lower: index <= 0 ? lo : (bins[index - 1] ?? lo),
          upper,
          count: toNumber(r.n) ?? 0,
        };
      })
      .filter((cell) => cell.count > 0);
  }

  close(): void {
    this.conn.closeSync();
    this.instance.closeSync();
  }
}
