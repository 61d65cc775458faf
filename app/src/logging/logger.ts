import pino, { type DestinationStream, type Logger, type LoggerOptions as PinoOptions } from 'pino';

import type { LogLevel } from '../config.ts';
import { LogBridge, logBridgeScope, TRACE_KEYS, traceFieldsJson, traceFieldsObject } from '../telemetry/log-bridge.ts';

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

/** Whether a log call's first argument brings a correlation key of its own. */
function carriesTraceKeys(first: unknown): first is object {
  return first !== null && typeof first === 'object' && TRACE_KEYS.some((key) => Object.hasOwn(first, key));
}

/** pino's settings for the service's logger (exported for the log bridge's equivalence test). */
export function loggerSettings(level: LogLevel): PinoOptions {
  return {
    level,
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
}

/**
 * JSON lines on stdout. With the telemetry SDK on, each line also carries the active span's
 * `trace_id`/`span_id`/`trace_flags` and every record goes to the OTel logs SDK, which exports it
 * over OTLP: one call, two sinks (telemetry/log-bridge.ts).
 */
export function createLogger(options: LoggerOptions): Logger {
  const settings = loggerSettings(options.level);
  const scope = logBridgeScope();
  if (scope === undefined) return pino(settings, options.destination);

  const bridge = new LogBridge({ scope, labels: pino.levels.labels, redactedPaths: REDACTED_PATHS });
  let rootBindings: unknown;
  // Set while pino serialises a record the bridge could not send from its arguments.
  let lineForBridge = false;
  // Cleared for a record that brings its own correlation keys (merged below instead).
  let stampTraceFields = true;
  const isoTime = pino.stdTimeFunctions.isoTime;
  const logger = pino(
    {
      ...settings,
      // pino writes this right after "level"; the fields follow "time" where the mixin put them.
      timestamp: () => (stampTraceFields ? isoTime() + traceFieldsJson() : isoTime()),
      hooks: {
        logMethod(args, method, level) {
          // A child logger's bindings are only in the serialised line.
          const root = (this as unknown as Record<symbol, unknown>)[pino.symbols.chindingsSym] === rootBindings;
          lineForBridge = !(root && bridge.emitDirect(level, args));
          let callArgs = args;
          if (carriesTraceKeys(args[0])) {
            // The instrumentation's merge: its fields first, the record's own values winning.
            stampTraceFields = false;
            callArgs = [Object.assign(traceFieldsObject(), args[0]), ...args.slice(1)] as typeof args;
          }
          try {
            method.apply(this, callArgs as Parameters<typeof method>);
          } finally {
            lineForBridge = false;
            stampTraceFields = true;
          }
        },
      },
    },
    options.destination,
  );
  const symbols = pino.symbols;
  const internals = logger as unknown as Record<symbol, unknown>;
  rootBindings = internals[symbols.chindingsSym];
  const stdout = internals[symbols.streamSym] as DestinationStream & { flush?: (cb?: () => void) => void; flushSync?: () => void };
  // Replaces pino's stream, as the instrumentation's multistream did: stdout first, then OTel.
  const bridged = {
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
  internals[symbols.streamSym] = bridged;
  return logger;
}
