import pino, { type DestinationStream, type Logger } from 'pino';

import type { LogLevel } from '../config.ts';

export type { Logger } from 'pino';

export interface LoggerOptions {
  readonly level: LogLevel;
  /** Defaults to stdout; tests pass a stream to read records back. */
  readonly destination?: DestinationStream;
}

/**
 * Paths that could carry credentials if a request or error object is ever logged whole.
 * pino removes them before serialising, so they reach neither stdout nor the OTel bridge.
 */
const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-honeycomb-team"]',
  'headers.authorization',
  'headers.cookie',
  'headers["x-honeycomb-team"]',
  '*.accessToken',
  '*.access_token',
  '*.password',
];

/**
 * JSON lines on stdout. The OpenTelemetry pino instrumentation adds `trace_id`/`span_id` to each
 * record and forwards it to the OTel logs SDK, which exports it over OTLP: one call, two sinks.
 */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    options.destination,
  );
}
