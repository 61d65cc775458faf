/**
 * OTLP protobuf encoding of spans and log records in one pass, for the gRPC exporters
 * (otlp-exporters.ts). The output is byte for byte what otlp-transformer's
 * ProtobufTraceSerializer / ProtobufLogsSerializer produce (test/otlp-encoding.test.ts compares
 * them on every field and value type); only the way there differs:
 *   - one pass: the SDK walks every batch twice (a size estimate, then the writing); here each
 *     message's length is reserved, written after its body, and the body moved only in the rare
 *     case its length needs a different number of bytes than reserved;
 *   - one buffer for the life of the process, grown when a batch needs it: no buffer per batch;
 *   - trace and span ids go from hex straight into the buffer, without a Uint8Array per id.
 * Why: the SDK's serialisers were 6.5% of the server's time at saturation, the largest single
 * cost of ours over the floor (docs/bench/notes.md, issue #17).
 */
import type { Attributes, AttributeValue, HrTime, SpanContext, SpanKind } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';

/** AnyValue as log bodies and attributes may carry it (the API's AnyValue, without its index types). */
type EncodableValue = AttributeValue | Uint8Array | EncodableValue[] | { [key: string]: EncodableValue } | null | undefined;

interface Scope {
  readonly name: string;
  readonly version?: string;
  readonly schemaUrl?: string;
  readonly attributes?: Attributes;
  readonly droppedAttributesCount?: number;
}

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH = 2;
const WIRE_FIXED32 = 5;
const TWO_32 = 4_294_967_296;
const TWO_63 = 2 ** 63;
/** Span.flags: the context's trace flags, and whether its parent is remote (proto SpanFlags). */
const FLAG_HAS_IS_REMOTE = 0x1_00;
const FLAG_IS_REMOTE = 0x2_00;
const SEVERITY_UNSPECIFIED = 0;

/** A string the SDK would write: present and not empty (its truthiness test). */
function isSet(value: string | undefined): value is string {
  return value !== undefined && value !== '';
}

function varintSize(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x40_00) return 2;
  if (value < 0x20_00_00) return 3;
  if (value < 0x10_00_00_00) return 4;
  return 5;
}

/** A hex digit's value; anything else as the SDK reads it (as if A-F), so even a bad link id matches. */
function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  return code - 55;
}

/** The SDK's truthiness test for a number field (0, NaN, null and undefined are "not set"). */
function isNonZero(value: number | null | undefined): value is number {
  return value !== undefined && value !== null && value !== 0 && !Number.isNaN(value);
}

/** Largest buffer a writer keeps between batches; a larger one is given back after its batch. */
const MAX_KEPT_BUFFER = 4 * 1024 * 1024;

/** A protobuf writer over one growable buffer; `reset()` starts the next message at 0. */
class Writer {
  private buffer: Buffer;
  private readonly initialSize: number;
  pos = 0;

  constructor(initialSize: number) {
    this.initialSize = initialSize;
    this.buffer = Buffer.allocUnsafe(initialSize);
  }

  reset(): void {
    this.pos = 0;
  }

  /** A copy of what was written: the buffer is reused by the next batch, the export may outlive it. */
  result(): Uint8Array {
    const written = new Uint8Array(this.buffer.subarray(0, this.pos));
    // One huge batch (a burst, a retried backlog) must not pin its size for the life of the process.
    if (this.buffer.length > MAX_KEPT_BUFFER) this.buffer = Buffer.allocUnsafe(this.initialSize);
    return written;
  }

  private ensure(extra: number): void {
    const needed = this.pos + extra;
    if (needed <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < needed) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buffer.copy(grown, 0, 0, this.pos);
    this.buffer = grown;
  }

  /** Unsigned varint of a value below 2^32. */
  varint32(value: number): void {
    this.ensure(5);
    let v = value >>> 0;
    while (v > 0x7f) {
      this.buffer[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buffer[this.pos++] = v;
  }

  /** Varint of any integer in [-2^63, 2^63): negative ones as 64-bit two's complement (10 bytes). */
  varint64(value: number): void {
    if (value >= 0 && value < TWO_32) {
      this.varint32(value);
      return;
    }
    const magnitude = Math.abs(value);
    let low = magnitude >>> 0;
    let high = Math.floor(magnitude / TWO_32) >>> 0;
    if (value < 0) {
      low = ~low >>> 0;
      high = ~high >>> 0;
      low = (low + 1) >>> 0;
      if (low === 0) high = (high + 1) >>> 0;
    }
    this.ensure(10);
    while (high !== 0 || low > 0x7f) {
      this.buffer[this.pos++] = (low & 0x7f) | 0x80;
      low = ((low >>> 7) | (high << 25)) >>> 0;
      high >>>= 7;
    }
    this.buffer[this.pos++] = low;
  }

  tag(field: number, wire: number): void {
    this.varint32((field << 3) | wire);
  }

  fixed32(value: number): void {
    this.ensure(4);
    this.buffer.writeUInt32LE(value >>> 0, this.pos);
    this.pos += 4;
  }

  /**
   * An HrTime [seconds, nanoseconds] as fixed64 nanoseconds, without BigInt, with the SDK's
   * arithmetic (so times it cannot represent, before 1970 or past 2^48 s, give its bytes too).
   * seconds * 1e9 + nanos overflows 2^53, so seconds is split into its low 16 bits and the rest:
   * low * 1e9 fits in 46 bits, and (rest * 1e9) * 2^16 is added as 16 bits into the low word
   * and the remainder into the high word.
   */
  hrTime(time: HrTime): void {
    const [seconds, nanos] = time;
    const lowNanos = (seconds & 0xff_ff) * 1e9;
    const restNanos = ((seconds / 65_536) >>> 0) * 1e9;
    const low = (lowNanos >>> 0) + (((restNanos & 0xff_ff) * 65_536) >>> 0) + nanos;
    const high = Math.floor(lowNanos / TWO_32) + ((restNanos / 65_536) >>> 0) + Math.floor(low / TWO_32);
    this.ensure(8);
    this.buffer.writeUInt32LE(low >>> 0, this.pos);
    this.buffer.writeUInt32LE(high >>> 0, this.pos + 4);
    this.pos += 8;
  }

  double(value: number): void {
    this.ensure(8);
    this.buffer.writeDoubleLE(value, this.pos);
    this.pos += 8;
  }

  string(value: string): void {
    const length = value.length;
    let ascii = true;
    for (let i = 0; i < length; i++) {
      if (value.charCodeAt(i) > 0x7f) {
        ascii = false;
        break;
      }
    }
    if (!ascii) {
      const bytes = Buffer.byteLength(value, 'utf8');
      this.varint32(bytes);
      this.ensure(bytes);
      this.pos += this.buffer.write(value, this.pos, bytes, 'utf8');
      return;
    }
    this.varint32(length);
    this.ensure(length);
    const buffer = this.buffer;
    let pos = this.pos;
    for (let i = 0; i < length; i++) buffer[pos++] = value.charCodeAt(i);
    this.pos = pos;
  }

  /** Bytes already encoded (a cached tag and string). */
  raw(value: Uint8Array): void {
    this.ensure(value.length);
    this.buffer.set(value, this.pos);
    this.pos += value.length;
  }

  bytes(value: Uint8Array): void {
    this.varint32(value.length);
    this.ensure(value.length);
    this.buffer.set(value, this.pos);
    this.pos += value.length;
  }

  /** A trace or span id given in hex, written as its bytes (length-delimited). */
  hexId(hex: string): void {
    const length = hex.length >>> 1;
    this.varint32(length);
    this.ensure(length);
    const buffer = this.buffer;
    for (let i = 0; i < length; i++) {
      buffer[this.pos++] = (hexValue(hex.charCodeAt(2 * i)) << 4) | hexValue(hex.charCodeAt(2 * i + 1));
    }
  }

  /**
   * Starts a length-delimited body: reserves `expect` bytes for its length (the usual size) and
   * returns where the body starts; `end(start, expect)` writes the length there.
   */
  begin(expect: number): number {
    this.ensure(expect);
    this.pos += expect;
    return this.pos;
  }

  end(start: number, expect: number): void {
    const length = this.pos - start;
    const size = varintSize(length);
    let at = start - expect;
    if (size !== expect) {
      this.ensure(size - expect);
      this.buffer.copyWithin(at + size, start, this.pos);
      this.pos += size - expect;
    }
    let v = length;
    while (v > 0x7f) {
      this.buffer[at++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buffer[at] = v;
  }
}

function writeAnyValue(w: Writer, value: EncodableValue): void {
  switch (typeof value) {
    case 'string':
      w.tag(1, WIRE_LENGTH);
      w.string(value);
      return;
    case 'boolean':
      w.tag(2, WIRE_VARINT);
      w.varint32(value ? 1 : 0);
      return;
    case 'number':
      if (Number.isInteger(value) && value >= -TWO_63 && value < TWO_63) {
        w.tag(3, WIRE_VARINT);
        w.varint64(value);
      } else {
        w.tag(4, WIRE_FIXED64);
        w.double(value);
      }
      return;
    case 'object':
      break;
    default:
      // undefined and anything without an AnyValue form: an empty AnyValue, as the SDK writes it.
      return;
  }
  if (value === null) return;
  if (value instanceof Uint8Array) {
    w.tag(7, WIRE_LENGTH);
    w.bytes(value);
  } else if (Array.isArray(value)) {
    w.tag(5, WIRE_LENGTH);
    const list = w.begin(1);
    for (const item of value) {
      w.tag(1, WIRE_LENGTH);
      const start = w.begin(1);
      writeAnyValue(w, item);
      w.end(start, 1);
    }
    w.end(list, 1);
  } else {
    w.tag(6, WIRE_LENGTH);
    const map = value as { [key: string]: EncodableValue };
    const list = w.begin(1);
    // biome-ignore lint/suspicious/noForIn: the SDK's own iteration (own keys, same order) without an array per object.
    for (const key in map) {
      if (!Object.hasOwn(map, key)) continue;
      w.tag(1, WIRE_LENGTH);
      const start = w.begin(1);
      writeKeyValue(w, key, map[key]);
      w.end(start, 1);
    }
    w.end(list, 1);
  }
}

/**
 * Attribute keys, already encoded as KeyValue.key (tag and string): the same few dozen keys recur
 * on every span and record. Bounded (1,024 keys of up to 128 characters, ~200 KiB at most), so
 * keys made of data cannot grow it without limit.
 */
const encodedKeys = new Map<string, Uint8Array>();
const MAX_ENCODED_KEYS = 1024;
const keyWriter = new Writer(256);

const MAX_ENCODED_KEY_LENGTH = 128;

function encodedKey(key: string): Uint8Array {
  let encoded = encodedKeys.get(key);
  if (encoded === undefined) {
    keyWriter.reset();
    keyWriter.tag(1, WIRE_LENGTH);
    keyWriter.string(key);
    encoded = keyWriter.result();
    if (encodedKeys.size < MAX_ENCODED_KEYS && key.length <= MAX_ENCODED_KEY_LENGTH) encodedKeys.set(key, encoded);
  }
  return encoded;
}

function writeKeyValue(w: Writer, key: string, value: EncodableValue): void {
  w.raw(encodedKey(key));
  w.tag(2, WIRE_LENGTH);
  const start = w.begin(1);
  writeAnyValue(w, value);
  w.end(start, 1);
}

function writeAttributes(w: Writer, attributes: Attributes, field: number): void {
  // biome-ignore lint/suspicious/noForIn: the SDK's own iteration (own keys, same order) without an array per object.
  for (const key in attributes) {
    if (!Object.hasOwn(attributes, key)) continue;
    w.tag(field, WIRE_LENGTH);
    const start = w.begin(1);
    writeKeyValue(w, key, attributes[key]);
    w.end(start, 1);
  }
}

function writeResource(w: Writer, resource: Resource): void {
  w.tag(1, WIRE_LENGTH);
  const start = w.begin(2);
  writeAttributes(w, resource.attributes, 1);
  w.tag(2, WIRE_VARINT);
  w.varint32(0);
  w.end(start, 2);
}

function writeScope(w: Writer, scope: Scope): void {
  w.tag(1, WIRE_LENGTH);
  const start = w.begin(1);
  w.tag(1, WIRE_LENGTH);
  w.string(scope.name);
  if (isSet(scope.version)) {
    w.tag(2, WIRE_LENGTH);
    w.string(scope.version);
  }
  if (scope.attributes !== undefined) writeAttributes(w, scope.attributes, 3);
  if (isNonZero(scope.droppedAttributesCount)) {
    w.tag(4, WIRE_VARINT);
    w.varint64(scope.droppedAttributesCount);
  }
  w.end(start, 1);
}

/** JavaScript truthiness, as the SDK tests `isRemote` (a caller outside TypeScript may pass 1 or ''). */
function truthy(value: unknown): boolean {
  return Boolean(value);
}

function spanFlags(traceFlags: number, parentIsRemote: boolean | undefined): number {
  return (traceFlags & 0xff) | FLAG_HAS_IS_REMOTE | (truthy(parentIsRemote) ? FLAG_IS_REMOTE : 0);
}

function writeSpan(w: Writer, span: ReadableSpan): void {
  const context = span.spanContext();
  // The type says SpanContext or undefined; a null (hand-built spans) is read as absent, as the SDK does.
  const parent = (span.parentSpanContext as SpanContext | null | undefined) ?? undefined;
  w.tag(1, WIRE_LENGTH);
  w.hexId(context.traceId);
  w.tag(2, WIRE_LENGTH);
  w.hexId(context.spanId);
  const traceState = context.traceState?.serialize();
  if (isSet(traceState)) {
    w.tag(3, WIRE_LENGTH);
    w.string(traceState);
  }
  if (parent !== undefined && isSet(parent.spanId)) {
    w.tag(4, WIRE_LENGTH);
    w.hexId(parent.spanId);
  }
  w.tag(5, WIRE_LENGTH);
  w.string(span.name);
  // SpanKind in the API starts at INTERNAL = 0; in the proto 0 is UNSPECIFIED.
  const apiKind = span.kind as SpanKind | null | undefined;
  const kind = apiKind === undefined || apiKind === null ? 0 : apiKind + 1;
  if (kind !== 0) {
    w.tag(6, WIRE_VARINT);
    w.varint64(kind);
  }
  w.tag(7, WIRE_FIXED64);
  w.hrTime(span.startTime);
  w.tag(8, WIRE_FIXED64);
  w.hrTime(span.endTime);
  writeAttributes(w, span.attributes, 9);
  w.tag(10, WIRE_VARINT);
  w.varint64(span.droppedAttributesCount);
  for (const event of span.events) {
    w.tag(11, WIRE_LENGTH);
    const start = w.begin(1);
    w.tag(1, WIRE_FIXED64);
    w.hrTime(event.time);
    w.tag(2, WIRE_LENGTH);
    w.string(event.name);
    if (event.attributes !== undefined) writeAttributes(w, event.attributes, 3);
    w.tag(4, WIRE_VARINT);
    w.varint64(event.droppedAttributesCount ?? 0);
    w.end(start, 1);
  }
  w.tag(12, WIRE_VARINT);
  w.varint64(span.droppedEventsCount);
  for (const link of span.links) {
    w.tag(13, WIRE_LENGTH);
    const start = w.begin(1);
    const linked = link.context;
    w.tag(1, WIRE_LENGTH);
    w.hexId(linked.traceId);
    w.tag(2, WIRE_LENGTH);
    w.hexId(linked.spanId);
    const linkedState = linked.traceState?.serialize();
    if (isSet(linkedState)) {
      w.tag(3, WIRE_LENGTH);
      w.string(linkedState);
    }
    if (link.attributes !== undefined) writeAttributes(w, link.attributes, 4);
    w.tag(5, WIRE_VARINT);
    w.varint64(link.droppedAttributesCount ?? 0);
    w.tag(6, WIRE_FIXED32);
    w.fixed32(spanFlags(linked.traceFlags, linked.isRemote));
    w.end(start, 1);
  }
  w.tag(14, WIRE_VARINT);
  w.varint64(span.droppedLinksCount);
  w.tag(15, WIRE_LENGTH);
  const status = w.begin(1);
  if (isSet(span.status.message)) {
    w.tag(2, WIRE_LENGTH);
    w.string(span.status.message);
  }
  w.tag(3, WIRE_VARINT);
  w.varint64(span.status.code);
  w.end(status, 1);
  w.tag(16, WIRE_FIXED32);
  w.fixed32(spanFlags(context.traceFlags, parent?.isRemote));
}

function writeLogRecord(w: Writer, record: ReadableLogRecord): void {
  const context: SpanContext | undefined = record.spanContext;
  w.tag(1, WIRE_FIXED64);
  w.hrTime(record.hrTime);
  if (record.severityNumber !== undefined && record.severityNumber !== SEVERITY_UNSPECIFIED) {
    w.tag(2, WIRE_VARINT);
    w.varint64(record.severityNumber);
  }
  if (isSet(record.severityText)) {
    w.tag(3, WIRE_LENGTH);
    w.string(record.severityText);
  }
  if (record.body !== undefined) {
    w.tag(5, WIRE_LENGTH);
    const start = w.begin(1);
    writeAnyValue(w, record.body as EncodableValue);
    w.end(start, 1);
  }
  writeAttributes(w, record.attributes, 6);
  w.tag(7, WIRE_VARINT);
  w.varint64(record.droppedAttributesCount);
  if (context !== undefined && isNonZero(context.traceFlags)) {
    w.tag(8, WIRE_FIXED32);
    w.fixed32(context.traceFlags);
  }
  if (context !== undefined && isSet(context.traceId)) {
    w.tag(9, WIRE_LENGTH);
    w.hexId(context.traceId);
  }
  if (context !== undefined && isSet(context.spanId)) {
    w.tag(10, WIRE_LENGTH);
    w.hexId(context.spanId);
  }
  w.tag(11, WIRE_FIXED64);
  w.hrTime(record.hrTimeObserved);
  if (isSet(record.eventName)) {
    w.tag(12, WIRE_LENGTH);
    w.string(record.eventName);
  }
}

interface Item {
  readonly resource: Resource;
  readonly instrumentationScope: Scope;
}

/** Items by resource, then by scope, both by identity and in first-seen order (as the SDK groups them). */
function grouped<T extends Item>(items: readonly T[]): Map<Resource, Map<Scope, T[]>> {
  const resources = new Map<Resource, Map<Scope, T[]>>();
  for (const item of items) {
    let scopes = resources.get(item.resource);
    if (scopes === undefined) {
      scopes = new Map();
      resources.set(item.resource, scopes);
    }
    const list = scopes.get(item.instrumentationScope);
    if (list === undefined) scopes.set(item.instrumentationScope, [item]);
    else list.push(item);
  }
  return resources;
}

/**
 * Export{Trace,Logs}ServiceRequest: repeated Resource{Spans,Logs} (1) { resource (1), repeated
 * Scope{Spans,Logs} (2) { scope (1), repeated items (2), schema_url (3) }, schema_url (3) }.
 * Items are reserved 2 length bytes (a span is 150-600 bytes), the outer messages 3 (up to 2 MiB).
 */
function encodeRequest<T extends Item>(w: Writer, items: readonly T[], writeItem: (w: Writer, item: T) => void): Uint8Array {
  w.reset();
  for (const [resource, scopes] of grouped(items)) {
    w.tag(1, WIRE_LENGTH);
    const resourceStart = w.begin(3);
    writeResource(w, resource);
    for (const [scope, list] of scopes) {
      w.tag(2, WIRE_LENGTH);
      const scopeStart = w.begin(3);
      writeScope(w, scope);
      for (const item of list) {
        w.tag(2, WIRE_LENGTH);
        const itemStart = w.begin(2);
        writeItem(w, item);
        w.end(itemStart, 2);
      }
      if (isSet(scope.schemaUrl)) {
        w.tag(3, WIRE_LENGTH);
        w.string(scope.schemaUrl);
      }
      w.end(scopeStart, 3);
    }
    if (isSet(resource.schemaUrl)) {
      w.tag(3, WIRE_LENGTH);
      w.string(resource.schemaUrl);
    }
    w.end(resourceStart, 3);
  }
  return w.result();
}

// 64 KiB to start: a batch of 512 request spans is ~250 KiB, so the first full batch grows it once.
const traceWriter = new Writer(64 * 1024);
const logsWriter = new Writer(64 * 1024);

/** ExportTraceServiceRequest for these spans, as ProtobufTraceSerializer.serializeRequest writes it. */
export function encodeTraceRequest(spans: readonly ReadableSpan[]): Uint8Array {
  return encodeRequest(traceWriter, spans, writeSpan);
}

/** ExportLogsServiceRequest for these records, as ProtobufLogsSerializer.serializeRequest writes it. */
export function encodeLogsRequest(records: readonly ReadableLogRecord[]): Uint8Array {
  return encodeRequest(logsWriter, records, writeLogRecord);
}
