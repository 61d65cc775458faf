import type { TelemetryConfig } from '../config.ts';

/**
 * Placeholder with the final signature: the lead replaces this module with the browser
 * OpenTelemetry setup (issue 13, item 2: document load, fetch and user-interaction spans exported
 * to options.collectorUrl, traceparent propagated to backendUrl). main.tsx calls it once, after the
 * config is validated and before the first render, so every fetch the app makes is traced.
 */
export function startTelemetry(_options: TelemetryConfig, _backendUrl: string): void {
  // Nothing yet.
}
