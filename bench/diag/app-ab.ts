/**
 * Two (or more) builds of the app side by side in one run: server CPU per request at saturation,
 * for deciding whether a change to the app's telemetry pays. bench/app-overhead/main.ts runs every
 * variant from one build (BENCH_APP_DIR moves them all), so a before/after there takes two runs,
 * and on a shared machine the drift between runs is as large as the change. Here each round
 * starts one fresh server per entry, in rotating order, as main.ts does for its variants.
 *
 * AB_BUILDS: `label=variant:dir[,NAME=value...]` entries separated by `;`, e.g.
 *   AB_BUILDS="bare=bare:app;floor=floor:app;before=ours:/tmp/before-app;after=ours:app"
 * where variant is one of bench/app-overhead/variants.ts and dir a built app/ (dist/ inside);
 * NAME=value pairs are extra environment for that server (NODE_OPTIONS=--max-semi-space-size=64).
 * AB_ROUNDS (4), AB_DURATION (5 s), AB_WARMUP (2 s), AB_CONNECTIONS (10).
 * Prints each round and the medians, and "added" against the first entry. Started by
 * `make bench-app-ab` (runner pinned to CPU 0, servers to CPU 1, as in bench-app).
 */
import { openSync } from 'node:fs';
import path from 'node:path';

import { freePort } from '@cruddur/testkit/ports';
import { cpuMicros, spawnLogged, stopProcess, waitForOk } from '@cruddur/testkit/processes';
import { median } from '@cruddur/testkit/stats';
import { startPassThroughCollector } from '../app-overhead/pass-through.ts';
import { loadOptions } from '../app-overhead/requests.ts';
import { ENDPOINTS, type EndpointName, VARIANTS, type VariantName } from '../app-overhead/results.ts';
import { variantSetup } from '../app-overhead/variants.ts';
import { envNumber } from '../lib/env.ts';
import { runLoad } from '../lib/load.ts';
import { OUT_DIR } from '../lib/paths.ts';

interface Build {
  readonly label: string;
  readonly variant: VariantName;
  readonly appDir: string;
  readonly env: Record<string, string>;
}

function parseBuilds(spec: string): Build[] {
  return spec
    .split(';')
    .filter((entry) => entry.trim() !== '')
    .map((entry) => {
      const equals = entry.indexOf('=');
      const label = equals === -1 ? '' : entry.slice(0, equals).trim();
      const [target = '', ...pairs] = entry.slice(equals + 1).split(',');
      const [variant = '', dir = ''] = target.split(':', 2);
      if (label === '' || dir === '' || !(VARIANTS as readonly string[]).includes(variant)) {
        throw new Error(`AB_BUILDS entry "${entry}": expected label=variant:dir with variant one of ${VARIANTS.join(', ')}`);
      }
      const env = Object.fromEntries(pairs.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
      return { label, variant: variant as VariantName, appDir: path.resolve(dir), env };
    });
}

const BUILDS = parseBuilds(process.env.AB_BUILDS ?? '');
const ROUNDS = envNumber('AB_ROUNDS', 4);
const DURATION_S = envNumber('AB_DURATION', 5);
const WARMUP_S = envNumber('AB_WARMUP', 2);
const CONNECTIONS = envNumber('AB_CONNECTIONS', 10);

async function main(): Promise<void> {
  if (BUILDS.length === 0) throw new Error('AB_BUILDS is empty: see the header of bench/diag/app-ab.ts');
  const logFd = openSync(path.join(OUT_DIR, 'app-ab.log'), 'w');
  const collector = await startPassThroughCollector(logFd);
  const cpu = new Map<string, number[]>();
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (let index = 0; index < BUILDS.length; index++) {
        const build = BUILDS[(index + round) % BUILDS.length];
        if (build === undefined) continue;
        const port = await freePort();
        const setup = variantSetup(build.variant, collector.otlpEndpoint);
        const child = spawnLogged('taskset', ['-c', '1', process.execPath, ...setup.nodeArgs, 'dist/src/server.js'], {
          cwd: build.appDir,
          env: { ...process.env, ...setup.env, ...build.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' },
          logFd,
        });
        await waitForOk(`http://127.0.0.1:${String(port)}/health`, child, 20_000);
        const pid = child.pid;
        try {
          if (pid === undefined) throw new Error('server has no pid');
          for (const endpoint of ENDPOINTS) {
            await runLoad(loadOptions(port, endpoint, CONNECTIONS, WARMUP_S));
            const before = cpuMicros(pid);
            const { result } = await runLoad(loadOptions(port, endpoint, CONNECTIONS, DURATION_S));
            const perRequest = (cpuMicros(pid) - before) / result['2xx'];
            const key = `${build.label}\t${endpoint}`;
            cpu.set(key, [...(cpu.get(key) ?? []), perRequest]);
            process.stdout.write(
              `r${String(round + 1)} ${build.label.padEnd(12)} ${endpoint.padEnd(25)} ${perRequest.toFixed(1)} us/req\n`,
            );
          }
        } finally {
          await stopProcess(child, 15_000);
        }
      }
    }
  } finally {
    await collector.stop();
  }
  const medianOf = (label: string, endpoint: EndpointName): number => median(cpu.get(`${label}\t${endpoint}`) ?? []);
  const first = BUILDS[0]?.label ?? '';
  for (const endpoint of ENDPOINTS) {
    const cells = BUILDS.map((build) => {
      const value = medianOf(build.label, endpoint);
      return `${build.label} ${value.toFixed(1)} (${(value - medianOf(first, endpoint)).toFixed(1)})`;
    });
    process.stdout.write(`${endpoint}: median us/req (vs ${first}): ${cells.join('  ')}\n`);
  }
}

await main();
