import { createRequire } from 'node:module';
import { Writable } from 'node:stream';

import type { Resource } from '@opentelemetry/resources';
import type {
  InMemorySpanExporter as SpanExporter,
  Sampler,
  SimpleSpanProcessor as SpanProcessor,
  TraceIdRatioBasedSampler as RatioSampler,
} from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type * as ComposeModule from '../src/compose.ts';
import type * as ConfigModule from '../src/config.ts';
import type * as LoggerModule from '../src/logging/logger.ts';
import type * as SamplerModule from '../src/telemetry/sampler.ts';
import type * as SdkModule from '../src/telemetry/sdk.ts';
import { requireDist, requirePackage } from './support/dist.ts';
import { captureServer, listen, type CaptureServer, type Listening } from '@cruddur/testkit/http';
import { freePort } from '@cruddur/testkit/ports';
import { newXrayCompatibleTraceId, traceparent } from '@cruddur/testkit/trace-ids';

const requireResolve = (name: string): string => createRequire(import.meta.url).resolve(name);
const api = requirePackage<typeof import('@opentelemetry/api')>('@opentelemetry/api');
const { resourceFromAttributes } = requirePackage<{ resourceFromAttributes: (a: Record<string, string>) => Resource }>(
  '@opentelemetry/resources',
);
const { InMemorySpanExporter, SimpleSpanProcessor, TraceIdRatioBasedSampler, SamplingDecision } = requirePackage<{
  InMemorySpanExporter: typeof SpanExporter;
  SimpleSpanProcessor: typeof SpanProcessor;
  TraceIdRatioBasedSampler: typeof RatioSampler;
  SamplingDecision: { RECORD_AND_SAMPLED: number; NOT_RECORD: number };
}>('@opentelemetry/sdk-trace');
const { parseXRaySamplerArg, samplerFromEnvironment } = requireDist<typeof SamplerModule>('telemetry/sampler.js');

const resource = resourceFromAttributes({ 'service.name': 'cruddur-backend' });
const rule = (over: Record<string, unknown>) => ({
  SamplingRule: {
    RuleName: 'Cruddur',
    RuleARN: 'arn:aws:xray:us-east-1:0:sampling-rule/Cruddur',
    ResourceARN: '*',
    Priority: 9000,
    FixedRate: 0,
    ReservoirSize: 0,
    ServiceName: 'cruddur-backend',
    ServiceType: '*',
    Host: '*',
    HTTPMethod: '*',
    URLPath: '*',
    Version: 1,
    Attributes: {},
    ...over,
  },
});
const decide = (sampler: Sampler, traceId: string): boolean =>
  sampler.shouldSample(api.ROOT_CONTEXT, traceId, 'GET /', api.SpanKind.SERVER, {}, []).decision === SamplingDecision.RECORD_AND_SAMPLED;

describe('@opentelemetry/sampler-aws-xray on our SDK', () => {
  it('resolves the 3.x SDK the app runs (the root package.json override), not a second 2.x copy', () => {
    const fromSampler = createRequire(requireResolve('@opentelemetry/sampler-aws-xray'));
    // The app pins both at 3.0.0 (app/package.json); the sampler must load the very same files.
    for (const name of ['@opentelemetry/sdk-trace', '@opentelemetry/core', '@opentelemetry/resources']) {
      expect(fromSampler.resolve(name), name).toBe(requireResolve(name));
    }
  });
});

describe('OTEL_TRACES_SAMPLER_ARG for xray (ADOT form)', () => {
  it('defaults to the collector proxy on localhost:2000 and rules every 300 s', () => {
    expect(parseXRaySamplerArg(undefined)).toEqual({ endpoint: 'http://localhost:2000', pollingIntervalS: 300 });
    expect(parseXRaySamplerArg(' endpoint=http://otel-collector:2000/ , polling_interval=10')).toEqual({
      endpoint: 'http://otel-collector:2000',
      pollingIntervalS: 10,
    });
  });

  it('refuses a typo, a bad URL or an interval the sampler would silently replace, naming each', () => {
    expect(() => parseXRaySamplerArg('endpont=http://x:2000')).toThrow(
      /"endpont" is not one of endpoint=<url>, polling_interval=<seconds>/,
    );
    expect(() => parseXRaySamplerArg('endpoint=localhost:2000')).toThrow(/endpoint: must be an http\(s\) URL/);
    expect(() => parseXRaySamplerArg('polling_interval=5')).toThrow(/polling_interval: must be at least 10 seconds/);
    expect(() => parseXRaySamplerArg('polling_interval=1.5')).toThrow(/polling_interval: must be a whole number/);
  });

  it('leaves every other sampler name to NodeSDK', () => {
    expect(samplerFromEnvironment({}, resource)).toBeUndefined();
    expect(samplerFromEnvironment({ OTEL_TRACES_SAMPLER: 'parentbased_always_on' }, resource)).toBeUndefined();
  });
});

describe('endpoint unreachable', () => {
  it('samples by the local fallback, 1 per second plus 5 % by trace id, deciding without waiting', async () => {
    const closed = await freePort();
    const chosen = samplerFromEnvironment(
      { OTEL_TRACES_SAMPLER: 'xray', OTEL_TRACES_SAMPLER_ARG: `endpoint=http://127.0.0.1:${String(closed)}` },
      resource,
    );
    if (chosen === undefined) throw new Error('no sampler');
    const ids = Array.from({ length: 400 }, () => newXrayCompatibleTraceId());
    // The sampler's rate limiter starts empty and holds one second's credit: let it fill.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const started = performance.now();
    const decisions = ids.map((id) => decide(chosen.sampler, id));
    const elapsedMs = performance.now() - started;
    chosen.stop();
    // Within one second: the first request takes the 1/s reservoir; every other is the 5 % ratio.
    const ratio = new TraceIdRatioBasedSampler(0.05);
    const expected =
      1 + ids.slice(1).filter((id) => ratio.shouldSample(api.ROOT_CONTEXT, id).decision === SamplingDecision.RECORD_AND_SAMPLED).length;
    expect(decisions[0]).toBe(true);
    expect(decisions.filter(Boolean).length).toBe(expected);
    expect(expected).toBeGreaterThan(5); // 5 % of 399 is ~20; the trace ids are random, never 0
    expect(elapsedMs).toBeLessThan(1000);
  });
});

describe('the app with OTEL_TRACES_SAMPLER=xray', () => {
  const spans = new InMemorySpanExporter();
  const stdout: string[] = [];
  let endpoint: CaptureServer;
  let sdk: { start: () => void; shutdown: () => Promise<void> };
  let service: Listening;

  beforeAll(async () => {
    // A rule that samples nothing for this service, so any sampled span is the parent's doing.
    endpoint = await captureServer((request) =>
      request.path === '/GetSamplingRules'
        ? { body: { SamplingRuleRecords: [rule({})] } }
        : { body: { SamplingTargetDocuments: [], LastRuleModification: 0, UnprocessedStatistics: [] } },
    );
    const { createTelemetrySdk } = requireDist<typeof SdkModule>('telemetry/sdk.js');
    sdk = createTelemetrySdk({
      serviceVersion: 'test',
      deploymentEnvironment: 'test',
      serviceInstanceId: 'sampler-test',
      spanProcessors: [new SimpleSpanProcessor({ exporter: spans })],
      logRecordProcessors: [],
      environment: { OTEL_TRACES_SAMPLER: 'xray', OTEL_TRACES_SAMPLER_ARG: `endpoint=${endpoint.url},polling_interval=60` },
    });
    sdk.start();
    await endpoint.waitFor(1);
    const { createService } = requireDist<typeof ComposeModule>('compose.js');
    const { parseConfig } = requireDist<typeof ConfigModule>('config.js');
    const { createLogger } = requireDist<typeof LoggerModule>('logging/logger.js');
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        stdout.push(chunk.toString('utf8'));
        callback();
      },
    });
    service = (await listen(
      createService({ config: parseConfig({}), logger: createLogger({ level: 'info', destination }) }).app,
    )) as Listening;
    // The rules answer is applied when its response ends; give it a moment after the request arrived.
    await new Promise((resolve) => setTimeout(resolve, 200));
  });

  afterAll(async () => {
    await service?.close();
    await sdk?.shutdown();
    await endpoint?.close();
  });

  const accessLine = (traceId: string): Record<string, unknown> | undefined =>
    stdout.map((chunk) => JSON.parse(chunk) as Record<string, unknown>).find((e) => e.trace_id === traceId && e['log.type'] === 'access');

  it('asked the endpoint for rules with the sampler API the collector proxy relays', () => {
    expect(endpoint.requests[0]).toMatchObject({ method: 'POST', path: '/GetSamplingRules' });
  });

  it('drops a new trace the rule does not sample, yet logs the request with its trace id and sampled=false', async () => {
    const response = await fetch(`${service.url}/api/activities/home`);
    await response.arrayBuffer();
    expect(response.status).toBe(200);
    // The app names the trace in Server-Timing even when it is not sampled.
    const traceId = /00-([0-9a-f]{32})-[0-9a-f]{16}-00/.exec(response.headers.get('server-timing') ?? '')?.[1];
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(spans.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId)).toEqual([]);
    expect(accessLine(String(traceId))).toMatchObject({ 'trace.sampled': false, trace_flags: '00', 'url.path': '/api/activities/home' });
  });

  it("keeps a sampled caller's trace whole (parent-based) and logs sampled=true", async () => {
    const traceId = newXrayCompatibleTraceId();
    await (await fetch(`${service.url}/api/activities/home`, { headers: { traceparent: traceparent(traceId) } })).arrayBuffer();
    const names = spans
      .getFinishedSpans()
      .filter((s) => s.spanContext().traceId === traceId)
      .map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['GET /api/activities/home', 'home-activities-mock-data']));
    expect(accessLine(traceId)).toMatchObject({ 'trace.sampled': true, trace_flags: '01' });
  });

  it('samples a new trace by the rule: with FixedRate 0 and no reservoir, none of 20', async () => {
    const before = spans.getFinishedSpans().length;
    for (let i = 0; i < 20; i += 1) await (await fetch(`${service.url}/api/activities/home`)).arrayBuffer();
    expect(spans.getFinishedSpans().length).toBe(before);
    const unsampled = stdout
      .map((c) => JSON.parse(c) as Record<string, unknown>)
      .filter((e) => e['log.type'] === 'access' && e['trace.sampled'] === false);
    expect(unsampled.length).toBeGreaterThanOrEqual(21);
  });
});
