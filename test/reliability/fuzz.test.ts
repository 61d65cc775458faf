import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startAppProcess, type AppProcess } from '@cruddur/testkit/app-process';
import { repoRoot } from '@cruddur/testkit/paths';
import { spawnCollecting } from '@cruddur/testkit/processes';
import { loadOpenApi, OPENAPI_FILE, operationsOf } from './support/openapi.ts';

// Schema-driven fuzzing of every documented operation with schemathesis (pinned in
// test/reliability/fuzz/requirements.txt, installed by `make fuzz-venv`), against the shipped
// artefact run as a local process. The app's own access log is the independent witness: it
// counts every request the fuzzer made and every status it answered.

const SCHEMATHESIS = path.join(repoRoot, '.tools/fuzz-venv/bin/st');
/** Bounds: per-operation examples and a wall-clock budget for the whole run (all phases). */
const MAX_EXAMPLES = Number(process.env.FUZZ_MAX_EXAMPLES ?? 100);
const MAX_TIME_S = Number(process.env.FUZZ_MAX_TIME ?? 75);
/** Random unless given, so repeated runs explore more; printed so a failure can be replayed. */
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const CHECKS = ['not_a_server_error', 'status_code_conformance', 'response_schema_conformance', 'content_type_conformance'];

interface SchemathesisReport {
  readonly exit_code: number;
  readonly stop_reason: string;
  readonly operations: { readonly total: number; readonly tested: number; readonly errored: number };
  readonly test_cases: { readonly generated: number; readonly with_failures: number; readonly errored: number };
  readonly failures: readonly unknown[];
  readonly errors: readonly unknown[];
}

interface AccessRecord {
  readonly 'log.type'?: string;
  readonly 'http.request.method': string;
  readonly 'url.path': string;
  readonly 'http.response.status_code': number;
}

function runSchemathesis(baseUrl: string, reportDir: string): Promise<{ code: number | null; output: string }> {
  const args = [
    'run',
    OPENAPI_FILE,
    '--url',
    baseUrl,
    '--checks',
    CHECKS.join(','),
    '--max-examples',
    String(MAX_EXAMPLES),
    '--max-time',
    String(MAX_TIME_S),
    '--seed',
    String(SEED),
    '--generation-database',
    'none',
    '--request-timeout',
    '10',
    '--workers',
    '1',
    '--report',
    'json',
    '--report-dir',
    reportDir,
    '--no-color',
  ];
  return new Promise((resolve, reject) => {
    // cwd and HOME in a temp dir: schemathesis keeps a crash cache (.schemathesis/) in its
    // working directory, which must not land in the work tree.
    const { child, output } = spawnCollecting(SCHEMATHESIS, args, {
      cwd: reportDir,
      env: { PATH: process.env.PATH ?? '', HOME: reportDir },
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output: output() }));
  });
}

let app: AppProcess;
let report: SchemathesisReport;
let access: AccessRecord[];
let stOutput: string;
let stCode: number | null;

beforeAll(async () => {
  if (!fs.existsSync(SCHEMATHESIS)) throw new Error(`${SCHEMATHESIS} is missing: run \`make fuzz-venv\``);
  // As production runs it, less the exporters (nothing to send to) and the debug routes (off).
  app = await startAppProcess({ OTEL_TRACES_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none', LOG_LEVEL: 'info' });
  const reportDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cruddur-fuzz-'));
  const run = await runSchemathesis(app.url, reportDir);
  stCode = run.code;
  stOutput = run.output;
  const file = fs.readdirSync(reportDir).find((name) => name.startsWith('json-') && name.endsWith('.json'));
  if (file === undefined) throw new Error(`schemathesis wrote no JSON report (exit ${stCode}):\n${stOutput.slice(-4000)}`);
  report = JSON.parse(fs.readFileSync(path.join(reportDir, file), 'utf8')) as SchemathesisReport;
  access = app
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as AccessRecord)
    .filter((record) => record['log.type'] === 'access');
});

afterAll(async () => {
  if (report && access) {
    const byStatus: Record<number, number> = {};
    for (const record of access) byStatus[record['http.response.status_code']] = (byStatus[record['http.response.status_code']] ?? 0) + 1;
    console.log(
      `fuzz: seed ${SEED}, max-examples ${MAX_EXAMPLES}, max-time ${MAX_TIME_S}s, stop ${report.stop_reason}; ` +
        `schemathesis generated ${report.test_cases.generated} test cases over ${report.operations.tested} operations, ` +
        `${report.test_cases.with_failures} failing; the app logged ${access.length} requests, by status ${JSON.stringify(byStatus)}`,
    );
  }
  await app?.stop();
});

describe('schemathesis against app/openapi.yaml', () => {
  it('tests every documented operation and finds no failure (no 5xx, statuses, schemas and content types as documented)', () => {
    expect(report.operations.total).toBe(operationsOf(loadOpenApi()).length);
    expect(report.operations.tested, stOutput.slice(-4000)).toBe(report.operations.total);
    expect(report.operations.errored).toBe(0);
    expect(report.failures, stOutput.slice(-8000)).toEqual([]);
    expect(report.errors, stOutput.slice(-8000)).toEqual([]);
    expect(report.test_cases.with_failures).toBe(0);
    expect(stCode, stOutput.slice(-4000)).toBe(0);
  });

  it('really sent the traffic: the app logged thousands of requests on every route, none answered 5xx', () => {
    // A fuzz run that sent little would pass the check above vacuously.
    expect(report.test_cases.generated).toBeGreaterThan(1000);
    expect(access.length).toBeGreaterThanOrEqual(report.test_cases.generated);
    const serverErrors = access.filter((record) => record['http.response.status_code'] >= 500);
    expect(serverErrors.map((r) => `${r['http.request.method']} ${r['url.path']} ${r['http.response.status_code']}`)).toEqual([]);
    for (const prefix of ['/api/activities/search', '/api/activities/@', '/api/messages/@', '/api/message_groups', '/rollbar/test']) {
      expect(
        access.some((record) => record['url.path'].startsWith(prefix)),
        prefix,
      ).toBe(true);
    }
    expect(access.filter((r) => r['http.request.method'] === 'POST').length).toBeGreaterThan(100);
  });

  it('left the app up: no crash, /health answers', async () => {
    expect(app.child.exitCode).toBeNull();
    const health = await fetch(`${app.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
  });
});
