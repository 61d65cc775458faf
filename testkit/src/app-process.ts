import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';

import { appDir } from './paths.ts';
import { freePort } from './ports.ts';
import { spawnCollecting, waitForOk } from './processes.ts';

export interface AppProcess {
  readonly url: string;
  readonly child: ChildProcess;
  readonly output: () => string;
  /** Sends a signal and resolves with the exit code and how long the exit took. */
  stop: (signal?: NodeJS.Signals) => Promise<{ code: number | null; elapsedMs: number }>;
}

/**
 * Runs the shipped artefact (app/dist) exactly as `make run` does, the telemetry bootstrap
 * preloaded, with only the given environment: nothing leaks in from the developer's shell.
 */
export async function startAppProcess(env: Readonly<Record<string, string>>): Promise<AppProcess> {
  const port = await freePort();
  const { child, output } = spawnCollecting(
    process.execPath,
    ['--enable-source-maps', '--require', './dist/src/telemetry/register.js', 'dist/src/server.js'],
    { cwd: appDir, env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), ...env } },
  );
  const url = `http://127.0.0.1:${String(port)}`;
  await waitForOk(`${url}/health`, child, 15_000, output);
  return {
    url,
    child,
    output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null) return { code: child.exitCode, elapsedMs: 0 };
      const started = Date.now();
      const exited = once(child, 'exit');
      child.kill(signal);
      const [code] = (await exited) as [number | null];
      return { code, elapsedMs: Date.now() - started };
    },
  };
}
