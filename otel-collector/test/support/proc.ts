import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** One child process whose output goes to a log file the test can show when it fails. */
export interface Proc {
  readonly name: string;
  readonly logFile: string;
  readonly child: ChildProcess;
  /** The last lines of output, for failure messages. */
  tail(lines?: number): string;
  stop(): Promise<void>;
}

export const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cruddur-collector-test-'));

/**
 * The variables a stand-in or the collector gets: PATH and HOME only, plus what the test
 * passes. Nothing from the developer's shell leaks in, so real AWS or Honeycomb credentials
 * can never be used by a test.
 */
export function cleanEnv(extra: Record<string, string>): Record<string, string> {
  const base: Record<string, string> = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: os.tmpdir() };
  return { ...base, ...extra };
}

export function start(name: string, command: string, args: string[], env: Record<string, string>): Proc {
  const logFile = path.join(logDir, `${name}.log`);
  const fd = fs.openSync(logFile, 'a');
  const child = spawn(command, args, { env, stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  return {
    name,
    logFile,
    child,
    tail(lines = 40) {
      const text = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
      return text.split('\n').slice(-lines).join('\n');
    },
    async stop() {
      if (exited || child.exitCode !== null) return;
      const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await done;
      clearTimeout(timer);
    },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls check() until it returns a value other than undefined, or fails with what it waited for. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      lastError = err;
    }
    await sleep(everyMs);
  }
  const reason = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${reason}`);
}

/** Waits until url answers 2xx, or the process dies (then fails with its log). */
export async function waitForHttp(proc: Proc, url: string, timeoutMs = 60_000): Promise<void> {
  await waitFor(`${proc.name} at ${url}`, async () => {
    if (proc.child.exitCode !== null) {
      throw new Error(`${proc.name} exited with ${proc.child.exitCode}:\n${proc.tail()}`);
    }
    const res = await fetch(url).catch(() => undefined);
    return res?.ok ? true : undefined;
  }, timeoutMs);
}

async function tcpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

async function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = dgram.createSocket('udp4');
    sock.once('error', () => resolve(false));
    sock.bind(port, '127.0.0.1', () => sock.close(() => resolve(true)));
  });
}

async function ephemeralPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

const handedOut = new Set<number>();

/** A loopback port free for TCP (and for UDP when asked), never handed out twice in a run. */
export async function freePort(opts: { udp?: boolean } = {}): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = await ephemeralPort();
    if (handedOut.has(port)) continue;
    if (opts.udp && !(await udpFree(port))) continue;
    if (!(await tcpFree(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error('no free port found');
}
