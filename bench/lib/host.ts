/** What the results record about the machine and the packages measured. */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { repoRoot } from '@cruddur/testkit/paths';
import { round } from '@cruddur/testkit/stats';

export function packageVersion(name: string): string {
  const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

/** The 1, 5 and 15 minute load averages, to two decimals. */
export function loadAverage(): number[] {
  return os.loadavg().map((value) => round(value, 2));
}

/** Figures from a busy machine are noisy: say so before the run starts. */
export function warnIfBusy(loadBefore: readonly number[]): void {
  if ((loadBefore[0] ?? 0) > 0.5)
    process.stdout.write(`warning: load average ${String(loadBefore[0])} before the run; figures may be noisy\n`);
}

/** The moto version the stand-in's requirements pin. */
export function motoVersion(): string {
  const requirements = readFileSync(path.join(repoRoot, 'standins', 'moto', 'requirements.txt'), 'utf8');
  return /^moto(?:\[[^\]]*\])?==(\S+)/m.exec(requirements)?.[1] ?? 'unknown';
}
