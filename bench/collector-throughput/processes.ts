/** Every process of the run (collector, stand-ins, telemetrygen), pinned to a core, with its own log, stopped at the end. */
import { repoRoot } from '@cruddur/testkit/paths';
import { cleanEnv, startProcess, type Proc } from '@cruddur/testkit/processes';

import { LOG_DIR } from './settings.ts';

export type { Proc } from '@cruddur/testkit/processes';

export const running = new Set<Proc>();

/** Started under `taskset -c cpu` (taskset execs the command: the pid is the measured process itself). */
export function startProc(
  name: string,
  cpu: string,
  command: string,
  args: readonly string[],
  env: Record<string, string> = cleanEnv(),
): Proc {
  const proc = startProcess(name, command, args, { env, cwd: repoRoot, cpu, logDir: LOG_DIR });
  track(proc);
  return proc;
}

/** Until it exits, `stopAll` stops it too. */
export function track(proc: Proc): void {
  running.add(proc);
  proc.child.once('exit', () => running.delete(proc));
}

/** Stops whatever is still running (the end of the run, or an interrupt). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((proc) => proc.stop()));
}
