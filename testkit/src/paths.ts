import path from 'node:path';

/** The repository's root and the artefacts `make` builds or installs there. */
export const repoRoot = path.resolve(import.meta.dirname, '../..');
export const collectorBin = path.join(repoRoot, 'otel-collector/build/otelcol-cruddur');
/** The agent build (otel-collector/builder-config-agent.yaml): the agent profiles run on it. */
export const agentCollectorBin = path.join(repoRoot, 'otel-collector/build/otelcol-cruddur-agent');
export const configDir = path.join(repoRoot, 'otel-collector/config');
export const daemonConfig = path.join(repoRoot, 'xray-daemon/daemon.yaml');
export const toolsDir = path.join(repoRoot, '.tools');
export const motoServer = path.join(toolsDir, 'venv/bin/moto_server');
export const otlpStandin = path.join(toolsDir, 'bin/otlp-standin');
export const rollbarStandin = path.join(toolsDir, 'bin/rollbar-standin');
export const xrayStandin = path.join(toolsDir, 'bin/xray-standin');
/** awscli and the X-Ray SDK for Python, pinned in test/sampling/requirements.txt (make xray-clients). */
export const xrayClientsPython = path.join(toolsDir, 'xray-venv/bin/python');
export const awsCli = path.join(toolsDir, 'xray-venv/bin/aws');
export const appDir = path.join(repoRoot, 'app');

/** A config file under otel-collector/config by its name, e.g. `config('xray')`. */
export const config = (name: string): string => path.join(configDir, `${name}.yaml`);

/** A path under the repository root. */
export const fromRoot = (relative: string): string => path.join(repoRoot, relative);
