/**
 * `make traces`: the recent traces as the stand-ins hold them. For each trace: a terminal
 * waterfall of its spans (Honeycomb's view; the browser's spans marked), the network gap of each
 * browser fetch (its time outside the server span), the X-Ray segment and subsegments, the
 * CloudWatch log events and the Rollbar items that carry the same trace id; with a profile that
 * sends over the AWS OTLP endpoints (COLLECTOR_PROFILE=stack-aws-otlp make up), also the spans
 * and log records the X-Ray and CloudWatch Logs OTLP stand-in accepted.
 *
 *   node tools/traces.ts [--last N] [--trace TRACE_ID]
 */
import { parseArgs } from 'node:util';

import {
  honeycombReport,
  logGroupEvents,
  networkGaps,
  otlpReport,
  rollbarItems,
  xrayDocuments,
  type AwsAccess,
  type CwLogEvent,
  type OtlpReport,
  type ReceivedLog,
  type ReceivedSpan,
  type RollbarItemRecord,
  type SegmentDoc,
} from '@cruddur/testkit/backends';

const env = process.env;
const honeycombUrl = env.HONEYCOMB_REPORT_URL ?? `http://127.0.0.1:${env.HONEYCOMB_STANDIN_PORT ?? '14318'}`;
const awsOtlpUrl = env.AWS_OTLP_REPORT_URL ?? `http://127.0.0.1:${env.AWS_OTLP_STANDIN_PORT ?? '14328'}`;
const rollbarUrl = env.ROLLBAR_REPORT_URL ?? `http://127.0.0.1:${env.ROLLBAR_STANDIN_PORT ?? '18080'}`;
const aws: AwsAccess = {
  endpoint: env.AWS_STANDIN_URL ?? `http://127.0.0.1:${env.MOTO_PORT ?? '5000'}`,
  region: env.AWS_REGION ?? 'us-east-1',
  accessKeyId: 'standin',
  secretAccessKey: 'standin',
};
const logGroup = env.CLOUDWATCH_LOG_GROUP ?? 'cruddur';
const BAR_WIDTH = 32;
const BACKEND_SERVICE = env.OTEL_SERVICE_NAME ?? 'cruddur-backend';

const { values: options } = parseArgs({
  options: { last: { type: 'string', default: '8' }, trace: { type: 'string' } },
});

function durationMs(span: ReceivedSpan): number {
  return ((span.endTimeUnixNano ?? 0) - (span.startTimeUnixNano ?? 0)) / 1e6;
}

function bar(span: ReceivedSpan, start: number, total: number): string {
  const from = Math.floor((((span.startTimeUnixNano ?? start) - start) / total) * BAR_WIDTH);
  const to = Math.max(from + 1, Math.ceil((((span.endTimeUnixNano ?? start) - start) / total) * BAR_WIDTH));
  return '·'.repeat(from) + '█'.repeat(Math.min(to, BAR_WIDTH) - from) + '·'.repeat(Math.max(0, BAR_WIDTH - to));
}

const SHOWN_ATTRIBUTES = [
  'http.response.status_code',
  'app.user_handle',
  'app.result_length',
  'results-size',
  'app.error_key',
  'http.status_code',
];

function highlights(attributes: Record<string, unknown>): string {
  return SHOWN_ATTRIBUTES.filter((key) => attributes[key] !== undefined)
    .map((key) => `${key}=${String(attributes[key])}`)
    .join(' ');
}

/** The backend's spans are unmarked; another service's (the browser's) name follows the span's. */
function serviceMark(span: ReceivedSpan): string {
  const service = span.resource['service.name'];
  return typeof service === 'string' && service !== BACKEND_SERVICE ? ` [${service}]` : '';
}

function printGaps(spans: ReceivedSpan[]): void {
  for (const gap of networkGaps(spans)) {
    console.log(
      `   network    ${gap.client.name} → ${gap.server.name}: ${gap.totalMs.toFixed(2)} ms outside the server span (${gap.beforeMs.toFixed(2)} ms before it, ${gap.afterMs.toFixed(2)} ms after)`,
    );
  }
}

function printWaterfall(spans: ReceivedSpan[]): void {
  const start = Math.min(...spans.map((span) => span.startTimeUnixNano ?? 0));
  const end = Math.max(...spans.map((span) => span.endTimeUnixNano ?? 0));
  const total = Math.max(1, end - start);
  const ids = new Set(spans.map((span) => span.spanId));
  const children = new Map<string, ReceivedSpan[]>();
  for (const span of spans) {
    const parent = ids.has(span.parentSpanId) ? span.parentSpanId : '';
    children.set(parent, [...(children.get(parent) ?? []), span]);
  }
  const walk = (parent: string, depth: number): void => {
    const level = (children.get(parent) ?? []).sort((a, b) => (a.startTimeUnixNano ?? 0) - (b.startTimeUnixNano ?? 0));
    for (const span of level) {
      const label = `${'  '.repeat(depth)}${span.name}${serviceMark(span)}`.slice(0, 40).padEnd(40);
      const time = `${durationMs(span).toFixed(2).padStart(8)} ms`;
      console.log(`   ${label} ${bar(span, start, total)} ${time}  ${highlights(span.attributes)}`);
      walk(span.spanId, depth + 1);
    }
  };
  walk('', 0);
}

function printXray(documents: SegmentDoc[]): void {
  if (documents.length === 0) {
    console.log('   X-Ray      (no segment)');
    return;
  }
  for (const doc of documents) {
    const flags = [doc.fault === true ? 'fault' : '', doc.error === true ? 'error' : '', doc.throttle === true ? 'throttle' : '']
      .filter((flag) => flag !== '')
      .join(',');
    const status = doc.http?.response?.status;
    const annotations = Object.entries(doc.annotations ?? {})
      .map(([key, value]) => `${key}=${String(value)}`)
      .join(' ');
    const kind = doc.type === 'subsegment' ? 'subsegment' : 'segment';
    const ms =
      doc.start_time !== undefined && doc.end_time !== undefined ? `${((doc.end_time - doc.start_time) * 1000).toFixed(2)} ms` : '';
    console.log(
      `   X-Ray      ${kind} ${doc.name}  ${ms}${doc.user === undefined || doc.user === '' ? '' : `  user=${doc.user}`}${status === undefined ? '' : `  http ${String(status)}`}${flags === '' ? '' : `  [${flags}]`}${annotations === '' ? '' : `  annotations: ${annotations}`}`,
    );
    for (const sub of doc.subsegments ?? []) console.log(`                └ subsegment ${sub.name}`);
  }
}

function printLogs(events: CwLogEvent[]): void {
  if (events.length === 0) console.log('   CloudWatch (no log event)');
  for (const event of events) {
    const time = new Date(event.timestamp).toISOString().slice(11, 23);
    console.log(`   CloudWatch ${time} ${(event.message.severity_text ?? '').padEnd(5)} ${String(event.message.body ?? '')}`);
  }
}

/** What the X-Ray OTLP endpoint stores is the spans themselves: the same ids, names and attributes. */
function printAwsOtlp(spans: ReceivedSpan[], logs: ReceivedLog[]): void {
  const kinds = spans.map((span) => `${span.kind} ${span.name}`).join(', ');
  console.log(`   X-Ray OTLP ${spans.length === 0 ? '(no span)' : `${String(spans.length)} spans: ${kinds}`}`);
  if (logs.length === 0) console.log('   CW OTLP    (no log record)');
  for (const log of logs) {
    console.log(
      `   CW OTLP    ${(log.severityText ?? '').padEnd(5)} ${String(log.body ?? '')}  [${log.logGroup ?? '?'} / ${log.logStream ?? '?'}]`,
    );
  }
}

function printRollbar(items: RollbarItemRecord[]): void {
  if (items.length === 0) console.log('   Rollbar    (no item)');
  for (const item of items) {
    const what = item.data.body.message?.body ?? item.data.body.trace_chain?.[0]?.exception?.message ?? item.title ?? '';
    console.log(`   Rollbar    ${item.level.padEnd(7)} ${what}  person=${item.data.person?.id ?? '-'}`);
  }
}

async function main(): Promise<void> {
  const [report, events, items, awsOtlp] = await Promise.all([
    honeycombReport(honeycombUrl),
    logGroupEvents(aws, logGroup),
    rollbarItems(rollbarUrl),
    // Runs only with a profile that sends over the AWS OTLP endpoints: absent is not an error.
    otlpReport(awsOtlpUrl, 'AWS OTLP stand-in').catch((): OtlpReport | undefined => undefined),
  ]);
  const byTrace = new Map<string, ReceivedSpan[]>();
  for (const span of report.spans) byTrace.set(span.traceId, [...(byTrace.get(span.traceId) ?? []), span]);
  const started = (spans: ReceivedSpan[]): number => Math.min(...spans.map((span) => span.startTimeUnixNano ?? 0));
  const traceIds =
    options.trace === undefined
      ? [...byTrace.entries()]
          .sort((a, b) => started(b[1]) - started(a[1]))
          .slice(0, Number(options.last))
          .map(([id]) => id)
          .reverse()
      : [options.trace];
  if (traceIds.length === 0) {
    console.log('no traces yet: run `make traffic`, wait two seconds, and try again');
    return;
  }
  console.log(
    `${String(byTrace.size)} traces at the Honeycomb stand-in; showing ${String(traceIds.length)}. Log group ${logGroup}: ${String(events.length)} events. Rollbar: ${String(items.length)} items.${awsOtlp === undefined ? '' : ` AWS OTLP endpoints: ${String(awsOtlp.spans.length)} spans, ${String(awsOtlp.logs.length)} log records.`}\n`,
  );
  for (const traceId of traceIds) {
    const spans = byTrace.get(traceId) ?? [];
    const root = spans.find((span) => !spans.some((other) => other.spanId === span.parentSpanId));
    const documents = await xrayDocuments(aws, traceId);
    const logs = events.filter((event) => event.message.trace_id === traceId).sort((a, b) => a.timestamp - b.timestamp);
    const reported = items.filter((item) => item.data.custom?.trace_id === traceId);
    console.log(`━━ trace ${traceId}  ${root?.name ?? '(no span)'}  ${root ? `${durationMs(root).toFixed(2)} ms` : ''}`);
    const otlpSpans = awsOtlp?.spans.filter((span) => span.traceId === traceId) ?? [];
    const otlpLogs = awsOtlp?.logs.filter((log) => log.traceId === traceId) ?? [];
    const otlpSummary =
      awsOtlp === undefined
        ? ''
        : ` · X-Ray OTLP ${otlpSpans.length > 0 ? '✓' : '✗'} ${String(otlpSpans.length)} spans · CloudWatch OTLP ${String(otlpLogs.length)} records`;
    console.log(
      `   Honeycomb ${spans.length > 0 ? '✓' : '✗'} ${String(spans.length)} spans · X-Ray ${documents.length > 0 ? '✓' : '✗'} ${String(documents.length)} documents · CloudWatch ${String(logs.length)} events · Rollbar ${String(reported.length)} items${otlpSummary}`,
    );
    if (spans.length > 0) {
      printWaterfall(spans);
      printGaps(spans);
    }
    printXray(documents);
    printLogs(logs);
    printRollbar(reported);
    if (awsOtlp !== undefined) printAwsOtlp(otlpSpans, otlpLogs);
    console.log('');
  }
}

main().catch((error: unknown) => {
  console.error(`traces failed: ${error instanceof Error ? error.message : String(error)}; are the stand-ins up (make up)?`);
  process.exit(1);
});
