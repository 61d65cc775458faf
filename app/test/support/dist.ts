import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * Loads the compiled service (app/dist) with Node's own CommonJS loader. Instrumentation hooks
 * `require`, and Vitest's module runner bypasses it, so telemetry tests must exercise the
 * artefact that actually ships; `make test-unit` builds it first.
 */
const requireFromHere = createRequire(import.meta.url);
const distRoot = new URL('../../dist/src/', import.meta.url);

export function requireDist<Module>(relativePath: string): Module {
  const file = new URL(relativePath, distRoot);
  if (!existsSync(file)) throw new Error(`${file.pathname} is missing: run \`make build\` first`);
  return requireFromHere(file.pathname) as Module;
}

/** Packages resolved the way the compiled app resolves them (CommonJS builds, same instances). */
export function requirePackage<Module>(name: string): Module {
  return requireFromHere(name) as Module;
}
