/**
 * `make queries`: the saved queries of queries/honeycomb/, in one of two places.
 *
 * - HONEYCOMB_API_KEY set (a configuration key): creates or updates each query, its query
 *   annotation and the board in Honeycomb (HONEYCOMB_API_URL, default https://api.honeycomb.io;
 *   dataset HONEYCOMB_DATASET, default cruddur-backend). Idempotent.
 * - otherwise: evaluates them with DuckDB over what the Honeycomb stand-in received
 *   (HONEYCOMB_REPORT_URL, default http://127.0.0.1:14318), prints a table per query and writes
 *   an HTML report with the heatmaps and percentile-over-time charts.
 *
 * Every file is validated first: a bad one fails naming the file and the field, before anything
 * is read or sent.
 *
 *   node queries/cli.ts [--dir DIR] [--out FILE]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { honeycombReport } from '@cruddur/testkit/backends';
import { type Evaluation, EventStore, spanEvent } from './lib/evaluate.ts';
import { describeResults } from '../aws/lib/resources.ts';
import { syncToHoneycomb } from './lib/honeycomb-api.ts';
import { htmlReport, textTable, writeReport } from './lib/report.ts';
import { loadQueries, SpecError } from './lib/spec.ts';

const here = import.meta.dirname;
const { values: options } = parseArgs({
  options: {
    dir: { type: 'string', default: path.join(here, 'honeycomb') },
    out: { type: 'string', default: path.join(here, 'out', 'report.html') },
  },
});
const env = process.env;

const rank = (order: readonly string[], id: string): number => (order.includes(id) ? order.indexOf(id) : order.length);

async function offline(loaded: ReturnType<typeof loadQueries>): Promise<void> {
  const reportUrl = env.HONEYCOMB_REPORT_URL ?? `http://127.0.0.1:${env.HONEYCOMB_STANDIN_PORT ?? '14318'}`;
  const report = await honeycombReport(reportUrl);
  const store = await EventStore.load(report.spans.map(spanEvent));
  const now = Date.now() / 1000;
  const evaluations: Evaluation[] = [];
  // In the board's order (the report reads like the board), then any query not on it.
  const onBoard = loaded.board.panels.map((p) => p.query);
  const ordered = [...loaded.queries].sort((a, b) => rank(onBoard, a.id) - rank(onBoard, b.id));
  try {
    for (const q of ordered) evaluations.push(await store.evaluate(q, now));
  } finally {
    store.close();
  }
  console.log(
    `queries: HONEYCOMB_API_KEY not set: evaluated ${String(loaded.queries.length)} queries with DuckDB over the ${String(report.spans.length)} spans the Honeycomb stand-in at ${reportUrl} holds\n`,
  );
  for (const e of evaluations) console.log(`${textTable(e)}\n`);
  const out = path.resolve(options.out);
  writeReport(out, htmlReport(evaluations, new Date(), `the Honeycomb stand-in's ${String(report.spans.length)} spans`));
  console.log(`report: ${out}`);
}

async function toHoneycomb(apiKey: string, loaded: ReturnType<typeof loadQueries>): Promise<void> {
  const baseUrl = env.HONEYCOMB_API_URL ?? 'https://api.honeycomb.io';
  const dataset = env.HONEYCOMB_DATASET ?? 'cruddur-backend';
  console.log(
    `queries: saving ${String(loaded.queries.length)} queries and board "${loaded.board.name}" to ${baseUrl}, dataset ${dataset}`,
  );
  console.log(describeResults(await syncToHoneycomb({ baseUrl, apiKey, dataset }, loaded.queries, loaded.board)));
}

try {
  const loaded = loadQueries(path.resolve(options.dir));
  const apiKey = env.HONEYCOMB_API_KEY ?? '';
  await (apiKey === '' ? offline(loaded) : toHoneycomb(apiKey, loaded));
} catch (err) {
  console.error(`queries failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = err instanceof SpecError ? 2 : 1;
}
