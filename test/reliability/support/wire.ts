import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';

import { Client, credentials, type ServiceError } from '@grpc/grpc-js';

/*
 * Hand-made wire payloads for the malformed-input tests. A valid OTLP request is encoded by hand
 * (a few length-delimited fields) so that cutting it or corrupting it is byte-exact and does not
 * depend on an SDK's encoder.
 */

function varint(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  while (rest > 127) {
    bytes.push((rest & 127) | 128);
    rest >>>= 7;
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

/** A length-delimited protobuf field (wire type 2). */
function field(number: number, payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from([(number << 3) | 2]), varint(payload.length), payload]);
}

export interface ValidTraceRequest {
  readonly traceId: string;
  readonly spanName: string;
  readonly bytes: Buffer;
}

/** ExportTraceServiceRequest{resource_spans{scope_spans{spans{trace_id, span_id, name}}}}. */
export function validTraceRequest(spanName: string): ValidTraceRequest {
  const traceId = randomBytes(16);
  const span = Buffer.concat([field(1, traceId), field(2, randomBytes(8)), field(5, Buffer.from(spanName))]);
  return { traceId: traceId.toString('hex'), spanName, bytes: field(1, field(2, field(2, span))) };
}

/** Bytes that are not protobuf: field number 0 / wire type 7 at once, then text. */
export const GARBAGE = Buffer.concat([
  Buffer.from([0xff, 0xff, 0xff, 0xff]),
  Buffer.from('garbage, not protobuf'),
  Buffer.from([0x00, 0x01]),
]);

export const TRACES_METHOD = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
export const LOGS_METHOD = '/opentelemetry.proto.collector.logs.v1.LogsService/Export';

/** One unary gRPC call with raw bytes: resolves to the status code name's number and details. */
export async function grpcRaw(address: string, method: string, payload: Buffer): Promise<{ code: number; details: string }> {
  const client = new Client(address, credentials.createInsecure());
  try {
    return await new Promise((resolve) => {
      client.makeUnaryRequest(
        method,
        (b: Buffer) => b,
        (b: Buffer) => b,
        payload,
        { deadline: Date.now() + 10_000 },
        (error: ServiceError | null) => {
          resolve(error ? { code: error.code, details: error.details } : { code: 0, details: '' });
        },
      );
    });
  } finally {
    client.close();
  }
}

export async function sendUdp(port: number, payload: Buffer): Promise<void> {
  const socket = dgram.createSocket('udp4');
  try {
    await new Promise<void>((resolve, reject) => socket.send(payload, port, '127.0.0.1', (error) => (error ? reject(error) : resolve())));
  } finally {
    socket.close();
  }
}

export const XRAY_HEADER = '{"format":"json","version":1}\n';

/** A complete X-Ray segment as an X-Ray SDK sends it to the daemon. */
export function validSegment(name: string): { traceId: string; datagram: Buffer } {
  const now = Date.now() / 1000;
  const traceId = `1-${Math.floor(now).toString(16)}-${randomBytes(12).toString('hex')}`;
  const segment = { name, id: randomBytes(8).toString('hex'), trace_id: traceId, start_time: now - 0.05, end_time: now };
  return { traceId, datagram: Buffer.from(XRAY_HEADER + JSON.stringify(segment)) };
}

/** A fixed64 field (wire type 1), e.g. a span's start/end time in Unix nanoseconds. */
function fixed64(number: number, value: bigint): Buffer {
  const bytes = Buffer.alloc(9);
  bytes[0] = (number << 3) | 1;
  bytes.writeBigUInt64LE(value, 1);
  return bytes;
}

/** KeyValue{key, value: AnyValue{string_value}}. */
function stringAttribute(number: number, key: string, value: string): Buffer {
  return field(number, Buffer.concat([field(1, Buffer.from(key)), field(2, field(1, Buffer.from(value)))]));
}

export interface BulkTraceRequest {
  readonly spans: number;
  readonly bytes: Buffer;
}

/**
 * One large ExportTraceServiceRequest for overload tests: `spans` complete spans of one service,
 * each with a `payload` attribute of `attributeBytes` characters. Trace ids are X-Ray-valid (the
 * first four bytes are the current epoch second) so the awsxray exporter accepts them too.
 */
export function bulkTraceRequest(spans: number, attributeBytes: number): BulkTraceRequest {
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  const payload = 'x'.repeat(attributeBytes);
  const encoded: Buffer[] = [];
  for (let index = 0; index < spans; index++) {
    const traceId = Buffer.concat([Buffer.alloc(4), randomBytes(12)]);
    traceId.writeUInt32BE(Math.floor(Date.now() / 1000), 0);
    encoded.push(
      field(
        2,
        Buffer.concat([
          field(1, traceId),
          field(2, randomBytes(8)),
          field(5, Buffer.from('overload')),
          fixed64(7, nowNs - 5_000_000n),
          fixed64(8, nowNs),
          stringAttribute(9, 'payload', payload),
        ]),
      ),
    );
  }
  const resource = field(1, stringAttribute(1, 'service.name', 'overload-generator'));
  return { spans, bytes: field(1, Buffer.concat([resource, field(2, Buffer.concat(encoded))])) };
}
