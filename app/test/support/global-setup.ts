import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The telemetry and process tests load the compiled app; build it afresh before they run so a
 * stale app/dist can never pass for the current source (and deleted modules leave no trace).
 */
export default function buildApp(): void {
  const appDir = fileURLToPath(new URL('../../', import.meta.url));
  rmSync(new URL('../../dist/', import.meta.url), { recursive: true, force: true });
  execFileSync(fileURLToPath(new URL('../../../node_modules/.bin/tsc', import.meta.url)), ['-p', 'tsconfig.build.json'], {
    cwd: appDir,
    stdio: 'inherit',
  });
}
