/**
 * What the browser telemetry costs a page: the bytes it adds (gzip, as nginx serves them) and the
 * time from navigation to the first rendered feed, with and without telemetry, side by side in
 * one run on the real compose stack (`make bench-frontend`).
 *
 * Same build, same server: "without" is the page with `telemetry.enabled: false` in its
 * /config.json (answered in flight through the DevTools protocol), which downloads no
 * telemetry chunk at all (main.tsx imports it only when enabled). Two visits, side by side:
 * "first" (the HTTP cache and with it the CORS preflight cache disabled: every file and the
 * API's preflight are fetched) and "repeat" (cache on, after one unmeasured load per mode: what a
 * returning user's tab does). Rounds alternate with/without, each in a fresh tab, the app warm.
 * The first rendered feed is the moment the first `article` is in the DOM (a MutationObserver
 * installed before the page's own scripts, performance.now()).
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
type Visit = 'first' | 'repeat';
const VISITS: readonly Visit[] = ['first', 'repeat'];

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

async function loadOnce(browser: BrowserSession, url: string, served: ServedConfig, mode: Mode, visit: Visit): Promise<Load> {
  const page: Page = await browser.newPage();
  try {
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: visit === 'first' });
    await page.addInitScript(OBSERVE_FIRST_FEED);
    const config = { ...served, telemetry: { ...served.telemetry, enabled: mode === 'with telemetry' } };
    // Raw CDP interception of config.json alone: Playwright's page.route would turn the HTTP
    // cache off for every request of the page, and with it the repeat visit.
    const body = Buffer.from(JSON.stringify(config)).toString('base64');
    // A failed fulfilment (the page closing under it) is kept and reported after the load, not
    // left as an unhandled rejection that would end the run with its stack still up.
    let fulfilFailure: unknown;
    cdp.on('Fetch.requestPaused', (event) => {
      cdp
        .send('Fetch.fulfillRequest', {
          requestId: event.requestId,
          responseCode: 200,
          responseHeaders: [
            { name: 'content-type', value: 'application/json' },
            { name: 'cache-control', value: 'no-store' },
          ],
          body,
        })
        .catch((error: unknown) => {
          fulfilFailure ??= error;
        });
    });
    await cdp.send('Fetch.enable', { patterns: [{ urlPattern: '*/config.json', requestStage: 'Request' }] });
    await page.goto(url);
    // Functions, not strings: the page's CSP (script-src 'self') forbids evaluating strings.
    await page.waitForFunction(() => typeof Reflect.get(globalThis, '__firstFeedMs') === 'number', undefined, { timeout: 30_000 });
    if (fulfilFailure !== undefined) throw new Error('answering config.json through CDP failed', { cause: fulfilFailure });
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
  const loads: Record<Visit, Record<Mode, Load[]>> = {
    first: { 'with telemetry': [], 'without telemetry': [] },
    repeat: { 'with telemetry': [], 'without telemetry': [] },
  };
  try {
    // Warm the app, the browser and (for repeat visits) the cache: these loads are not measured.
    const served = (await (await fetch(`${stack.frontendUrl}/config.json`)).json()) as ServedConfig;
    for (const visit of VISITS) for (const mode of MODES) await loadOnce(browser, stack.frontendUrl, served, mode, visit);
    for (let index = 0; index < ROUNDS; index += 1) {
      for (const visit of VISITS) {
        for (const mode of index % 2 === 0 ? MODES : [...MODES].reverse())
          loads[visit][mode].push(await loadOnce(browser, stack.frontendUrl, served, mode, visit));
      }
    }
  } finally {
    await browser.close();
    await stack.down();
  }

  const summarise = (visit: Visit) => {
    const byMode = Object.fromEntries(
      MODES.map((mode) => {
        const values = loads[visit][mode].map((load) => load.firstFeedMs);
        const times = sortedOf(values);
        const first = loads[visit][mode][0];
        const bytes = first === undefined ? { total: 0, byFile: {} } : pageBytes(first);
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
    const addedTime = byMode['with telemetry'].firstFeedMs.median / byMode['without telemetry'].firstFeedMs.median - 1;
    return { byMode, addedFirstFeedShare: round(addedTime, 4), metTime: addedTime <= TARGET_ADDED_TIME };
  };
  const summary = { first: summarise('first'), repeat: summarise('repeat') };
  // Bytes on a first visit (a repeat visit's cached files transfer nothing).
  const addedBytes = summary.first.byMode['with telemetry'].pageBytes - summary.first.byMode['without telemetry'].pageBytes;
  const results = {
    meta: {
      date: new Date().toISOString(),
      command: 'make bench-frontend',
      rounds: ROUNDS,
      host: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, loadBefore, loadAfter: loadAverage() },
      conditions:
        'compose stack (offline stand-ins), Debian chromium headless via playwright-core, fresh tab per load, modes alternating, app warmed; first visit: HTTP cache disabled; repeat visit: cache on after one unmeasured load',
    },
    summary,
    addedGzipBytes: addedBytes,
    targets: { addedGzipKb: TARGET_ADDED_KB, addedFirstFeedShare: TARGET_ADDED_TIME },
    met: { bytes: addedBytes <= TARGET_ADDED_KB * 1000, timeFirstVisit: summary.first.metTime, timeRepeatVisit: summary.repeat.metTime },
    loads,
  };
  mkdirSync(path.dirname(OUTPUT), { recursive: true });
  writeFileSync(OUTPUT, `${JSON.stringify(results, null, 2)}\n`);

  const lines = [`front end, ${String(ROUNDS)} loads per mode and visit (${path.relative(repoRoot, OUTPUT)}):`];
  for (const visit of VISITS) {
    const { byMode, addedFirstFeedShare, metTime } = summary[visit];
    for (const mode of MODES) {
      const m = byMode[mode];
      lines.push(
        `  ${visit.padEnd(6)} visit, ${mode.padEnd(18)} page ${(m.pageBytes / 1000).toFixed(1).padStart(6)} kB gzip   first feed median ${m.firstFeedMs.median.toFixed(1).padStart(6)} ms  p90 ${m.firstFeedMs.p90.toFixed(1).padStart(6)} ms`,
      );
    }
    lines.push(
      `  ${visit} visit: first feed x${(1 + addedFirstFeedShare).toFixed(3)} (+${(addedFirstFeedShare * 100).toFixed(1)} %, target <= ${String(TARGET_ADDED_TIME * 100)} %: ${metTime ? 'met' : 'MISSED'})`,
    );
  }
  lines.push(
    `  added by telemetry: ${(addedBytes / 1000).toFixed(1)} kB gzip (target <= ${String(TARGET_ADDED_KB)} kB: ${results.met.bytes ? 'met' : 'MISSED'})`,
    '',
  );
  process.stdout.write(lines.join('\n'));
}

main().catch((error: unknown) => {
  process.stderr.write(`bench-frontend failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
