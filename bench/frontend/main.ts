/**
 * What the browser telemetry costs a page: the bytes it adds (gzip, as nginx serves them) and the
 * time from navigation to the first rendered feed, with and without telemetry, side by side in
 * one run on the real compose stack (`make bench-frontend`).
 *
 * Same build, same server: "without" is the page with `telemetry.enabled: false` in its
 * /config.json (rewritten in flight by the browser's request routing), which downloads no
 * telemetry chunk at all (main.tsx imports it only when enabled). Rounds alternate with/without,
 * each in a fresh tab with the HTTP cache disabled (every load is a first visit) and the app
 * warm. The first rendered feed is the moment the first `article` is in the DOM
 * (a MutationObserver installed before the page's own scripts, performance.now()).
 *
 * Targets (issue 13): <= 40 kB gzip added, <= 10 % added time to first feed (median).
 * Environment: FRONTEND_BENCH_ROUNDS (default 15 per mode), FRONTEND_BENCH_OUTPUT
 * (default docs/bench/results/frontend.json).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { type BrowserSession, launchBrowser, type Page } from '@cruddur/testkit/browser';
import { repoRoot } from '@cruddur/testkit/paths';
import { median, percentile, round, sortedOf } from '@cruddur/testkit/stats';
import { loadAverage, warnIfBusy } from '../lib/host.ts';
import { RESULTS_DIR } from '../lib/paths.ts';

const ROUNDS = Number(process.env.FRONTEND_BENCH_ROUNDS ?? '15');
const OUTPUT = path.resolve(process.env.FRONTEND_BENCH_OUTPUT ?? path.join(RESULTS_DIR, 'frontend.json'));
const TARGET_ADDED_KB = 40;
const TARGET_ADDED_TIME = 0.1;

type Mode = 'with telemetry' | 'without telemetry';
const MODES: readonly Mode[] = ['without telemetry', 'with telemetry'];

interface Load {
  readonly firstFeedMs: number;
  /** Bytes on the wire (encodedBodySize: gzip where nginx compressed) per resource path. */
  readonly resources: Record<string, number>;
}

/** In the page, before its scripts: the time the first article appears. */
const OBSERVE_FIRST_FEED = `
  new MutationObserver((_, observer) => {
    if (document.querySelector('article') !== null) {
      globalThis.__firstFeedMs = performance.now();
      observer.disconnect();
    }
  }).observe(document, { childList: true, subtree: true });
`;

/** A performance entry as the page has it (the root tsconfig has no DOM types). */
interface PageEntry {
  readonly name: string;
  readonly encodedBodySize: number;
}

/** In the page, after the feed: the first-feed time and every loaded file's bytes on the wire. */
function readLoad(): { firstFeedMs: number; resources: [string, number][] } {
  const entries = (type: string): PageEntry[] => (performance.getEntriesByType as unknown as (type: string) => PageEntry[])(type);
  return {
    firstFeedMs: Reflect.get(globalThis, '__firstFeedMs') as number,
    resources: [...entries('navigation'), ...entries('resource')].map((entry) => [new URL(entry.name).pathname, entry.encodedBodySize]),
  };
}

/** The front end's /config.json as the stack serves it (only telemetry.enabled is changed per mode). */
interface ServedConfig {
  readonly backendUrl: string;
  readonly telemetry: { readonly enabled: boolean; readonly collectorUrl: string; readonly serviceName: string };
}

async function loadOnce(browser: BrowserSession, url: string, served: ServedConfig, mode: Mode): Promise<Load> {
  const page: Page = await browser.newPage();
  try {
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await page.addInitScript(OBSERVE_FIRST_FEED);
    const config = { ...served, telemetry: { ...served.telemetry, enabled: mode === 'with telemetry' } };
    await page.route('**/config.json', (route) => route.fulfill({ json: config }));
    await page.goto(url);
    // Functions, not strings: the page's CSP (script-src 'self') forbids evaluating strings.
    await page.waitForFunction(() => typeof Reflect.get(globalThis, '__firstFeedMs') === 'number', undefined, { timeout: 30_000 });
    const measured = await page.evaluate(readLoad);
    return { firstFeedMs: measured.firstFeedMs, resources: Object.fromEntries(measured.resources) };
  } finally {
    await page.close();
  }
}

/** The page's own static bytes (document, scripts, styles): not config.json, not API answers. */
function pageBytes(load: Load): { total: number; byFile: Record<string, number> } {
  const byFile = Object.fromEntries(
    Object.entries(load.resources).filter(([file]) => file === '/' || file.startsWith('/assets/') || file === '/index.html'),
  );
  return { total: Object.values(byFile).reduce((sum, bytes) => sum + bytes, 0), byFile };
}

async function main(): Promise<void> {
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  process.env.TESTCONTAINERS_HOST_OVERRIDE ??= 'localhost';
  const { startStack } = await import('@cruddur/testkit/stack');
  const loadBefore = loadAverage();
  warnIfBusy(loadBefore);
  const stack = await startStack({ projectPrefix: 'cruddur-bench-frontend' });
  const browser = await launchBrowser();
  const loads: Record<Mode, Load[]> = { 'with telemetry': [], 'without telemetry': [] };
  try {
    // Warm the app and the browser: these loads are not measured.
    const served = (await (await fetch(`${stack.frontendUrl}/config.json`)).json()) as ServedConfig;
    for (const mode of MODES) await loadOnce(browser, stack.frontendUrl, served, mode);
    for (let index = 0; index < ROUNDS; index += 1) {
      for (const mode of index % 2 === 0 ? MODES : [...MODES].reverse())
        loads[mode].push(await loadOnce(browser, stack.frontendUrl, served, mode));
    }
  } finally {
    await browser.close();
    await stack.down();
  }

  const summary = Object.fromEntries(
    MODES.map((mode) => {
      const values = loads[mode].map((load) => load.firstFeedMs);
      const times = sortedOf(values);
      const bytes = loads[mode][0] === undefined ? { total: 0, byFile: {} } : pageBytes(loads[mode][0]);
      return [
        mode,
        {
          firstFeedMs: { median: round(median(values), 1), p90: round(percentile(times, 90), 1), min: round(times[0] ?? 0, 1) },
          pageBytes: bytes.total,
          files: bytes.byFile,
        },
      ];
    }),
  ) as Record<Mode, { firstFeedMs: { median: number; p90: number; min: number }; pageBytes: number; files: Record<string, number> }>;
  const addedBytes = summary['with telemetry'].pageBytes - summary['without telemetry'].pageBytes;
  const addedTime = summary['with telemetry'].firstFeedMs.median / summary['without telemetry'].firstFeedMs.median - 1;
  const results = {
    meta: {
      date: new Date().toISOString(),
      command: 'make bench-frontend',
      rounds: ROUNDS,
      host: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, loadBefore, loadAfter: loadAverage() },
      conditions:
        'compose stack (offline stand-ins), Debian chromium headless via playwright-core, HTTP cache disabled, fresh tab per load, modes alternating, app warmed',
    },
    summary,
    addedGzipBytes: addedBytes,
    addedFirstFeedShare: round(addedTime, 4),
    targets: { addedGzipKb: TARGET_ADDED_KB, addedFirstFeedShare: TARGET_ADDED_TIME },
    met: { bytes: addedBytes <= TARGET_ADDED_KB * 1000, time: addedTime <= TARGET_ADDED_TIME },
    loads,
  };
  mkdirSync(path.dirname(OUTPUT), { recursive: true });
  writeFileSync(OUTPUT, `${JSON.stringify(results, null, 2)}\n`);

  const line = (mode: Mode): string => {
    const s = summary[mode];
    return `  ${mode.padEnd(18)} page ${(s.pageBytes / 1000).toFixed(1).padStart(6)} kB gzip   first feed median ${s.firstFeedMs.median.toFixed(1).padStart(6)} ms  p90 ${s.firstFeedMs.p90.toFixed(1).padStart(6)} ms`;
  };
  process.stdout.write(
    [
      `front end, ${String(ROUNDS)} loads per mode (${path.relative(repoRoot, OUTPUT)}):`,
      line('without telemetry'),
      line('with telemetry'),
      `  added by telemetry: ${(addedBytes / 1000).toFixed(1)} kB gzip (target <= ${String(TARGET_ADDED_KB)} kB: ${results.met.bytes ? 'met' : 'MISSED'}), ` +
        `first feed x${(1 + addedTime).toFixed(3)} (+${(addedTime * 100).toFixed(1)} %, target <= ${String(TARGET_ADDED_TIME * 100)} %: ${results.met.time ? 'met' : 'MISSED'})`,
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`bench-frontend failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
