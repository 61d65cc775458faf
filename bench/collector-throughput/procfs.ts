/** CPU and memory from /proc: per process (CPU time, RSS, VmHWM) and per core (busy share). */
import { readFileSync } from 'node:fs';

import { cpuMicros } from '@cruddur/testkit/processes';

export function safeCpuMicros(pid: number): number {
  try {
    return cpuMicros(pid);
  } catch {
    return Number.NaN;
  }
}

export function memoryMiB(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
  const field = (name: string): number => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
    return match?.[1] === undefined ? Number.NaN : Number(match[1]) / 1024;
  };
  return { rss: field('VmRSS'), hwm: field('VmHWM') };
}

/** Busy and total jiffies per CPU (cpu0, cpu1, ...). */
export function cpuTimes(): Map<string, { busy: number; total: number }> {
  const out = new Map<string, { busy: number; total: number }>();
  for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
    const match = /^(cpu\d+)\s+(.*)$/.exec(line);
    if (match?.[1] === undefined || match[2] === undefined) continue;
    const values = match[2].split(/\s+/).map(Number);
    const total = values.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = (values[3] ?? 0) + (values[4] ?? 0);
    out.set(match[1], { busy: total - idle, total });
  }
  return out;
}

export function busyPercent(
  before: Map<string, { busy: number; total: number }>,
  after: Map<string, { busy: number; total: number }>,
  cpu: string,
): number {
  const a = before.get(`cpu${cpu}`);
  const b = after.get(`cpu${cpu}`);
  if (a === undefined || b === undefined || b.total === a.total) return Number.NaN;
  return ((b.busy - a.busy) / (b.total - a.total)) * 100;
}
