/**
 * Saved queries as code: one file per query in Honeycomb's Query Specification JSON (the body of
 * `POST /1/queries/{dataset}`), plus our own `name` and `description` (the query annotation).
 * Every file is validated here before anything is evaluated or sent, so a bad file fails naming
 * the file and the field and no request goes out.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/** Honeycomb's calculation operators (Query Specification reference). */
export const CALCULATION_OPS = [
  'COUNT',
  'CONCURRENCY',
  'COUNT_DISTINCT',
  'HEATMAP',
  'SUM',
  'AVG',
  'MAX',
  'MIN',
  'P001',
  'P01',
  'P05',
  'P10',
  'P20',
  'P25',
  'P50',
  'P75',
  'P80',
  'P90',
  'P95',
  'P99',
  'P999',
  'RATE_AVG',
  'RATE_SUM',
  'RATE_MAX',
] as const;
export type CalculationOp = (typeof CALCULATION_OPS)[number];

/** Honeycomb's filter operators. */
export const FILTER_OPS = [
  '=',
  '!=',
  '>',
  '>=',
  '<',
  '<=',
  'starts-with',
  'does-not-start-with',
  'ends-with',
  'does-not-end-with',
  'exists',
  'does-not-exist',
  'contains',
  'does-not-contain',
  'in',
  'not-in',
] as const;
export type FilterOp = (typeof FILTER_OPS)[number];

const column = z.string().min(1);
const scalar = z.union([z.string(), z.number(), z.boolean()]);

const calculation = z
  .object({ op: z.enum(CALCULATION_OPS), column: column.optional() })
  .strict()
  .refine((c) => (c.op === 'COUNT' || c.op === 'CONCURRENCY' ? c.column === undefined : c.column !== undefined), {
    message: 'COUNT and CONCURRENCY take no column; every other op needs one',
    path: ['column'],
  });

const filter = z
  .object({ column, op: z.enum(FILTER_OPS), value: z.union([scalar, z.array(scalar)]).optional() })
  .strict()
  .superRefine((f, ctx) => {
    const needsNone = f.op === 'exists' || f.op === 'does-not-exist';
    const needsList = f.op === 'in' || f.op === 'not-in';
    if (needsNone && f.value !== undefined) ctx.addIssue({ code: 'custom', message: `${f.op} takes no value`, path: ['value'] });
    if (!needsNone && f.value === undefined) ctx.addIssue({ code: 'custom', message: `${f.op} needs a value`, path: ['value'] });
    if (needsList && !Array.isArray(f.value)) ctx.addIssue({ code: 'custom', message: `${f.op} needs a list value`, path: ['value'] });
    if (!needsList && Array.isArray(f.value))
      ctx.addIssue({ code: 'custom', message: `${f.op} takes one value, not a list`, path: ['value'] });
  });

const order = z
  .object({ op: z.enum(CALCULATION_OPS).optional(), column: column.optional(), order: z.enum(['ascending', 'descending']).optional() })
  .strict()
  .refine((o) => o.op !== undefined || o.column !== undefined, { message: 'an order names an op, a column or both' });

/** The Query Specification fields we use, as Honeycomb names them. */
export const querySpecSchema = z
  .object({
    calculations: z.array(calculation).max(100).optional(),
    filters: z.array(filter).max(100).optional(),
    filter_combination: z.enum(['AND', 'OR']).optional(),
    breakdowns: z.array(column).max(100).optional(),
    orders: z.array(order).max(100).optional(),
    limit: z.number().int().min(1).max(10_000).optional(),
    time_range: z.number().int().min(1).optional(),
    granularity: z.number().int().min(1).optional(),
  })
  .strict()
  .superRefine((q, ctx) => {
    const calcs = q.calculations ?? [];
    for (const [i, o] of (q.orders ?? []).entries()) {
      const ok =
        o.op === undefined
          ? (q.breakdowns ?? []).includes(o.column ?? '')
          : calcs.some((c) => c.op === o.op && c.column === o.column) || (o.op === 'COUNT' && calcs.length === 0);
      if (!ok)
        ctx.addIssue({ code: 'custom', message: 'each order must name a breakdown or one of the calculations', path: ['orders', i] });
    }
    const range = q.time_range ?? 7200;
    if (q.granularity !== undefined && (q.granularity > range / 10 || q.granularity < range / 1000)) {
      ctx.addIssue({
        code: 'custom',
        message: `must lie within time_range/1000 .. time_range/10 (${range / 1000} .. ${range / 10})`,
        path: ['granularity'],
      });
    }
  });
export type QuerySpec = z.infer<typeof querySpecSchema>;

/** A query file: the annotation's name and description beside the specification. */
export const queryFileSchema = z
  .object({
    name: z.string().min(1).max(80),
    description: z.string().max(280).optional(),
    query: querySpecSchema,
  })
  .strict();

export interface SavedQuery {
  /** The file's name without `.json`: how the board refers to it. */
  readonly id: string;
  readonly file: string;
  readonly name: string;
  readonly description: string;
  readonly query: QuerySpec;
}

const panel = z
  .object({
    query: z.string().min(1),
    style: z.enum(['graph', 'table', 'combo']).optional(),
  })
  .strict();

export const boardFileSchema = z
  .object({ name: z.string().min(1).max(255), description: z.string().max(1024).optional(), panels: z.array(panel).min(1) })
  .strict();
export type BoardFile = z.infer<typeof boardFileSchema>;

export interface Board {
  readonly file: string;
  readonly name: string;
  readonly description: string;
  readonly panels: ReadonlyArray<{ readonly query: string; readonly style: 'graph' | 'table' | 'combo' }>;
}

/** A file that is not a valid spec: which file, which field, what is wrong. */
export class SpecError extends Error {
  override readonly name = 'SpecError';
}

function fieldPath(p: readonly PropertyKey[]): string {
  return p.reduce<string>(
    (acc, key) => (typeof key === 'number' ? `${acc}[${String(key)}]` : acc === '' ? String(key) : `${acc}.${String(key)}`),
    '',
  );
}

function parseFile<T>(file: string, schema: z.ZodType<T>): T {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new SpecError(`${file}: not valid JSON (${err instanceof Error ? err.message : String(err)})`, { cause: err });
  }
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  ${fieldPath(issue.path) || '(file)'}: ${issue.message}`);
  throw new SpecError(`${file}: not a valid query specification\n${lines.join('\n')}`);
}

export const BOARD_FILE = 'board.json';

/**
 * Every `*.json` of the directory but the board, validated, sorted by file name; then the board,
 * whose panels must name those queries. Throws SpecError naming the file and field.
 */
export function loadQueries(dir: string): { queries: SavedQuery[]; board: Board } {
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json') && f !== BOARD_FILE)
    .sort();
  if (files.length === 0) throw new SpecError(`${dir}: no query files (*.json)`);
  const queries = files.map((f): SavedQuery => {
    const file = path.join(dir, f);
    const parsed = parseFile(file, queryFileSchema);
    return { id: f.replace(/\.json$/, ''), file, name: parsed.name, description: parsed.description ?? '', query: parsed.query };
  });
  const names = new Map<string, string>();
  for (const q of queries) {
    const other = names.get(q.name);
    if (other !== undefined) throw new SpecError(`${q.file}: name: "${q.name}" is also the name of ${other}`);
    names.set(q.name, q.file);
  }
  const boardPath = path.join(dir, BOARD_FILE);
  const parsed = parseFile(boardPath, boardFileSchema);
  for (const [i, p] of parsed.panels.entries()) {
    if (!queries.some((q) => q.id === p.query)) {
      throw new SpecError(`${boardPath}: panels[${String(i)}].query: no query file ${p.query}.json in ${dir}`);
    }
  }
  const board: Board = {
    file: boardPath,
    name: parsed.name,
    description: parsed.description ?? '',
    panels: parsed.panels.map((p) => ({ query: p.query, style: p.style ?? 'graph' })),
  };
  return { queries, board };
}
