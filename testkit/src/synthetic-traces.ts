import { newSpanId, newXrayCompatibleTraceId } from './trace-ids.ts';

/**
 * Hand-made traces with chosen shapes (a root and its children, an error span, a chosen duration),
 * sent as OTLP/HTTP JSON: what a sampling test needs to know exactly which trace should be kept.
 */
export interface SyntheticSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly name: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly error: boolean;
}

export interface SyntheticTrace {
  readonly traceId: string;
  /** The root first, then its children. */
  readonly spans: readonly SyntheticSpan[];
}

export interface TraceShape {
  /** Children under the root (default 2). */
  readonly children?: number;
  /** The root's duration (default 40 ms); the children fit inside it. */
  readonly durationMs?: number;
  /** One child ends in status ERROR. */
  readonly error?: boolean;
  /** Root span name (default `GET /api/activities/home`). */
  readonly name?: string;
  /** When the root ended (default now). */
  readonly endMs?: number;
}

export function syntheticTrace(shape: TraceShape = {}): SyntheticTrace {
  const endMs = shape.endMs ?? Date.now();
  const durationMs = shape.durationMs ?? 40;
  const startMs = endMs - durationMs;
  const traceId = newXrayCompatibleTraceId(startMs);
  const rootId = newSpanId();
  const root: SyntheticSpan = {
    traceId,
    spanId: rootId,
    parentSpanId: '',
    name: shape.name ?? 'GET /api/activities/home',
    startMs,
    endMs,
    error: false,
  };
  const n = shape.children ?? 2;
  const children = Array.from({ length: n }, (_, i): SyntheticSpan => {
    const slot = durationMs / (n + 1);
    return {
      traceId,
      spanId: newSpanId(),
      parentSpanId: rootId,
      name: `store.query ${String(i)}`,
      startMs: startMs + slot * i + 1,
      endMs: startMs + slot * (i + 1),
      error: shape.error === true && i === n - 1,
    };
  });
  return { traceId, spans: [root, ...children] };
}

const nanos = (ms: number): string => (BigInt(Math.round(ms * 1000)) * 1000n).toString();

/** One ExportTraceServiceRequest in OTLP/JSON (hex ids, as the OTLP/HTTP JSON encoding wants). */
export function otlpJson(spans: readonly SyntheticSpan[], serviceName = 'cruddur-backend'): string {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: serviceName } }] },
        scopeSpans: [
          {
            scope: { name: 'cruddur.synthetic' },
            spans: spans.map((s) => ({
              traceId: s.traceId,
              spanId: s.spanId,
              ...(s.parentSpanId === '' ? {} : { parentSpanId: s.parentSpanId }),
              name: s.name,
              kind: s.parentSpanId === '' ? 2 : 1,
              startTimeUnixNano: nanos(s.startMs),
              endTimeUnixNano: nanos(s.endMs),
              attributes: [{ key: 'app.synthetic', value: { boolValue: true } }],
              status: s.error ? { code: 2, message: 'synthetic failure' } : { code: 0 },
            })),
          },
        ],
      },
    ],
  });
}

/** POSTs spans to an OTLP/HTTP endpoint (`http://host:port`); throws on a non-2xx answer. */
export const postSpans = (otlpHttpUrl: string, spans: readonly SyntheticSpan[], serviceName?: string): Promise<void> =>
  postOtlp(`${otlpHttpUrl}/v1/traces`, otlpJson(spans, serviceName));

async function postOtlp(url: string, body: string): Promise<void> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  if (!response.ok) throw new Error(`OTLP/HTTP ${url} answered ${String(response.status)}: ${await response.text()}`);
}

/** A log record correlated with a span, as the app's access log writes one per request. */
export interface SyntheticLog {
  readonly traceId: string;
  readonly spanId: string;
  readonly body: string;
  readonly severityText: 'INFO' | 'ERROR';
}

/** One log record per span of the trace, its body naming the span (an access-log line's shape). */
export const logsOf = (trace: SyntheticTrace): SyntheticLog[] =>
  trace.spans.map((s) => ({ traceId: s.traceId, spanId: s.spanId, body: `synthetic ${s.name}`, severityText: s.error ? 'ERROR' : 'INFO' }));

/** One ExportLogsServiceRequest in OTLP/JSON. */
export function otlpLogsJson(records: readonly SyntheticLog[], serviceName = 'cruddur-backend'): string {
  const now = nanos(Date.now());
  return JSON.stringify({
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: serviceName } }] },
        scopeLogs: [
          {
            scope: { name: 'cruddur.synthetic' },
            logRecords: records.map((r) => ({
              timeUnixNano: now,
              observedTimeUnixNano: now,
              severityNumber: r.severityText === 'ERROR' ? 17 : 9,
              severityText: r.severityText,
              body: { stringValue: r.body },
              attributes: [{ key: 'app.synthetic', value: { boolValue: true } }],
              traceId: r.traceId,
              spanId: r.spanId,
            })),
          },
        ],
      },
    ],
  });
}

/** POSTs log records to an OTLP/HTTP endpoint (`http://host:port`); throws on a non-2xx answer. */
export const postLogs = (otlpHttpUrl: string, records: readonly SyntheticLog[], serviceName?: string): Promise<void> =>
  postOtlp(`${otlpHttpUrl}/v1/logs`, otlpLogsJson(records, serviceName));
