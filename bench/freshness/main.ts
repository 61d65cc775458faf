/**
 * End-to-end freshness: how long after an HTTP response its trace can be read back from X-Ray and
 * its access-log record from CloudWatch Logs, through the real compose stack (app -> collector
 * sidecar -> moto standing in for both AWS services). Started by `make bench-freshness`.
 *
 * Per variant (batching settings: plan.ts), one fresh stack from the images `make images` built
 * (@cruddur/testkit/stack: the real docker-compose.yml, `local` profile, free ports), run by
 * variant.ts:
 *   1. open-loop traffic at a steady rate (traffic.ts): GET /api/activities/home,
 *      GET /api/activities/@andrewbrown and POST /api/activities in a fixed 2:1:1 mix, each request
 *      with its own X-Ray-compatible trace id in a `traceparent` header (@cruddur/testkit/trace-ids), the
 *      response-complete time recorded;
 *   2. meanwhile two pollers (pollers.ts), every POLL_MS each, ask moto for what is new:
 *        X-Ray       GetTraceSummaries over [oldest still-unseen request - 2 s, now + 60 s]
 *        CloudWatch  FilterLogEvents on the app's log group from the same oldest unseen time,
 *                    matching the access-log record (attributes["log.type"] == "access") by trace_id
 *      so each poll reads a few seconds of data, not the whole run (moto scans everything it holds
 *      per call; the window keeps the answer, its JSON and our parsing small);
 *   3. after the last request, polling continues until everything is seen or DRAIN_S passed; a
 *      final sweep (BatchGetTraces, a full FilterLogEvents) tells "late" (there, but after the
 *      drain) from "lost" (not there at all).
 * Freshness = first poll answer that contains the item - response complete, both on this host's
 * clock. It is an upper bound: the item became readable somewhere in the poll interval before.
 *
 * Variants (FRESHNESS_VARIANTS, comma list; default all three):
 *   compose-defaults  the dev profile as `make up` runs it: the app's batch delays are the defaults
 *                     docker-compose.yml gives OTEL_BSP/BLRP_SCHEDULE_DELAY, the collector runs the
 *                     shipped config files unchanged (read from the files, not hard-coded here)
 *   app-1000ms        the app's two schedule delays at 1000 ms: the dev profile before this
 *                     benchmark (p95 2.05 s), kept beside it so each run shows what the change buys
 *   all-200ms         app 200 ms and OTELCOL_BATCH_TIMEOUT=200ms, which docker-compose.yml passes to
 *                     the collector, so every config value that reads it runs at 200 ms
 * Every variant sets OTELCOL_BATCH_TIMEOUT itself (the compose default unless 200 ms), so the
 * stack's own pinned value never decides it.
 *
 * Environment: FRESHNESS_RATE (15 req/s), FRESHNESS_DURATION (60 s measured), FRESHNESS_WARMUP
 * (5 s, same traffic, not measured), FRESHNESS_POLL_MS (100), FRESHNESS_DRAIN_S (20),
 * FRESHNESS_VARIANTS, FRESHNESS_LABEL (free text stored with the results), FRESHNESS_OUTPUT
 * (default docs/bench/results/freshness.json), FRESHNESS_APP_IMAGE (another app image, e.g. a
 * candidate fix, instead of cruddur/app:dev).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { envList } from '../lib/env.ts';
import { loadAverage, motoVersion, packageVersion } from '../lib/host.ts';
import { repoRoot } from '@cruddur/testkit/paths';
import { commandOutput } from '@cruddur/testkit/processes';
import { APP_IMAGE, at, plans, readYaml, shipped } from './plan.ts';
import { LOG_GROUP } from './pollers.ts';
import { freshnessRatios } from './report.ts';
import { FRESHNESS_JSON, TARGET_P95_MS, VARIANT_NAMES, type FreshnessResults, type FreshnessVariantResult } from './results.ts';
import { MIX } from './traffic.ts';
import { runVariant, type RunConfig } from './variant.ts';

function versions(): Record<string, string> {
  const builder = readYaml('otel-collector/builder-config.yaml');
  const processors = JSON.stringify(at(builder, ['processors']));
  const appManifest = JSON.parse(readFileSync(path.join(repoRoot, 'app/package.json'), 'utf8')) as { dependencies: Record<string, string> };
  const image = (name: string): string =>
    commandOutput('docker', ['image', 'inspect', '--format', '{{.Id}}', name]).replace('sha256:', '').slice(0, 12);
  return {
    node: process.version,
    '@opentelemetry/sdk-node (app)': appManifest.dependencies['@opentelemetry/sdk-node'] ?? 'unknown',
    '@opentelemetry/sdk-logs (app)': appManifest.dependencies['@opentelemetry/sdk-logs'] ?? 'unknown',
    collector: `otelcol-cruddur ${String(at(builder, ['dist', 'version']))} (batchprocessor ${/batchprocessor (v[\d.]+)/.exec(processors)?.[1] ?? '?'})`,
    moto: motoVersion(),
    '@aws-sdk/client-xray': packageVersion('@aws-sdk/client-xray'),
    testcontainers: packageVersion('testcontainers'),
    git: `${commandOutput('git', ['-C', repoRoot, 'rev-parse', '--short', 'HEAD'])}${commandOutput('git', ['-C', repoRoot, 'status', '--porcelain', '--', 'docker-compose.yml', 'otel-collector/config', 'xray-daemon', 'app/src']) === '' ? '' : ' + uncommitted changes to the stack files'}`,
    docker: commandOutput('docker', ['version', '--format', '{{.Server.Version}}']),
    compose: commandOutput(path.join(repoRoot, 'scripts/compose.sh'), ['version', '--short']),
    [`image ${APP_IMAGE ?? 'cruddur/app:dev'}`]: image(APP_IMAGE ?? 'cruddur/app:dev'),
    'image cruddur/otel-collector:dev': image('cruddur/otel-collector:dev'),
    'image cruddur/moto:dev': image('cruddur/moto:dev'),
  };
}

function otherContainers(): number {
  const names = commandOutput('docker', ['ps', '--format', '{{.Names}}']);
  return names === 'unknown' || names === '' ? 0 : names.split('\n').filter((name) => !name.startsWith('cruddur-bench-freshness')).length;
}

async function main(): Promise<void> {
  // Same as the integration tests (vitest.config.ts): no registry for Ryuk's image, local daemon.
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  process.env.TESTCONTAINERS_HOST_OVERRIDE ??= 'localhost';
  const { offlineCollectorFiles, startStack } = await import('@cruddur/testkit/stack');

  const config: RunConfig = {
    rate: Number(process.env.FRESHNESS_RATE ?? '15'),
    durationS: Number(process.env.FRESHNESS_DURATION ?? '60'),
    warmupS: Number(process.env.FRESHNESS_WARMUP ?? '5'),
    pollMs: Number(process.env.FRESHNESS_POLL_MS ?? '100'),
    drainS: Number(process.env.FRESHNESS_DRAIN_S ?? '20'),
  };
  const output = path.resolve(process.env.FRESHNESS_OUTPUT ?? FRESHNESS_JSON);
  const selected = envList('FRESHNESS_VARIANTS', VARIANT_NAMES);
  if (selected.length === 0) throw new Error(`FRESHNESS_VARIANTS names none of ${VARIANT_NAMES.join(', ')}`);

  const loadBefore = loadAverage();
  const others = otherContainers();
  if (others > 0) process.stdout.write(`note: ${String(others)} other containers are running; figures will be noisier\n`);
  const variants: FreshnessVariantResult[] = [];
  for (const plan of plans(shipped(offlineCollectorFiles())).filter((candidate) => selected.includes(candidate.name))) {
    variants.push(await runVariant(plan, config, startStack));
  }

  const cpus = os.cpus();
  const results: FreshnessResults = {
    meta: {
      date: new Date().toISOString(),
      label: process.env.FRESHNESS_LABEL ?? '',
      command: ['node', ...process.argv.slice(1).map((arg) => path.relative(repoRoot, arg) || arg)].join(' '),
      makeTarget: 'make bench-freshness',
      host: {
        cpu: cpus[0]?.model ?? 'unknown',
        cores: cpus.length,
        kernel: os.release(),
        loadBefore,
        loadAfter: loadAverage(),
        otherContainers: others,
      },
      versions: versions(),
      conditions: {
        ratePerS: config.rate,
        durationS: config.durationS,
        warmupS: config.warmupS,
        pollIntervalMs: config.pollMs,
        drainLimitS: config.drainS,
        mix: [...MIX],
        logGroup: LOG_GROUP,
        targetP95Ms: TARGET_P95_MS,
        timing:
          'freshness = arrival of the first poll answer holding the item - response complete (body read), both performance.timeOrigin + performance.now() on the host; an upper bound by at most one poll interval plus one poll round trip',
      },
    },
    variants,
  };
  mkdirSync(path.dirname(output), { recursive: true });
  writeFileSync(output, `${compactArrays(JSON.stringify(results, null, 1))}\n`);
  process.stdout.write(`\nwrote ${path.relative(repoRoot, output)}\n`);
  for (const line of freshnessRatios(results)) process.stdout.write(`${line}\n`);
}

/** Arrays of numbers (latencies, offsets, histogram counts) on one line each: the file stays readable. */
function compactArrays(json: string): string {
  return json.replace(
    /\[\s*((?:-?[\d.e+]+|null)(?:,\s*(?:-?[\d.e+]+|null))*)\s*\]/g,
    (_match, inner: string) => `[${inner.replace(/\s+/g, '')}]`,
  );
}

if (import.meta.main) {
  main().catch((error: unknown) => {
    process.stderr.write(`freshness benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
