import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '@cruddur/testkit/paths';
import { CANARY } from '@cruddur/testkit/standins';
import { type CliResult, queriesCli } from './cli-run.ts';
import { type FakeHoneycombApi, startFakeHoneycombApi } from './fake-honeycomb-api.ts';

const DATASET = 'cruddur-backend';
const source = path.join(repoRoot, 'queries/honeycomb');
const FILES = ['errors-by-route', 'latency-by-user', 'recent-traces', 'result-size', 'slowest-routes'];
interface QueryFile {
  name: string;
  description: string;
  query: Record<string, unknown>;
}
const file = (dir: string, id: string): QueryFile => JSON.parse(fs.readFileSync(path.join(dir, `${id}.json`), 'utf8')) as QueryFile;
const board = JSON.parse(fs.readFileSync(path.join(source, 'board.json'), 'utf8')) as {
  name: string;
  description: string;
  panels: Array<{ query: string; style: string }>;
};

let api: FakeHoneycombApi;
let edited: string;
const cli = (dir = source, key: string = CANARY.honeycombKey): Promise<CliResult> =>
  queriesCli({ HONEYCOMB_API_KEY: key, HONEYCOMB_API_URL: api.url, HONEYCOMB_DATASET: DATASET }, ['--dir', dir]);

beforeAll(async () => {
  api = await startFakeHoneycombApi(CANARY.honeycombKey, DATASET);
  edited = fs.mkdtempSync(path.join(os.tmpdir(), 'cruddur-queries-'));
  fs.cpSync(source, edited, { recursive: true });
});
afterAll(async () => {
  await api?.close();
  fs.rmSync(edited, { recursive: true, force: true });
});

describe('make queries with HONEYCOMB_API_KEY (against a recording fake of the API)', () => {
  it('first run: creates each query and its annotation, then the board, with the exact request bodies', async () => {
    const out = await cli();
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(api.sequence()).toEqual([
      `GET /1/query_annotations/${DATASET}`,
      ...FILES.flatMap(() => [`POST /1/queries/${DATASET}`, `POST /1/query_annotations/${DATASET}`]),
      'GET /1/boards',
      'POST /1/boards',
    ]);
    // Ids are handed out in request order: q1/a2 for the first file, q3/a4 for the second...
    expect(api.bodies('POST', '/1/queries/')).toEqual(FILES.map((id) => file(source, id).query));
    expect(api.bodies('POST', '/1/query_annotations/')).toEqual(
      FILES.map((id, i) => ({ name: file(source, id).name, description: file(source, id).description, query_id: `q${String(2 * i + 1)}` })),
    );
    const ids = (id: string): { query_id: string; query_annotation_id: string } => {
      const i = FILES.indexOf(id);
      return { query_id: `q${String(2 * i + 1)}`, query_annotation_id: `a${String(2 * i + 2)}` };
    };
    expect(api.bodies('POST', '/1/boards')).toEqual([
      {
        name: 'Cruddur',
        description: board.description,
        type: 'flexible',
        layout_generation: 'auto',
        panels: board.panels.map((p) => ({ type: 'query', query_panel: { ...ids(p.query), query_style: p.style } })),
      },
    ]);
    expect(api.requests.every((r) => r.headers['x-honeycomb-team'] === CANARY.honeycombKey)).toBe(true);
    expect(out.stdout).toContain('created   query "Latency by user" (query q3, annotation a4)');
    expect(out.stdout).toContain('created   board "Cruddur" (board b11)');
    expect(out.stdout).toContain('6 change(s) applied');
    expect(out.stdout).not.toContain(CANARY.honeycombKey);
  });

  it('second run: only reads, and says nothing changed', async () => {
    const before = api.requests.length;
    const out = await cli();
    expect(out.code).toBe(0);
    expect(api.sequence(before)).toEqual([
      `GET /1/query_annotations/${DATASET}`,
      ...FILES.map((_, i) => `GET /1/queries/${DATASET}/q${String(2 * i + 1)}`),
      'GET /1/boards',
      'GET /1/boards/b11',
    ]);
    expect(out.stdout).toContain('nothing changed: everything already as desired');
  });

  it('a query edited in its file is replaced, not duplicated: new query, annotation moved, board updated', async () => {
    const latency = file(edited, 'latency-by-user');
    const spec = latency.query as { calculations: Array<{ op: string; column?: string }>; orders: Array<{ op: string }> };
    spec.calculations[1] = { op: 'P95', column: 'duration_ms' };
    spec.orders[0] = { ...spec.orders[0], op: 'P95' };
    fs.writeFileSync(path.join(edited, 'latency-by-user.json'), JSON.stringify(latency, null, 2));

    const before = api.requests.length;
    const out = await cli(edited);
    expect(out.code).toBe(0);
    expect(api.sequence(before)).toEqual([
      `GET /1/query_annotations/${DATASET}`,
      `GET /1/queries/${DATASET}/q1`,
      `GET /1/queries/${DATASET}/q3`,
      `POST /1/queries/${DATASET}`,
      `POST /1/query_annotations/${DATASET}`,
      `DELETE /1/query_annotations/${DATASET}/a4`,
      `GET /1/queries/${DATASET}/q5`,
      `GET /1/queries/${DATASET}/q7`,
      `GET /1/queries/${DATASET}/q9`,
      'GET /1/boards',
      'GET /1/boards/b11',
      'PUT /1/boards/b11',
    ]);
    expect(api.bodies('POST', '/1/queries/').at(-1)).toEqual(latency.query);
    expect(api.bodies('POST', '/1/query_annotations/').at(-1)).toEqual({
      name: 'Latency by user',
      description: latency.description,
      query_id: 'q12',
    });
    const put = api.bodies('PUT', '/1/boards/b11').at(-1) as { id: string; panels: Array<{ query_panel: Record<string, string> }> };
    expect(put.id).toBe('b11');
    expect(put.panels[0]?.query_panel).toEqual({ query_id: 'q12', query_annotation_id: 'a13', query_style: 'graph' });
    expect([...api.annotations.values()].map((a) => a.name).sort()).toEqual(FILES.map((id) => file(source, id).name).sort());
    expect(out.stdout).toContain('updated   query "Latency by user" (specification changed: query q3 -> q12)');
    expect(out.stdout).toContain('updated   board "Cruddur" (panels or description)');
  });

  it('a description edited alone updates the annotation in place', async () => {
    const result = file(edited, 'result-size');
    result.description = 'Largest result list per span name.';
    fs.writeFileSync(path.join(edited, 'result-size.json'), JSON.stringify(result, null, 2));
    const before = api.requests.length;
    const out = await cli(edited);
    expect(out.code).toBe(0);
    const writes = api.requests.slice(before).filter((r) => r.method !== 'GET');
    expect(writes.map((r) => [r.method, r.path, JSON.parse(r.body) as unknown])).toEqual([
      [
        'PUT',
        `/1/query_annotations/${DATASET}/a8`,
        { name: 'Result size', description: 'Largest result list per span name.', query_id: 'q7' },
      ],
    ]);
    expect(out.stdout).toContain('updated   query "Result size" (description)');
    expect(out.stdout).toContain('unchanged board "Cruddur"');
  });

  it('a file that is not a valid spec fails naming the file and field, and nothing is sent', async () => {
    const bad = fs.mkdtempSync(path.join(os.tmpdir(), 'cruddur-queries-bad-'));
    fs.cpSync(source, bad, { recursive: true });
    const latency = file(bad, 'latency-by-user');
    // two mistakes: an op Honeycomb does not have, and a HEATMAP without its column
    (latency.query as { calculations: Array<{ op: string; column?: string }> }).calculations = [
      { op: 'HEATMAP' },
      { op: 'P91', column: 'duration_ms' },
    ];
    fs.writeFileSync(path.join(bad, 'latency-by-user.json'), JSON.stringify(latency));
    const before = api.requests.length;
    const out = await cli(bad);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain(`${path.join(bad, 'latency-by-user.json')}: not a valid query specification`);
    expect(out.stderr).toMatch(/query\.calculations\[1\]\.op: Invalid option/);
    expect(out.stderr).toContain('query.calculations[0].column: COUNT and CONCURRENCY take no column; every other op needs one');
    expect(api.requests.length).toBe(before);

    fs.writeFileSync(path.join(bad, 'latency-by-user.json'), JSON.stringify(file(source, 'latency-by-user')));
    fs.writeFileSync(path.join(bad, 'board.json'), JSON.stringify({ ...board, panels: [{ query: 'no-such-query' }] }));
    const badBoard = await cli(bad);
    expect(badBoard.code).toBe(2);
    expect(badBoard.stderr).toContain(`${path.join(bad, 'board.json')}: panels[0].query: no query file no-such-query.json`);
    expect(api.requests.length).toBe(before);
    fs.rmSync(bad, { recursive: true, force: true });
  });

  it('a wrong key: Honeycomb refuses it, the error says so and never shows the key', async () => {
    const out = await cli(source, 'canary-wrong-key-1111');
    expect(out.code).toBe(1);
    expect(out.stderr).toContain(
      `queries failed: GET /1/query_annotations/${DATASET} answered 401: unknown API key - check your credentials`,
    );
    expect(out.stderr + out.stdout).not.toContain('canary-wrong-key-1111');
  });
});
