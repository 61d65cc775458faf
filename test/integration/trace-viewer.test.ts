import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { launchBrowser } from '@cruddur/testkit/browser';
import { stackForFile } from '@cruddur/testkit/file-stack';
import { repoRoot } from '@cruddur/testkit/paths';
import { cleanEnv, waitFor } from '@cruddur/testkit/processes';

/**
 * The local trace and log UI: the compose stack of the default (`local`) profile, `make traffic`
 * against it, then Debian's chromium opens otel-desktop-viewer, finds one of the traffic's traces
 * by its id and shows its spans. The screenshot goes to docs/images/ for the README.
 */
const run = promisify(execFile);
const files = stackForFile({ projectPrefix: 'cruddur-viewer' });

/** `make traffic`'s command against the test's stack: each line "status ms traceId METHOD path". */
async function traffic(): Promise<Map<string, string>> {
  const { stack } = files;
  const { stdout } = await run(process.execPath, [path.join(repoRoot, 'tools/traffic.ts')], {
    env: cleanEnv({ CRUDDUR_URL: stack.appUrl, XRAY_DAEMON_PORT: String(stack.ports.XRAY_DAEMON_PORT) }),
    cwd: repoRoot,
  });
  const traces = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const match = /^\d{3}\s+[\d.]+ ms\s+([0-9a-f]{32})\s+(GET|POST)\s+(\S+)/.exec(line.trim());
    if (match?.[1] !== undefined) traces.set(`${match[2] ?? ''} ${match[3] ?? ''}`, match[1]);
  }
  return traces;
}

describe('trace viewer (otel-desktop-viewer) in the local stack', () => {
  it('shows a trace make traffic produced, found by its id, with its spans', async () => {
    const traces = await traffic();
    const traceId = traces.get('GET /api/activities/home');
    expect(traceId, `make traffic printed: ${[...traces.keys()].join(', ')}`).toMatch(/^[0-9a-f]{32}$/);

    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      const url = `${files.stack.viewerUrl}/traces/${traceId ?? ''}`;
      // The collector batches for up to a second and the viewer then has it: reload until it does.
      await waitFor(
        `trace ${traceId ?? ''} in the viewer`,
        async () => {
          await page.goto(url);
          const found = await page
            .getByText('GET /api/activities/home')
            .first()
            .waitFor({ timeout: 3000 })
            .then(() => true)
            .catch(() => false);
          return found ? true : undefined;
        },
        60_000,
        500,
      );
      // The trace's spans: the server span and the service's own span below it.
      await expect(page.getByText('home-activities-mock-data').first().isVisible()).resolves.toBe(true);
      const body = (await page.textContent('body')) ?? '';
      expect(body).toContain('cruddur-backend');
      expect(body).toContain(traceId);
      const shot = path.join(repoRoot, 'docs/images/trace-viewer.png');
      fs.mkdirSync(path.dirname(shot), { recursive: true });
      await page.screenshot({ path: shot });
      expect(fs.statSync(shot).size).toBeGreaterThan(10_000);
    } finally {
      await browser.close();
    }
  });
});
