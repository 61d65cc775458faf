import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

export type { Page } from 'playwright-core';

/**
 * Debian's chromium driven through playwright-core, for the end-to-end tests and the screenshots.
 * `npx playwright install` cannot download browsers here, so the browser is the Debian package
 * that `make chromium` (scripts/ensure-chromium.sh) installs.
 */

/**
 * The flags this workplace's headless chromium needs: no sandbox (root in a container), no GPU,
 * no QUIC, and nothing that reaches the network on its own (first-run, component updates,
 * sync, background requests), so the only traffic is the page's.
 */
export const CHROMIUM_FLAGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Debian's binary behind the /usr/bin/chromium launcher script (which only adds flags). */
const DEBIAN_CHROMIUM = '/usr/lib/chromium/chromium';

/** CHROMIUM_BIN if set, else Debian's chromium; a clear error naming `make chromium` if absent. */
export function chromiumPath(): string {
  const candidate = process.env.CHROMIUM_BIN ?? DEBIAN_CHROMIUM;
  try {
    fs.accessSync(candidate, fs.constants.X_OK);
  } catch (error) {
    throw new Error(`no chromium at ${candidate}: run \`make chromium\` (or set CHROMIUM_BIN)`, {
      cause: error,
    });
  }
  return candidate;
}

export interface BrowserOptions {
  /** Viewport of every page; defaults to 1280×800, the README screenshots' size. */
  readonly viewport?: { readonly width: number; readonly height: number };
}

export interface BrowserSession {
  readonly context: BrowserContext;
  /** A new tab. */
  newPage: () => Promise<Page>;
  /** Closes the browser and removes its profile directory. */
  close: () => Promise<void>;
}

/** Headless chromium with a fresh `--user-data-dir` of its own, removed on close. */
export async function launchBrowser(options: BrowserOptions = {}): Promise<BrowserSession> {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cruddur-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath(),
    headless: true,
    args: [...CHROMIUM_FLAGS],
    viewport: options.viewport ?? { width: 1280, height: 800 },
  });
  return {
    context,
    newPage: () => context.newPage(),
    close: async () => {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
