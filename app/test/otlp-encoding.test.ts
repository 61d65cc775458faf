import type { HrTime, SpanContext } from '@opentelemetry/api';
import type { ISerializer } from '@opentelemetry/otlp-transformer';
import type { Resource } from '@opentelemetry/resources';
import type { InMemoryLogRecordExporter as LogExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { InMemorySpanExporter as SpanExporter, ReadableSpan } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';

import type * as Encoding from '../src/telemetry/otlp-encoding.ts';
import { requireDist, requirePackage } from './support/dist.ts';

/**
 * The app's OTLP encoding (telemetry/otlp-encoding.ts) must write exactly the bytes the SDK's
 * serialisers write: every span and record below, real ones from the SDK and hand-made ones for
 * the edges (value types, ids in upper case, lengths across varint sizes, a batch over 2 MiB,
 * several resources and scopes), is encoded both ways and compared byte for byte.
 */
const api = requirePackage<typeof import('@opentelemetry/api')>('@opentelemetry/api');
const core = requirePackage<typeof import('@opentelemetry/core')>('@opentelemetry/core');
const { resourceFromAttributes } = requirePackage<typeof import('@opentelemetry/resources')>('@opentelemetry/resources');
const { ProtobufLogsSerializer, ProtobufTraceSerializer } = requirePackage<{
  ProtobufLogsSerializer: ISerializer<ReadableLogRecord[], unknown>;
  ProtobufTraceSerializer: ISerializer<ReadableSpan[], unknown>;
}>('@opentelemetry/otlp-transformer');
const { TracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = requirePackage<{
  TracerProvider: typeof import('@opentelemetry/sdk-trace').TracerProvider;
  InMemorySpanExporter: typeof SpanExporter;
  SimpleSpanProcessor: typeof import('@opentelemetry/sdk-trace').SimpleSpanProcessor;
}>('@opentelemetry/sdk-trace');
const { LoggerProvider, InMemoryLogRecordExporter, SimpleLogRecordProcessor } = requirePackage<{
  LoggerProvider: typeof import('@opentelemetry/sdk-logs').LoggerProvider;
  InMemoryLogRecordExporter: typeof LogExporter;
  SimpleLogRecordProcessor: typeof import('@opentelemetry/sdk-logs').SimpleLogRecordProcessor;
}>('@opentelemetry/sdk-logs');
const { encodeLogsRequest, encodeTraceRequest } = requireDist<typeof Encoding>('telemetry/otlp-encoding.js');

const RESOURCE = resourceFromAttributes({
  'service.name': 'cruddur-backend',
  'service.version': '1.2.3',
  'deployment.environment.name': 'test',
  'host.cores': 2,
});
const OTHER_RESOURCE = resourceFromAttributes({ 'service.name': 'ünïcode-sérvice', weight: 0.5 });

/** Every attribute value type the API allows, and the edges of their encodings. */
const ALL_TYPES = {
  'str.empty': '',
  'str.ascii': 'GET /api/activities/:uuid',
  'str.unicode': 'crüd ✓ 🚀 中文',
  'str.long': 'x'.repeat(200),
  'str.longer': 'y'.repeat(20_000),
  'bool.true': true,
  'bool.false': false,
  'int.zero': 0,
  'int.small': 200,
  'int.u32max': 4_294_967_295,
  'int.above32': 4_294_967_296 * 3 + 17,
  'int.safe': Number.MAX_SAFE_INTEGER,
  'int.negative': -1,
  'int.negativeLarge': -(2 ** 40) - 5,
  'int.min64': -(2 ** 63),
  'int.max64': 2 ** 63,
  'double.fraction': 3.25,
  'double.nan': Number.NaN,
  'double.infinity': Number.POSITIVE_INFINITY,
  'array.strings': ['a', 'bé', ''],
  'array.numbers': [1, -2, 2.5],
  'array.bools': [true, false],
  'array.withNull': ['a', null, undefined],
  'array.empty': [],
};

async function spansFromSdk(): Promise<ReadableSpan[]> {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ resource: RESOURCE, spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const tracer = provider.getTracer('@cruddur/app', '0.1.0');
  const other = provider.getTracer('other-scope');
  const remoteParent: SpanContext = {
    traceId: '6745a3b2c1d0e9f8a7b6c5d4e3f2a1b0',
    spanId: '0123456789abcdef',
    traceFlags: api.TraceFlags.SAMPLED,
    isRemote: true,
    traceState: new core.TraceState('xray=1,vendor=abc'),
  };
  const parentContext = api.trace.setSpanContext(api.ROOT_CONTEXT, remoteParent);
  const server = tracer.startSpan(
    'GET /api/activities/:uuid',
    {
      kind: api.SpanKind.SERVER,
      attributes: ALL_TYPES,
      links: [
        { context: { ...remoteParent, spanId: 'fedcba9876543210', isRemote: false }, attributes: { 'link.kind': 'follows' } },
        { context: { traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), traceFlags: 0 } },
      ],
    },
    parentContext,
  );
  server.addEvent('exception', { 'exception.type': 'Error', 'exception.message': 'naïve failure' });
  server.addEvent('no attributes');
  server.setStatus({ code: api.SpanStatusCode.ERROR, message: 'boom' });
  const child = tracer.startSpan('home-activities-mock-data', {}, api.trace.setSpan(api.ROOT_CONTEXT, server));
  child.setAttribute('app.result_length', 3);
  child.end();
  const unsampledRoot = other.startSpan('root', { kind: api.SpanKind.CLIENT });
  unsampledRoot.setStatus({ code: api.SpanStatusCode.OK });
  unsampledRoot.end();
  server.end();
  for (let index = 0; index < 30; index++) {
    const span = tracer.startSpan(`route-${String(index)}`, {
      kind: api.SpanKind.SERVER,
      attributes: { 'http.request.method': 'POST', index },
    });
    span.end();
  }
  await provider.forceFlush();
  return exporter.getFinishedSpans();
}

/** A hand-made span: fields the SDK's recording would normalise (ids in upper case, odd times). */
function handMadeSpan(resource: Resource, scopeName: string, overrides: Partial<ReadableSpan>): ReadableSpan {
  const context: SpanContext = { traceId: 'ABCDEF0123456789ABCDEF0123456789', spanId: 'A1B2C3D4E5F60789', traceFlags: 1 };
  const startTime: HrTime = [4_102_444_800, 999_999_999];
  return {
    name: 'hand-made',
    kind: api.SpanKind.INTERNAL,
    spanContext: () => context,
    startTime,
    endTime: [4_102_444_801, 0],
    duration: [0, 1],
    status: { code: api.SpanStatusCode.UNSET },
    attributes: {},
    links: [],
    events: [],
    ended: true,
    resource,
    instrumentationScope: { name: scopeName, version: '9.9.9', schemaUrl: 'https://opentelemetry.io/schemas/1.30.0' },
    droppedAttributesCount: 3,
    droppedEventsCount: 200,
    droppedLinksCount: 70_000,
    ...overrides,
  };
}

async function logsFromSdk(): Promise<ReadableLogRecord[]> {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ resource: RESOURCE, processors: [new SimpleLogRecordProcessor({ exporter })] });
  const logger = provider.getLogger('@cruddur/app', '0.1.0');
  const span = new TracerProvider().getTracer('t').startSpan('s');
  const inSpan = api.trace.setSpan(api.ROOT_CONTEXT, span);
  logger.emit({
    severityNumber: 9,
    severityText: 'info',
    body: 'access',
    attributes: { 'http.route': '/api', status: 200 },
    context: inSpan,
  });
  logger.emit({ body: { nested: { list: [1, 'two', { three: true }], bytes: new Uint8Array([0, 255, 7]) }, empty: {} } });
  logger.emit({ severityNumber: 17, body: ['a', 2.5, null], eventName: 'app.crud.created', attributes: ALL_TYPES });
  logger.emit({ severityText: 'WARN', body: new Uint8Array([1, 2, 3]) });
  logger.emit({ body: 'z'.repeat(70_000), timestamp: new Date('2030-01-01T00:00:00.123Z') });
  logger.emit({});
  span.end();
  await provider.forceFlush();
  return exporter.getFinishedLogRecords();
}

/** A hand-made log record (the SDK's records normalise what these leave odd). */
function handMadeRecord(overrides: Partial<ReadableLogRecord>): ReadableLogRecord {
  return {
    hrTime: [1_700_000_000, 123_456_789],
    hrTimeObserved: [1_700_000_000, 123_456_790],
    resource: RESOURCE,
    instrumentationScope: { name: 'records', version: '1.0.0', attributes: { 'scope.kind': 'bridge', n: 2 }, droppedAttributesCount: 2 },
    attributes: {},
    droppedAttributesCount: 0,
    ...overrides,
  };
}

/** Values outside what the types allow, as a JavaScript caller could still pass them. */
function untyped<T>(value: unknown): T {
  return value as T;
}

/** Bytes to compare with toEqual (a Buffer prints its differing bytes). */
function bytesOf(encoded: Uint8Array | undefined): Buffer {
  if (encoded === undefined) throw new Error('the SDK serialiser returned nothing');
  return Buffer.from(encoded);
}

describe('OTLP encoding', () => {
  it('encodes SDK spans of every shape exactly as the SDK serialiser does', async () => {
    const spans = await spansFromSdk();
    expect(spans.length).toBe(33);
    expect(bytesOf(encodeTraceRequest(spans))).toEqual(bytesOf(ProtobufTraceSerializer.serializeRequest(spans)));
    // One span at a time too: the smallest requests, where the reserved lengths are largest.
    for (const span of spans)
      expect(bytesOf(encodeTraceRequest([span]))).toEqual(bytesOf(ProtobufTraceSerializer.serializeRequest([span])));
  });

  it('encodes hand-made spans across resources and scopes, upper-case ids and a request over 2 MiB', () => {
    const big = 'b'.repeat(700_000);
    const spans = [
      handMadeSpan(RESOURCE, 'one', {}),
      handMadeSpan(OTHER_RESOURCE, 'two', { kind: api.SpanKind.CONSUMER, attributes: { big } }),
      handMadeSpan(RESOURCE, 'two', { attributes: { big: `${big}é` } }),
      handMadeSpan(OTHER_RESOURCE, 'one', { attributes: { big } }),
      handMadeSpan(RESOURCE, 'one', { status: { code: api.SpanStatusCode.ERROR, message: 'x'.repeat(130) } }),
    ];
    const ours = encodeTraceRequest(spans);
    expect(ours.length).toBeGreaterThan(2 * 1024 * 1024);
    expect(bytesOf(ours)).toEqual(bytesOf(ProtobufTraceSerializer.serializeRequest(spans)));
    expect(encodeTraceRequest([])).toEqual(ProtobufTraceSerializer.serializeRequest([]));
  });

  it('needs a 4-byte length for one resource over 2 MiB, shifting the reserved 3', () => {
    const spans = [0, 1, 2, 3].map((index) => handMadeSpan(RESOURCE, 'one', { attributes: { big: String(index).repeat(600_000) } }));
    const ours = encodeTraceRequest(spans);
    // Field 1 (ResourceSpans), then its length: four varint bytes, the first three with the continuation bit.
    expect([ours[0], (ours[1] ?? 0) & 0x80, (ours[2] ?? 0) & 0x80, (ours[3] ?? 0) & 0x80, (ours[4] ?? 0) & 0x80]).toEqual([
      0x0a, 0x80, 0x80, 0x80, 0,
    ]);
    expect(bytesOf(ours)).toEqual(bytesOf(ProtobufTraceSerializer.serializeRequest(spans)));
  });

  it('writes the SDK bytes for times, ids, numbers and strings at the edges of their types', () => {
    const spans = [
      handMadeSpan(RESOURCE, 'one', { startTime: [-1, 0], endTime: [-2, 500_000_000] }),
      handMadeSpan(RESOURCE, 'one', { startTime: [2 ** 48, 0], endTime: [1.5, 1_500_000_000] }),
      handMadeSpan(RESOURCE, 'one', {
        links: [{ context: { traceId: 'zz'.repeat(16), spanId: '--'.repeat(8), traceFlags: 0x1_ff, isRemote: untyped<boolean>(1) } }],
        attributes: { lone: '\ud800x', '\udc00key': 'v', negZero: -0, aboveSafe: 2 ** 53 + 2, belowMin: -(2 ** 64) },
        status: { code: untyped<number>(-1) },
        droppedAttributesCount: 2 ** 32 + 1,
      }),
      handMadeSpan(RESOURCE, 'one', { kind: untyped<number>(null), parentSpanContext: untyped<SpanContext>(null) }),
    ];
    expect(bytesOf(encodeTraceRequest(spans))).toEqual(bytesOf(ProtobufTraceSerializer.serializeRequest(spans)));
    const validIds = { traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8) };
    const records = [
      handMadeRecord({ hrTime: [-86_400 * 200, 5], spanContext: { ...validIds, traceFlags: 0 } }),
      handMadeRecord({ spanContext: untyped<SpanContext>({ ...validIds }), severityNumber: untyped<number>(-1) }),
      handMadeRecord({ body: untyped<string>(new Map([['a', 1]])), attributes: { big: untyped<string>(10n) } }),
      handMadeRecord({
        body: untyped<string>({ list: [null, -0, 2 ** 63, Number.NaN], bytes: new Uint8Array([9]) }),
        droppedAttributesCount: 2 ** 33,
      }),
    ];
    expect(bytesOf(encodeLogsRequest(records))).toEqual(bytesOf(ProtobufLogsSerializer.serializeRequest(records)));
  });

  it('keeps no state between batches: a small batch after a large one is exact', async () => {
    const spans = await spansFromSdk();
    encodeTraceRequest([handMadeSpan(RESOURCE, 'one', { attributes: { big: 'c'.repeat(300_000) } })]);
    const first = encodeTraceRequest(spans.slice(0, 2));
    const second = encodeTraceRequest(spans.slice(2, 4));
    expect(bytesOf(first)).toEqual(bytesOf(ProtobufTraceSerializer.serializeRequest(spans.slice(0, 2))));
    expect(bytesOf(second)).toEqual(bytesOf(ProtobufTraceSerializer.serializeRequest(spans.slice(2, 4))));
  });

  it('encodes log records of every body and context kind exactly as the SDK serialiser does', async () => {
    const records = await logsFromSdk();
    expect(records.length).toBe(6);
    expect(records[0]?.spanContext?.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(bytesOf(encodeLogsRequest(records))).toEqual(bytesOf(ProtobufLogsSerializer.serializeRequest(records)));
    for (const record of records)
      expect(bytesOf(encodeLogsRequest([record]))).toEqual(bytesOf(ProtobufLogsSerializer.serializeRequest([record])));
  });
});
