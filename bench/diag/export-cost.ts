/**
 * Diagnostic (not part of `make bench`): what one OTLP trace export costs the app's event loop,
 * outside the app. Spans shaped like the app's request span (same attribute set, X-Ray ids,
 * renamed by route) are made with the SDK, then, for the SDK's and the app's own (app/dist,
 * telemetry/otlp-exporters.ts, built by `make build`) side by side:
 *   1. serialised alone, 400 at a time (the batch a 200 ms delay collects at 1,000 req/s x 2
 *      spans), fresh spans for every batch;
 *   2. exported over gRPC to the pass-through collector, at several batch sizes (the same 512
 *      spans sliced, sent again and again): CPU per call and per span, and how long the call
 *      blocks the caller.
 * It separates the serialiser's own cost from the app's (GC, cache) when the stall diagnostic
 * sees a trace export block the loop for milliseconds.
 *
 *   taskset -c 0 node bench/diag/export-cost.ts      (make bench-export-cost)
 *
 * The pass-through collector is started first and inherits CPU 0; this process then moves itself
 * to CPU 1, so both measurements are one core's and the collector never preempts what is timed.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { ExportResultCode } from '@opentelemetry/core';
import { AWSXRayIdGenerator } from '@opentelemetry/id-generator-aws-xray';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';

import { type PassThroughCollector, startPassThroughCollector } from '../app-overhead/pass-through.ts';
import { repoRoot } from '@cruddur/testkit/paths';
import { OUT_DIR } from '../lib/paths.ts';

interface SpanExporterLike {
  export: (spans: ReadableSpan[], done: (result: { code: ExportResultCode; error?: Error }) => void) => void;
  shutdown: () => Promise<void>;
}

// The app's compiled modules, loaded as the app loads them (CommonJS, its own package copies).
const appRequire = createRequire(path.join(repoRoot, 'app', 'dist', 'src', 'telemetry', 'sdk.js'));
const appEncoding = appRequire('./otlp-encoding.js') as { encodeTraceRequest: (spans: readonly ReadableSpan[]) => Uint8Array };
const appExporters = appRequire('./otlp-exporters.js') as { OtlpGrpcSpanExporter: new (config: { url: string }) => SpanExporterLike };

const SERIALISERS: Record<string, (spans: ReadableSpan[]) => Uint8Array | undefined> = {
  sdk: (spans) => ProtobufTraceSerializer.serializeRequest(spans),
  app: (spans) => appEncoding.encodeTraceRequest(spans),
};
const EXPORTERS: Record<string, (url: string) => SpanExporterLike> = {
  sdk: (url) => new OTLPTraceExporter({ url }),
  app: (url) => new appExporters.OtlpGrpcSpanExporter({ url }),
};

const SERIALISED_BATCH = 400;
const EXPORT_BATCH_SIZES = [1, 8, 64, 256, 512];

const memory = new InMemorySpanExporter();
const provider = new TracerProvider({
  idGenerator: new AWSXRayIdGenerator(),
  spanProcessors: [new SimpleSpanProcessor({ exporter: memory })],
});
const tracer = provider.getTracer('@opentelemetry/instrumentation-http');
let made = 0;

/** `count` ended spans with the attributes the HTTP instrumentation and the app give a GET. */
async function requestSpans(count: number): Promise<ReadableSpan[]> {
  memory.reset();
  for (let i = 0; i < count; i++) {
    made++;
    // Strings cut from a URL at run time, as the instrumentation's come from req.url: not literals.
    const url = `/api/activities/home?page=${String(made % 7)}`;
    const urlPath = url.slice(0, url.indexOf('?'));
    const span = tracer.startSpan('GET', {
      attributes: {
        'http.request.method': 'GET',
        'url.scheme': 'http',
        'url.path': urlPath,
        'url.query': url.slice(url.indexOf('?') + 1),
        'server.address': '127.0.0.1',
        'server.port': 4567,
        'user_agent.original': 'autocannon',
        'network.peer.address': '::ffff:127.0.0.1',
        'network.peer.port': 40_000 + (made % 20_000),
        'client.address': '::ffff:127.0.0.1',
        'network.protocol.version': '1.1',
      },
    });
    span.setAttributes({ 'http.response.status_code': 200, 'http.route': urlPath, 'app.user_handle': 'worf', 'enduser.id': 'worf' });
    span.updateName(`GET ${urlPath}`);
    span.end();
  }
  await provider.forceFlush();
  const spans = memory.getFinishedSpans().slice();
  if (spans.length !== count) throw new Error(`made ${String(spans.length)} spans, wanted ${String(count)}`);
  return spans;
}

async function serialiserAlone(name: string, serialise: (spans: ReadableSpan[]) => Uint8Array | undefined): Promise<void> {
  const rounds = 300;
  for (let i = 0; i < 100; i++) serialise(await requestSpans(SERIALISED_BATCH));
  let nanos = 0n;
  let bytes = 0;
  for (let i = 0; i < rounds; i++) {
    const batch = await requestSpans(SERIALISED_BATCH);
    const started = process.hrtime.bigint();
    bytes += serialise(batch)?.length ?? 0;
    // biome-ignore lint/nursery/noUnsafePlusOperands: both sides are bigint (hrtime.bigint() minus a bigint); Biome infers number.
    nanos += process.hrtime.bigint() - started;
  }
  const perBatchMs = Number(nanos) / 1e6 / rounds;
  console.log(
    `${name} serialiser alone: ${((perBatchMs * 1000) / SERIALISED_BATCH).toFixed(2)} µs/span, ${perBatchMs.toFixed(2)} ms per ${String(SERIALISED_BATCH)}-span request (${String(Math.round(bytes / rounds / SERIALISED_BATCH))} bytes/span)`,
  );
}

async function grpcExport(name: string, passThrough: PassThroughCollector): Promise<void> {
  const exporter = EXPORTERS[name]?.(passThrough.otlpEndpoint);
  if (exporter === undefined) throw new Error(`no exporter ${name}`);
  const exportOnce = (batch: ReadableSpan[]): Promise<number> =>
    new Promise((resolve, reject) => {
      const started = process.hrtime.bigint();
      let blockedUs = 0;
      exporter.export(batch, (result) =>
        result.code === ExportResultCode.SUCCESS ? resolve(blockedUs) : reject(result.error ?? new Error('export failed')),
      );
      blockedUs = Number(process.hrtime.bigint() - started) / 1000;
    });
  try {
    const spans = await requestSpans(Math.max(...EXPORT_BATCH_SIZES));
    for (let i = 0; i < 200; i++) await exportOnce(spans.slice(0, 64));
    for (const size of EXPORT_BATCH_SIZES) {
      const batch = spans.slice(0, size);
      const rounds = Math.max(40, Math.round(6000 / size));
      const blocked: number[] = [];
      const cpuBefore = process.cpuUsage();
      for (let i = 0; i < rounds; i++) blocked.push(await exportOnce(batch));
      const cpu = process.cpuUsage(cpuBefore);
      blocked.sort((a, b) => a - b);
      const perCall = (cpu.user + cpu.system) / rounds;
      console.log(
        `${name} gRPC export of ${String(size).padStart(3)} spans: ${perCall.toFixed(0).padStart(5)} µs CPU per call, ${(perCall / size).toFixed(1).padStart(6)} µs per span, caller blocked p50 ${(blocked[Math.floor(rounds / 2)] ?? 0).toFixed(0)} µs`,
      );
    }
  } finally {
    await exporter.shutdown();
  }
}

mkdirSync(OUT_DIR, { recursive: true });
const collectorLog = openSync(path.join(OUT_DIR, 'export-cost-collector.log'), 'w');
const collector = await startPassThroughCollector(collectorLog);
try {
  execFileSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
  for (const [name, serialise] of Object.entries(SERIALISERS)) await serialiserAlone(name, serialise);
  for (const name of Object.keys(EXPORTERS)) await grpcExport(name, collector);
} finally {
  await collector.stop();
  closeSync(collectorLog);
}
