import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '@cruddur/testkit/paths';
import { cleanEnv } from '@cruddur/testkit/processes';

const run = promisify(execFile);

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `make queries`'s command with only the environment given (cleanEnv: no real key can leak in). */
export async function queriesCli(env: Record<string, string>, args: readonly string[] = []): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, [path.join(repoRoot, 'queries/cli.ts'), ...args], {
      env: cleanEnv(env),
      cwd: repoRoot,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
