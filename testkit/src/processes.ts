import { type ChildProcess, type ChildProcessByStdio, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';

/** Child processes for tests and benchmarks: started with a clean environment, logged to a file, stopped for sure. */

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One directory per test process for child logs and collector storage. */
export const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cruddur-test-'));

/**
 * PATH and HOME only, plus what the caller passes: nothing from the developer's shell leaks in,
 * so real AWS or Honeycomb credentials can never be used by a test.
 */
export function cleanEnv(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: os.tmpdir(), ...extra };
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when this child has exited. */
export async function stopProcess(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** One child process whose output goes to a log file a failing test can show. */
export interface Proc {
  readonly name: string;
  readonly logFile: string;
  readonly child: ChildProcess;
  /** The process itself, also when pinned (taskset execs the command). */
  readonly pid: number;
  /** The last lines of output, for failure messages. */
  tail: (lines?: number) => string;
  stop: () => Promise<void>;
}

export interface StartOptions {
  readonly env: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** Pin to these CPUs (`taskset -c`), as benchmarks do to measure per core. */
  readonly cpu?: string;
  /** Where `<name>.log` goes (default: this run's logDir); a new start truncates it. */
  readonly logDir?: string;
}

export function startProcess(name: string, command: string, args: readonly string[], options: StartOptions): Proc {
  const logFile = path.join(options.logDir ?? logDir, `${name}.log`);
  const fd = fs.openSync(logFile, 'w');
  const [file, argv] = options.cpu === undefined ? [command, args] : ['taskset', ['-c', options.cpu, command, ...args]];
  const child = spawn(file, argv, { env: options.env, cwd: options.cwd, stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  if (child.pid === undefined) throw new Error(`${name} did not start (${command})`);
  return {
    name,
    logFile,
    child,
    pid: child.pid,
    tail(lines = 40) {
      const text = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
      return text.split('\n').slice(-lines).join('\n');
    },
    stop: () => stopProcess(child),
  };
}

/** A child whose stdout and stderr are kept in memory: for output a test asserts on or shows on failure. */
export function spawnCollecting(
  command: string,
  args: readonly string[],
  options: { readonly cwd: string; readonly env: Readonly<Record<string, string>> },
): { readonly child: ChildProcessByStdio<null, Readable, Readable>; readonly output: () => string } {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  return { child, output: () => output };
}

/** stderr (and with `stdoutToLog`, stdout too) to an open file descriptor; stdout is discarded otherwise. */
export function spawnLogged(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; logFd: number; stdoutToLog?: boolean },
): ChildProcess {
  return spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', options.stdoutToLog === true ? options.logFd : 'ignore', options.logFd],
  });
}

/** Polls `check` until it returns a value other than undefined, or fails saying what it waited for. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await sleep(everyMs);
  }
  const reason = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
  throw new Error(`timed out after ${String(timeoutMs)} ms waiting for ${what}${reason}`);
}

/** Waits until `url` answers 2xx; fails at once, with its output, if the child dies first. */
export async function waitForOk(url: string, child: ChildProcess, timeoutMs = 60_000, output: () => string = () => ''): Promise<void> {
  const died = (): Error => new Error(`process exited (${String(child.exitCode)}) before ${url} answered\n${output()}`);
  const answered = async (): Promise<true | undefined> => {
    if (child.exitCode !== null) throw died();
    const response = await fetch(url).catch(() => undefined);
    await response?.arrayBuffer();
    return response?.ok === true ? true : undefined;
  };
  try {
    await waitFor(url, answered, timeoutMs, 100);
  } catch (error) {
    // A dead child is the real cause; say so rather than "timed out". Either way, show its output.
    if (child.exitCode !== null) throw died();
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${output()}`, { cause: error });
  }
}

/** `waitForOk` for a `Proc`, with its log tail in the failure. */
export const waitForHttp = (proc: Proc, url: string, timeoutMs = 60_000): Promise<void> =>
  waitForOk(url, proc.child, timeoutMs, () => `${proc.name} (${proc.logFile}):\n${proc.tail()}`);

let clockTicksPerSecond: number | undefined;

/** CPU time (user + system) a process has used so far, in microseconds, from /proc. */
export function cpuMicros(pid: number): number {
  clockTicksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  const stat = fs.readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
  // The command name (field 2) may contain spaces; fields after its closing ')' start at 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime (14) + stime (15)
  return (ticks / clockTicksPerSecond) * 1e6;
}

/** A command's trimmed stdout (version strings for results), or 'unknown' if it fails. */
export function commandOutput(command: string, args: readonly string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}
