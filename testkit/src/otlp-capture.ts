import { createRequire } from 'node:module';

import type * as GrpcModule from '@grpc/grpc-js';

const grpc = createRequire(import.meta.url)('@grpc/grpc-js') as typeof GrpcModule;

export interface OtlpExport {
  readonly signal: 'traces' | 'logs' | 'metrics';
  /** The raw ExportServiceRequest protobuf: strings appear verbatim, ids as raw bytes. */
  readonly payload: Buffer;
  readonly metadata: Record<string, unknown>;
}

export interface OtlpCapture {
  readonly endpoint: string;
  readonly exports: OtlpExport[];
  /** True once some export of `signal` contains every needle. */
  waitFor: (signal: OtlpExport['signal'], needles: Array<string | Buffer>, timeoutMs?: number) => Promise<OtlpExport>;
  close: () => Promise<void>;
}

const SERVICES = {
  traces: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
  logs: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
  metrics: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
} as const;

const identity = (buffer: Buffer): Buffer => buffer;

/**
 * A bare OTLP/gRPC endpoint that keeps the raw requests. It does not decode them: finding the
 * span name bytes and the 16 trace-id bytes in the payload is enough to prove what was sent,
 * without a protobuf schema in the test.
 */
export async function startOtlpCapture(): Promise<OtlpCapture> {
  const server = new grpc.Server();
  const exports: OtlpExport[] = [];
  for (const [signal, path] of Object.entries(SERVICES) as [OtlpExport['signal'], string][]) {
    server.addService(
      {
        Export: {
          path,
          requestStream: false,
          responseStream: false,
          requestSerialize: identity,
          requestDeserialize: identity,
          responseSerialize: identity,
          responseDeserialize: identity,
        },
      },
      {
        Export: (call: GrpcModule.ServerUnaryCall<Buffer, Buffer>, callback: GrpcModule.sendUnaryData<Buffer>) => {
          exports.push({ signal, payload: call.request, metadata: call.metadata.getMap() });
          // An empty message is a valid Export*ServiceResponse: full success.
          callback(null, Buffer.alloc(0));
        },
      },
    );
  }
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound)));
  });
  const contains = (entry: OtlpExport, needles: Array<string | Buffer>): boolean =>
    needles.every((needle) => entry.payload.includes(typeof needle === 'string' ? Buffer.from(needle, 'utf8') : needle));
  return {
    endpoint: `http://127.0.0.1:${port}`,
    exports,
    async waitFor(signal, needles, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (true) {
        const found = exports.find((entry) => entry.signal === signal && contains(entry, needles));
        if (found !== undefined) return found;
        if (Date.now() > deadline) {
          throw new Error(`no ${signal} export containing ${needles.map(String).join(', ')} (got ${exports.length} exports)`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
