import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Writable } from 'node:stream';

import type {
  InMemoryLogRecordExporter as LogExporter,
  ReadableLogRecord,
  SimpleLogRecordProcessor as LogProcessor,
} from '@opentelemetry/sdk-logs';
import type { InMemorySpanExporter as SpanExporter, SimpleSpanProcessor as SpanProcessor } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type * as LoggerModule from '../src/logging/logger.ts';
import type * as SdkModule from '../src/telemetry/sdk.ts';
import { requireDist, requirePackage } from './support/dist.ts';

/**
 * The log bridge (telemetry/log-bridge.ts) must export exactly what the pino instrumentation's
 * log sending exported. The reference here is the instrumentation's own stream class, fed every
 * line our logger writes to stdout (as its multistream fed it), sending under a scope of its own;
 * each log call then yields our record and the reference record, compared field by field.
 */
const api = requirePackage<typeof import('@opentelemetry/api')>('@opentelemetry/api');
const { InMemoryLogRecordExporter, SimpleLogRecordProcessor } = requirePackage<{
  InMemoryLogRecordExporter: typeof LogExporter;
  SimpleLogRecordProcessor: typeof LogProcessor;
}>('@opentelemetry/sdk-logs');
const TRACE_ID = /^[0-9a-f]{32}$/;
const TIME_FIELD = /"time":"[^"]*"/;
const { InMemorySpanExporter, SimpleSpanProcessor } = requirePackage<{
  InMemorySpanExporter: typeof SpanExporter;
  SimpleSpanProcessor: typeof SpanProcessor;
}>('@opentelemetry/sdk-trace');
const pino = requirePackage<{ levels: { values: Record<string, number> } }>('pino');

// The package's exports map hides the stream class; a file path is not subject to it.
const requireHere = createRequire(import.meta.url);
const instrumentationDir = path.dirname(requireHere.resolve('@opentelemetry/instrumentation-pino'));
const instrumentationPackage = JSON.parse(readFileSync(path.join(instrumentationDir, '..', 'package.json'), 'utf8')) as {
  name: string;
  version: string;
};
interface ReferenceStream extends Writable {
  lastLevel: number;
  _otelLogger: unknown;
}
const { OTelPinoStream } = requireHere(path.join(instrumentationDir, 'log-sending-utils.cjs')) as {
  OTelPinoStream: new (options: Record<string, unknown>) => ReferenceStream;
};

const exported = new InMemoryLogRecordExporter();
let sdk: { start: () => void; shutdown: () => Promise<void> };
type Logger = ReturnType<typeof LoggerModule.createLogger>;
let logger: Logger;
/** A logger as the service had it before: the pino instrumentation's own mixin stamps the ids. */
let referenceLogger: Logger;
const lines: string[] = [];
const referenceLines: string[] = [];

beforeAll(() => {
  const { createTelemetrySdk } = requireDist<typeof SdkModule>('telemetry/sdk.js');
  sdk = createTelemetrySdk({
    serviceVersion: '0.0.0-test',
    deploymentEnvironment: 'test',
    serviceInstanceId: 'bridge',
    spanProcessors: [new SimpleSpanProcessor({ exporter: new InMemorySpanExporter() })],
    logRecordProcessors: [new SimpleLogRecordProcessor({ exporter: exported })],
    environment: {},
  });
  sdk.start();
  const { createLogger, loggerSettings } = requireDist<typeof LoggerModule>('logging/logger.js');
  let reference: ReferenceStream | undefined;
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      const line = chunk.toString('utf8');
      lines.push(line);
      if (reference !== undefined) {
        reference.lastLevel = pino.levels.values[(JSON.parse(line) as { level: string }).level] ?? 0;
        reference.write(line);
      }
      callback();
    },
  });
  logger = createLogger({ level: 'trace', destination });
  reference = new OTelPinoStream({
    messageKey: 'msg',
    errorKey: 'err',
    levels: logger.levels,
    // The service's logger used pino's isoTime, whose values this converts.
    otelTimestampFromTime: (time: unknown) => new Date(String(time)).getTime(),
  });
  reference._otelLogger = api.logs.getLogger('reference');

  // The instrumentation's own mixin, installed as it installed it (pino's `mixin`, merged by
  // pino's default strategy). Constructed disabled, so it hooks no module loading; its mixin
  // answers only when it reports itself enabled.
  const { PinoInstrumentation } = requirePackage<{
    PinoInstrumentation: new (config: object) => { isEnabled: () => boolean; _getMixinFunction: () => unknown };
  }>('@opentelemetry/instrumentation-pino');
  const instrumentation = new PinoInstrumentation({ enabled: false, disableLogSending: true });
  instrumentation.isEnabled = () => true;
  const otelMixin = instrumentation._getMixinFunction();
  const plainPino = requirePackage<(options: object, destination: object) => Logger>('pino');
  referenceLogger = plainPino(
    { ...loggerSettings('trace'), mixin: otelMixin },
    {
      write: (line: string) => {
        referenceLines.push(line);
      },
    },
  );
});

afterAll(async () => {
  await sdk.shutdown();
});

/** What a backend sees of a record, timestamps aside; attributes as entries, so order counts too. */
function exportedFields(record: ReadableLogRecord) {
  return {
    body: record.body,
    severityNumber: record.severityNumber,
    severityText: record.severityText,
    attributes: Object.entries(record.attributes),
    eventName: record.eventName,
    traceId: record.spanContext?.traceId,
    spanId: record.spanContext?.spanId,
    traceFlags: record.spanContext?.traceFlags,
  };
}

const millis = ([seconds, nanos]: [number, number]): number => seconds * 1000 + nanos / 1e6;

interface Pair {
  /** How many records each side produced for the one log call: [ours, reference]. */
  readonly counts: [number, number];
  readonly ours: ReadableLogRecord | undefined;
  readonly reference: ReadableLogRecord | undefined;
}

/** Our record and the instrumentation's for one log call. */
async function recordsFor(testCase: Case): Promise<Pair> {
  exported.reset();
  run(testCase, [logger]);
  // The simple processor exports once the resource's attributes have settled: asynchronously.
  for (let attempt = 0; attempt < 50 && exported.getFinishedLogRecords().length < 2; attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const records = exported.getFinishedLogRecords();
  const ours = records.filter((record) => record.instrumentationScope.name !== 'reference');
  const reference = records.filter((record) => record.instrumentationScope.name === 'reference');
  return { counts: [ours.length, reference.length], ours: ours[0], reference: reference[0] };
}

interface Case {
  readonly name: string;
  /** Log inside a span (a request), or outside any (start-up). */
  readonly inSpan?: boolean;
  readonly log: (target: Logger) => void;
}

/** The case's log call on each target, all inside one span when the case asks for one. */
function run(testCase: Case, targets: readonly Logger[]): void {
  const all = () => {
    for (const target of targets) testCase.log(target);
  };
  if (testCase.inSpan !== true) {
    all();
    return;
  }
  api.trace.getTracer('log-bridge-test').startActiveSpan('request', (span) => {
    all();
    span.end();
  });
}

/** The stdout lines both loggers write for one log call, inside one span; time set aside. */
function linesFor(testCase: Case): { ours: string[]; reference: string[] } {
  lines.length = 0;
  referenceLines.length = 0;
  run(testCase, [logger, referenceLogger]);
  const withoutTime = (line: string) => line.replace(TIME_FIELD, '"time":"-"');
  return { ours: lines.map(withoutTime), reference: referenceLines.map(withoutTime) };
}

const ACCESS_RECORD = {
  'log.type': 'access',
  'client.address': '127.0.0.1',
  'http.request.method': 'GET',
  'http.response.status_code': 200,
  duration_ms: 0.123,
  'trace.sampled': true,
};

const CASES: readonly Case[] = [
  {
    name: 'the access record, inside a span',
    inSpan: true,
    log: (target) => target.info(ACCESS_RECORD, '127.0.0.1 GET http /api/activities/home 200 0.123ms'),
  },
  { name: 'a message alone', inSpan: true, log: (target) => target.info('home activities requested') },
  { name: 'an object alone, outside any span', log: (target: Logger) => target.info({ port: 4567, rollbar: 'off' }) },
  ...(['trace', 'debug', 'warn', 'error', 'fatal'] as const).map((level) => ({
    name: `level ${level}`,
    log: (target: Logger) => target[level]({ 'app.level': level }, `at ${level}`),
  })),
  // Records the bridge leaves to the parsed line, as the instrumentation did.
  { name: 'an error', inSpan: true, log: (target) => target.error({ err: new Error('boom') }, 'unhandled error') },
  {
    name: 'nested objects with redacted paths',
    log: (target: Logger) =>
      target.warn(
        { req: { headers: { authorization: 'Bearer canary-secret', accept: '*/*' } }, user: { password: 'canary-pw' } },
        'nested',
      ),
  },
  {
    name: "a child logger's bindings",
    log: (target: Logger) => target.child({ component: 'store' }).info({ 'app.count': 3 }, 'from a child'),
  },
  { name: 'format arguments', log: (target: Logger) => target.info('requests: %d of %s', 3, 'many') },
  {
    name: 'numbers JSON rewrites',
    log: (target: Logger) => target.info({ ratio: Number.NaN, zero: -0, big: Number.POSITIVE_INFINITY }, 'numbers'),
  },
  { name: 'keys pino treats specially', log: (target: Logger) => target.info({ time: 'not a time', skipped: undefined }, 'special keys') },
  { name: 'an event name', log: (target: Logger) => target.info({ 'otel.event.name': 'app.event', 'app.kind': 'named' }, 'an event') },
  { name: 'the older event key, an attribute', log: (target: Logger) => target.info({ 'event.name': 'app.event' }, 'older key') },
];

describe('log bridge: the records the pino instrumentation exported', () => {
  it.each(CASES)('$name: the same record, under the same scope', async (testCase) => {
    const { counts, ours, reference } = await recordsFor(testCase);
    expect(counts).toEqual([1, 1]);
    if (ours === undefined || reference === undefined) return;
    expect(ours.instrumentationScope).toEqual({ name: instrumentationPackage.name, version: instrumentationPackage.version });
    expect(exportedFields(ours)).toEqual(exportedFields(reference));
    // Both have pino's millisecond precision; a record built from the call may be a tick earlier.
    expect(Math.abs(millis(ours.hrTime) - millis(reference.hrTime))).toBeLessThanOrEqual(1);
    expect(ours.hrTimeObserved).toEqual(ours.hrTime);
  });

  it.each(CASES)("$name: the same stdout line as with the instrumentation's mixin", (testCase) => {
    const { ours, reference } = linesFor(testCase);
    expect(ours).toHaveLength(1);
    expect(ours).toEqual(reference);
  });

  it('a record bringing its own trace_id: merged as the mixin merged it', () => {
    const { ours, reference } = linesFor({
      name: 'own id',
      inSpan: true,
      log: (target) => target.info({ 'app.n': 1, trace_id: 'from-the-record' }, 'own id'),
    });
    expect(ours[0]).toContain('"trace_id":"from-the-record","span_id":"');
    expect(ours).toEqual(reference);
  });

  it('keeps what the records carry: trace ids, attribute order, the exception, redaction, the event name', async () => {
    const access = CASES[0] === undefined ? undefined : (await recordsFor(CASES[0])).ours;
    expect(access?.spanContext?.traceId).toMatch(TRACE_ID);
    expect(Object.keys(access?.attributes ?? {})).toEqual(Object.keys(ACCESS_RECORD));
    const failure = (await recordsFor({ name: 'error', log: (target) => target.error({ err: new Error('boom') }, 'unhandled error') }))
      .ours;
    expect(failure?.attributes['exception.message']).toBe('boom');
    const nested = (
      await recordsFor({ name: 'nested', log: (target) => target.warn({ headers: { authorization: 'canary-secret' } }, 'nested') })
    ).ours;
    expect(JSON.stringify(nested?.attributes)).toContain('[redacted]');
    expect(JSON.stringify(nested?.attributes)).not.toContain('canary');
    const event = (await recordsFor({ name: 'event', log: (target) => target.info({ 'otel.event.name': 'app.event' }, 'an event') })).ours;
    expect(event?.eventName).toBe('app.event');
  });
});
