import { type Attributes, context, isSpanContextValid, type Logger as OTelLogger, logs, SeverityNumber, trace } from '@opentelemetry/api';
import { millisToHrTime } from '@opentelemetry/core';
import { ATTR_OTEL_EVENT_NAME } from '@opentelemetry/semantic-conventions';

/**
 * pino → OpenTelemetry logs, and trace ids on every stdout line: what the pino instrumentation
 * did, for less.
 *
 * Sending. The instrumentation tapped pino's output: a multistream whose second stream
 * `JSON.parse`d the line pino had just serialised and turned it back into an OTel log record.
 * Here a record whose fields are all flat primitives (the access log and every domain record) is
 * built from the object pino was given: for such a record the JSON round trip is the identity
 * and redaction cannot apply (every redacted path is nested, checked at start-up), so the OTel
 * record is the same, field for field and in the same order. Anything else (an `err`, a nested
 * object, a child logger's bindings, format arguments) goes the instrumentation's way, parsing
 * the serialised line, so it too is what it was.
 *
 * Correlation. The instrumentation's mixin returned `{trace_id, span_id, trace_flags}` for every
 * record, and pino merged the record into it (`Object.assign(mixin, record)`): a fresh object of
 * a new shape per record, then serialised. `traceFieldsJson()` writes the same three fields as
 * text right after `time`, where the merge put them, so the stdout line is byte for byte the
 * same for a fraction of the cost (docs/bench/notes.md). A record that brings one of those keys
 * itself is merged the instrumentation's way (`traceFieldsObject()`), so its line is the same too.
 *
 * The instrumentation scope is the instrumentation's own name and version (INSTRUMENTATION_SCOPE),
 * so the exported records do not change there either.
 */
export interface LogBridgeScope {
  readonly name: string;
  readonly version: string;
}

/**
 * The scope the pino instrumentation sent records under (its package name and the version this
 * service shipped with), kept so that what backends receive does not change; the unit test
 * checks it against the installed instrumentation package.
 */
export const INSTRUMENTATION_SCOPE: LogBridgeScope = { name: '@opentelemetry/instrumentation-pino', version: '0.70.0' };

/** The keys the correlation fields are written under, as the instrumentation named them. */
export const TRACE_KEYS = ['trace_id', 'span_id', 'trace_flags'] as const;

let scope: LogBridgeScope | undefined;

/** Called by the telemetry bootstrap when the SDK is on; loggers created afterwards send to OTel. */
export function enableLogBridge(bridgeScope: LogBridgeScope): void {
  scope = bridgeScope;
}

/** The scope loggers send under, or undefined when telemetry is off (no bridge at all). */
export function logBridgeScope(): LogBridgeScope | undefined {
  return scope;
}

/** The active span's context, when there is one and it is valid (the instrumentation's test). */
function activeSpanContext(): { traceId: string; spanId: string; traceFlags: number } | undefined {
  const span = trace.getSpan(context.active());
  if (span === undefined) return undefined;
  const spanContext = span.spanContext();
  return isSpanContextValid(spanContext) ? spanContext : undefined;
}

/**
 * `,"trace_id":"…","span_id":"…","trace_flags":"01"` for the active span, or '' outside one.
 * Valid ids are lowercase hex, so nothing needs escaping.
 */
export function traceFieldsJson(): string {
  const spanContext = activeSpanContext();
  if (spanContext === undefined) return '';
  return `,"trace_id":"${spanContext.traceId}","span_id":"${spanContext.spanId}","trace_flags":"0${spanContext.traceFlags.toString(16)}"`;
}

/** The same fields as the object the instrumentation's mixin returned. */
export function traceFieldsObject(): Record<string, string> {
  const spanContext = activeSpanContext();
  if (spanContext === undefined) return {};
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId, trace_flags: `0${spanContext.traceFlags.toString(16)}` };
}

/** pino's default levels, as the instrumentation maps them. */
const SEVERITY_BY_LEVEL: Readonly<Record<number, SeverityNumber>> = {
  10: SeverityNumber.TRACE,
  20: SeverityNumber.DEBUG,
  30: SeverityNumber.INFO,
  40: SeverityNumber.WARN,
  50: SeverityNumber.ERROR,
  60: SeverityNumber.FATAL,
};

/**
 * Keys the instrumentation took out of a record (they are the record's own fields, not
 * attributes) or that pino treats specially: a record carrying one goes the parsing way.
 */
/** A redaction path that only matches below the top level (`a.b`, `a["b"]`, `*.b`). */
const NESTED_PATH = /[.[]/;

const SPECIAL_KEYS = new Set(['time', 'msg', 'err', 'level', 'hostname', 'pid', ...TRACE_KEYS, ATTR_OTEL_EVENT_NAME]);

export interface BridgeOptions {
  readonly scope: LogBridgeScope;
  /** pino's level labels by number (`logger.levels.labels`). */
  readonly labels: Readonly<Record<number, string>>;
  /** The redaction paths: the direct path is only taken when none can match a flat record. */
  readonly redactedPaths: readonly string[];
}

/** Sends pino records to the OTel logs API; see the module comment. */
export class LogBridge {
  private readonly logger: OTelLogger;
  private readonly labels: Readonly<Record<number, string>>;
  /** False if a redaction path could match a top-level key: then every record is parsed. */
  private readonly directAllowed: boolean;

  constructor(options: BridgeOptions) {
    this.logger = logs.getLogger(options.scope.name, options.scope.version);
    this.labels = options.labels;
    this.directAllowed = options.redactedPaths.every((path) => NESTED_PATH.test(path));
  }

  /**
   * The record for a log call's arguments, built without serialising, or false when the call is
   * not of the flat shape (the caller then lets pino serialise it and calls `emitLine`).
   */
  emitDirect(level: number, args: readonly unknown[]): boolean {
    const severityNumber = SEVERITY_BY_LEVEL[level];
    if (severityNumber === undefined || !this.directAllowed) return false;
    const [first, second] = args;
    let body: string | undefined;
    let attributes: Attributes;
    if (typeof first === 'string' && args.length === 1) {
      body = first;
      attributes = {};
    } else if (isFlatRecord(first) && (args.length === 1 || (args.length === 2 && typeof second === 'string'))) {
      body = second as string | undefined;
      attributes = first;
    } else {
      return false;
    }
    // pino's isoTime has millisecond precision, which is what the parsed line gave.
    const timestamp = millisToHrTime(Date.now());
    this.logger.emit({
      timestamp,
      observedTimestamp: timestamp,
      severityNumber,
      severityText: this.labels[level],
      body,
      attributes,
    });
    return true;
  }

  /** The instrumentation's way: parse the line pino wrote and send what it holds. */
  emitLine(level: number, line: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      return;
    }
    if (parsed === null || typeof parsed !== 'object') return;
    const {
      time,
      msg: body,
      err: exception,
      level: _level,
      hostname: _hostname,
      pid: _pid,
      trace_id: _traceId,
      span_id: _spanId,
      trace_flags: _traceFlags,
      [ATTR_OTEL_EVENT_NAME]: eventName,
      ...attributes
    } = parsed as Record<string, unknown>;
    let millis = typeof time === 'string' ? new Date(time).getTime() : Number.NaN;
    if (Number.isNaN(millis)) {
      attributes.time = time;
      millis = Date.now();
    }
    const timestamp = millisToHrTime(millis);
    this.logger.emit({
      timestamp,
      observedTimestamp: timestamp,
      severityNumber: SEVERITY_BY_LEVEL[level] ?? severityBetween(level),
      severityText: this.labels[level],
      body: body as string | undefined,
      attributes: attributes as Attributes,
      exception: normalizeException(exception),
      ...(typeof eventName === 'string' ? { eventName } : {}),
    });
  }
}

/** A plain object whose values are all strings, booleans or finite numbers other than -0. */
function isFlatRecord(value: unknown): value is Attributes {
  if (value === null || typeof value !== 'object') return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  for (const key of Object.keys(value)) {
    if (SPECIAL_KEYS.has(key)) return false;
    const field = (value as Record<string, unknown>)[key];
    switch (typeof field) {
      case 'string':
      case 'boolean':
        break;
      case 'number':
        // JSON turns NaN and ±Infinity into null and -0 into 0.
        if (!Number.isFinite(field) || Object.is(field, -0)) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

const EXTRA_SEVERITIES = [
  SeverityNumber.TRACE2,
  SeverityNumber.TRACE3,
  SeverityNumber.TRACE4,
  SeverityNumber.DEBUG2,
  SeverityNumber.DEBUG3,
  SeverityNumber.DEBUG4,
  SeverityNumber.INFO2,
  SeverityNumber.INFO3,
  SeverityNumber.INFO4,
  SeverityNumber.WARN2,
  SeverityNumber.WARN3,
  SeverityNumber.WARN4,
  SeverityNumber.ERROR2,
  SeverityNumber.ERROR3,
  SeverityNumber.ERROR4,
  SeverityNumber.FATAL2,
  SeverityNumber.FATAL3,
  SeverityNumber.FATAL4,
] as const;

/** A custom pino level between the defaults, placed as the instrumentation placed it. */
function severityBetween(level: number): SeverityNumber {
  const index = Math.floor(((level - 10) / 60) * EXTRA_SEVERITIES.length);
  return EXTRA_SEVERITIES[Math.min(EXTRA_SEVERITIES.length - 1, Math.max(0, index))] ?? SeverityNumber.UNSPECIFIED;
}

/** The instrumentation's: an error object with `type` but no `name` gets `name` from it. */
function normalizeException(exception: unknown): unknown {
  if (exception !== null && typeof exception === 'object' && !Array.isArray(exception)) {
    const record = exception as Record<string, unknown>;
    if (typeof record.type === 'string' && typeof record.name !== 'string') record.name = record.type;
  }
  return exception;
}
