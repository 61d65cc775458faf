import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';

import { appDir, repoRoot } from '@cruddur/testkit/paths';

/**
 * The telemetry and process tests load the compiled app; build it afresh before they run so a
 * stale app/dist can never pass for the current source (and deleted modules leave no trace).
 */
export default function buildApp(): void {
  rmSync(path.join(appDir, 'dist'), { recursive: true, force: true });
  execFileSync(path.join(repoRoot, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json'], { cwd: appDir, stdio: 'inherit' });
}
