/** Every process of the run (collector, stand-ins, telemetrygen), pinned to a core, with its own log. */
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { ROOT } from '../lib/paths.ts';
import { spawnLogged, stopProcess, waitForOk } from '../lib/process.ts';
import { LOG_DIR } from './settings.ts';

export interface Proc {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  readonly logFile: string;
  tail(lines?: number): string;
  stop(): Promise<void>;
}

export const running = new Set<Proc>();

export function startProc(name: string, cpu: string, command: string, args: readonly string[], env: Record<string, string>): Proc {
  const logFile = path.join(LOG_DIR, `${name}.log`);
  const fd = openSync(logFile, 'w');
  // taskset execs the command: the pid is the measured process itself.
  const child = spawnLogged('taskset', ['-c', cpu, command, ...args], { cwd: ROOT, env, logFd: fd, stdoutToLog: true });
  closeSync(fd);
  if (child.pid === undefined) throw new Error(`${name} did not start`);
  const proc: Proc = {
    name,
    child,
    pid: child.pid,
    logFile,
    tail(lines = 30) {
      return readFileSync(logFile, 'utf8').split('\n').slice(-lines).join('\n');
    },
    async stop() {
      running.delete(proc);
      // moto's server ignores SIGTERM; everything else stops well within this.
      await stopProcess(child, 10_000);
    },
  };
  running.add(proc);
  return proc;
}

export async function waitHttp(proc: Proc, url: string, timeoutMs = 60_000): Promise<void> {
  try {
    await waitForOk(url, proc.child, timeoutMs);
  } catch (error) {
    throw new Error(`${proc.name}: ${error instanceof Error ? error.message : String(error)}:\n${proc.tail()}`);
  }
}

export const baseEnv = (): Record<string, string> => ({ PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: os.tmpdir() });

/** Stops whatever is still running (the end of the run, or an interrupt). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((proc) => proc.stop()));
}
