import pino, { type DestinationStream, type Logger, type LoggerOptions as PinoOptions } from 'pino';

import type { LogLevel } from '../config.ts';
import { LogBridge, logBridgeScope } from '../telemetry/log-bridge.ts';

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
 * JSON lines on stdout. With the telemetry SDK on, every record also goes to the OTel logs SDK
 * (telemetry/log-bridge.ts), which exports it over OTLP, and the pino instrumentation stamps
 * `trace_id`/`span_id` on each stdout line: one call, two sinks.
 */
export function createLogger(options: LoggerOptions): Logger {
  const settings: PinoOptions = {
    level: options.level,
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  const scope = logBridgeScope();
  if (scope === undefined) return pino(settings, options.destination);

  const bridge = new LogBridge({ scope, labels: pino.levels.labels, redactedPaths: REDACTED_PATHS });
  let rootBindings: unknown;
  // Set while pino serialises a record the bridge could not send from its arguments.
  let lineForBridge = false;
  const logger = pino(
    {
      ...settings,
      hooks: {
        logMethod(args, method, level) {
          // A child logger's bindings are only in the serialised line.
          const root = (this as unknown as Record<symbol, unknown>)[pino.symbols.chindingsSym] === rootBindings;
          lineForBridge = !(root && bridge.emitDirect(level, args));
          try {
            method.apply(this, args as Parameters<typeof method>);
          } finally {
            lineForBridge = false;
          }
        },
      },
    },
    options.destination,
  );
  const symbols = pino.symbols;
  const record = logger as unknown as Record<symbol, unknown>;
  rootBindings = record[symbols.chindingsSym];
  const stdout = record[symbols.streamSym] as DestinationStream & { flush?: (cb?: () => void) => void; flushSync?: () => void };
  const tee = {
    // pino sets lastLevel on a stream that asks for its metadata.
    [Symbol.for('pino.metadata')]: true,
    lastLevel: 0,
    write(line: string): void {
      stdout.write(line);
      if (lineForBridge) bridge.emitLine(this.lastLevel, line);
    },
    flush(cb?: () => void): void {
      if (stdout.flush === undefined) cb?.();
      else stdout.flush(cb);
    },
    flushSync(): void {
      stdout.flushSync?.();
    },
  };
  record[symbols.streamSym] = tee;
  return logger;
}
