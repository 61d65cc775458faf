/** docker-compose.yml's defaults, so benchmarks run with what the shipped stack runs with. */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { parse as parseYaml } from 'yaml';

import { repoRoot } from '@cruddur/testkit/paths';

/** `${VAR:-default}` (compose) or `${env:VAR:-default}` (collector) with `env` applied; unset and no default: ''. */
export function resolveVariables(value: unknown, env: Readonly<Record<string, string>>): string | undefined {
  if (value === undefined || value === null) return undefined;
  return String(value).replace(
    /\$\{(?:env:)?(\w+)(?::-([^}]*))?\}/g,
    (_match, name: string, fallback: string | undefined) => env[name] ?? fallback ?? '',
  );
}

/**
 * docker-compose.yml's environment for `service` with every `${VAR:-default}` resolved to its
 * default: what the shipped stack runs with when nothing is overridden.
 */
export function composeDefaults(service: string): Record<string, string> {
  const compose = parseYaml(readFileSync(path.join(repoRoot, 'docker-compose.yml'), 'utf8')) as {
    services: Record<string, { environment?: Record<string, unknown> }>;
  };
  const environment = compose.services[service]?.environment ?? {};
  return Object.fromEntries(Object.entries(environment).map(([name, value]) => [name, resolveVariables(value, {}) ?? '']));
}

/**
 * The app's telemetry settings exactly as docker-compose.yml ships them (the defaults of its
 * `${VAR:-default}` entries): batch delays and queue sizes change how often and how much the
 * SDK exports, so "ours" must run with them, not with the SDK's own defaults.
 */
export function shippedTelemetryEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(composeDefaults('app')).filter(([name]) => name.startsWith('OTEL_B') || name === 'TELEMETRY_RETRY_MAX_ELAPSED_MS'),
  );
}
