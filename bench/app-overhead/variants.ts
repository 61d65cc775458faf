/**
 * The variants: the same compiled app (app/dist) on the same endpoints under the same load; only
 * the preloaded bootstrap and its environment differ.
 *   bare  - the shipped bootstrap with OTEL_SDK_DISABLED=true (the baseline)
 *   none  - no bootstrap at all (reference: shows what "disabled" still costs)
 *   floor - HTTP server instrumentation alone, spans recorded then dropped (floor-register.ts)
 *   ours  - the shipped bootstrap, traces + logs over OTLP/gRPC to a live collector
 *   naive - getNodeAutoInstrumentations() defaults + OTLP/gRPC (naive-register.ts)
 */
import path from 'node:path';

import { shippedTelemetryEnv } from '../lib/compose.ts';
import type { VariantName } from './results.ts';

export interface VariantSetup {
  readonly nodeArgs: readonly string[];
  readonly env: Record<string, string>;
}

export function variantSetup(name: VariantName, otlpEndpoint: string): VariantSetup {
  const shipped = ['--require', './dist/src/telemetry/register.js'];
  const exporting = { OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint };
  switch (name) {
    case 'bare':
      return { nodeArgs: shipped, env: { OTEL_SDK_DISABLED: 'true' } };
    case 'none':
      return { nodeArgs: [], env: {} };
    case 'floor':
      return {
        nodeArgs: ['--import', path.join(import.meta.dirname, 'floor-register.ts')],
        env: { OTEL_TRACES_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none', OTEL_METRICS_EXPORTER: 'none' },
      };
    case 'ours':
      return { nodeArgs: shipped, env: { ...shippedTelemetryEnv(), ...exporting } };
    case 'naive':
      return {
        nodeArgs: ['--import', path.join(import.meta.dirname, 'naive-register.ts')],
        env: { ...exporting, OTEL_METRICS_EXPORTER: 'none' },
      };
  }
}

/** Each variant's server command line as the results file records it (run from app/). */
export function serverCommands(): Record<string, string> {
  return {
    'server (bare)': 'OTEL_SDK_DISABLED=true taskset -c 1 node --require ./dist/src/telemetry/register.js dist/src/server.js',
    'server (none)': 'taskset -c 1 node dist/src/server.js',
    'server (floor)':
      'OTEL_TRACES_EXPORTER=none OTEL_LOGS_EXPORTER=none taskset -c 1 node --import ../bench/app-overhead/floor-register.ts dist/src/server.js',
    'server (ours)': `${Object.entries(shippedTelemetryEnv())
      .map(([name, value]) => `${name}=${value}`)
      .join(
        ' ',
      )} OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$OTLP taskset -c 1 node --require ./dist/src/telemetry/register.js dist/src/server.js`,
    'server (naive)':
      'OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$OTLP OTEL_METRICS_EXPORTER=none taskset -c 1 node --import ../bench/app-overhead/naive-register.ts dist/src/server.js',
  };
}
