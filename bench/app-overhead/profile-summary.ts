/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time per function and per package.
 * Self time is what the function itself ran, not its callees, so the top entries are where the
 * CPU actually goes. Samples taken while modules load (start-up: a stack through the module
 * loader's entry points) are left out, so a short profiled run still shows the steady state.
 * Usage: `node bench/app-overhead/profile-summary.ts <file.cpuprofile> [topN]`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { ProfileEntry, ProfileSummary } from './results.ts';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
  readonly columnNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: number[];
}

interface CpuProfile {
  readonly nodes: ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: number[];
  readonly timeDeltas: number[];
}

/** `node_modules/@scope/name` or `node_modules/name`, `node:internal`, `app`, or V8's own. */
function packageOf(url: string, functionName: string): string {
  if (url === '') return `(${functionName === '' ? 'native' : functionName.replace(/[()]/g, '')})`;
  const marker = url.lastIndexOf('node_modules/');
  if (marker !== -1) {
    const parts = url.slice(marker + 'node_modules/'.length).split('/');
    return parts[0]?.startsWith('@') === true ? `${parts[0]}/${parts[1] ?? ''}` : (parts[0] ?? url);
  }
  if (url.startsWith('node:')) return 'node (core)';
  if (url.includes('/app/dist/')) return 'app';
  return path.basename(url);
}

/** Node's module-loading entry points: everything under them is start-up, not serving. */
const STARTUP_FRAMES = new Set(['wrapModuleLoad', 'loadPreloadModules', 'executeUserEntryPoint', 'compileForInternalLoader']);

function shortLocation(frame: CallFrame): string {
  if (frame.url === '') return '';
  const marker = frame.url.lastIndexOf('node_modules/');
  const file =
    marker === -1
      ? frame.url.replace(/^.*\/app\/dist\//, 'app/dist/').replace(/^file:\/\//, '')
      : frame.url.slice(marker + 'node_modules/'.length);
  return `${file}:${String(frame.lineNumber + 1)}`;
}

export function summariseProfile(file: string, topN = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const frames = new Map<number, CallFrame>(profile.nodes.map((node) => [node.id, node.callFrame]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const startupMemo = new Map<number, boolean>();
  const isStartup = (nodeId: number): boolean => {
    const known = startupMemo.get(nodeId);
    if (known !== undefined) return known;
    const frame = frames.get(nodeId);
    const parent = parents.get(nodeId);
    const result =
      (frame !== undefined && STARTUP_FRAMES.has(frame.functionName) && frame.url.startsWith('node:internal/')) ||
      (parent !== undefined && isStartup(parent));
    startupMemo.set(nodeId, result);
    return result;
  };
  let startupMicros = 0;
  const selfByFunction = new Map<string, { frame: CallFrame; micros: number }>();
  const selfByPackage = new Map<string, number>();
  let total = 0;
  let idle = 0;
  profile.samples.forEach((nodeId, index) => {
    // timeDeltas[i] is the time since the previous sample: it belongs to sample i.
    const micros = profile.timeDeltas[index] ?? 0;
    const frame = frames.get(nodeId);
    if (frame === undefined) return;
    if (isStartup(nodeId)) {
      startupMicros += micros;
      return;
    }
    total += micros;
    if (frame.functionName === '(idle)') {
      idle += micros;
      return;
    }
    const key = `${frame.functionName}|${frame.url}|${String(frame.lineNumber)}`;
    const entry = selfByFunction.get(key) ?? { frame, micros: 0 };
    entry.micros += micros;
    selfByFunction.set(key, entry);
    const pkg = packageOf(frame.url, frame.functionName);
    selfByPackage.set(pkg, (selfByPackage.get(pkg) ?? 0) + micros);
  });
  const busy = total - idle;
  const top: ProfileEntry[] = [...selfByFunction.values()]
    .sort((a, b) => b.micros - a.micros)
    .slice(0, topN)
    .map(({ frame, micros }) => ({
      functionName: frame.functionName === '' ? '(anonymous)' : frame.functionName,
      location: shortLocation(frame),
      selfMs: Math.round(micros / 100) / 10,
      selfPercent: Math.round((micros / busy) * 1000) / 10,
    }));
  const byPackage = [...selfByPackage.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 15)
    .map(([name, micros]) => ({ name, selfPercent: Math.round((micros / busy) * 1000) / 10 }));
  return {
    file: path.relative(process.cwd(), file),
    totalMs: Math.round(total / 1000),
    startupMsExcluded: Math.round(startupMicros / 1000),
    idlePercent: Math.round((idle / total) * 1000) / 10,
    top,
    byPackage,
  };
}

if (import.meta.main) {
  const file = process.argv[2];
  if (file === undefined) {
    process.stderr.write('usage: node bench/app-overhead/profile-summary.ts <file.cpuprofile> [topN]\n');
    process.exit(2);
  }
  const summary = summariseProfile(file, Number(process.argv[3] ?? '25'));
  process.stdout.write(
    `${file}: ${String(summary.totalMs)} ms sampled (${String(summary.startupMsExcluded)} ms of start-up left out), ${String(summary.idlePercent)}% idle; % of busy time\n`,
  );
  for (const entry of summary.top) {
    process.stdout.write(`${entry.selfPercent.toFixed(1).padStart(5)}%  ${entry.functionName}  ${entry.location}\n`);
  }
  process.stdout.write('by package:\n');
  for (const entry of summary.byPackage) process.stdout.write(`${entry.selfPercent.toFixed(1).padStart(5)}%  ${entry.name}\n`);
}
