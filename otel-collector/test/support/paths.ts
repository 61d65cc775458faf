import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute paths the collector tests use; everything is built or installed by `make`. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const collectorBin = path.join(repoRoot, 'otel-collector/build/otelcol-cruddur');
export const configDir = path.join(repoRoot, 'otel-collector/config');
export const daemonConfig = path.join(repoRoot, 'xray-daemon/daemon.yaml');
export const motoServer = path.join(repoRoot, '.tools/venv/bin/moto_server');
export const honeycombStandin = path.join(repoRoot, '.tools/bin/honeycomb-standin');
export const rollbarStandin = path.join(repoRoot, '.tools/bin/rollbar-standin');

/** A vendor/config file name under otel-collector/config, e.g. config('xray'). */
export const config = (name: string): string => path.join(configDir, `${name}.yaml`);
