/**
 * Reads back what each backend stand-in holds, the way a person would look in the vendor's
 * console: spans and logs at an OTLP stand-in (Honeycomb, the AWS OTLP endpoints), X-Ray segment
 * documents, CloudWatch log events, Rollbar items. Shared by `make traces`, the tests and the benchmarks.
 */
import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  type FilterLogEventsCommandOutput,
  GetLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { BatchGetTracesCommand, XRayClient } from '@aws-sdk/client-xray';

import { fromXrayTraceId, toXrayTraceId } from './trace-ids.ts';

export interface AwsAccess {
  readonly endpoint: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** AWS SDK client settings for a stand-in; `overrides` e.g. `{ maxAttempts: 1 }` for a poller that must not retry. */
export function clientConfig(access: AwsAccess, overrides: { readonly maxAttempts?: number } = {}) {
  return {
    endpoint: access.endpoint,
    region: access.region,
    credentials: { accessKeyId: access.accessKeyId, secretAccessKey: access.secretAccessKey },
    ...overrides,
  };
}

// --- OTLP stand-in (Honeycomb, AWS OTLP endpoints) -------------------------------------------

/** Where the vendor would file the data: Honeycomb's dataset, CloudWatch's log group and stream. */
export interface ReceivedRoute {
  dataset?: string;
  logGroup?: string;
  logStream?: string;
}

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: string;
  statusCode: string;
  startTimeUnixNano?: number;
  endTimeUnixNano?: number;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
  scope: string;
}

export interface ReceivedSpan extends ReceivedRoute {}

/** A client span (the browser's fetch) and the server span it caused, as one trace holds them. */
export interface NetworkGap {
  readonly client: ReceivedSpan;
  readonly server: ReceivedSpan;
  /** From the fetch's start to the server span's start: DNS, connect, request upload, queueing. */
  readonly beforeMs: number;
  /** From the server span's end to the fetch's end: response download, the browser's handling. */
  readonly afterMs: number;
  /** beforeMs + afterMs: the request's time outside the server span. */
  readonly totalMs: number;
}

/**
 * Every client span whose child is a server span of another service, with the time between
 * them: what the network (and the browser) added to the server's time. Both clocks are read on
 * their own hosts, so across machines the figures include the clock skew between them.
 */
export function networkGaps(spans: readonly ReceivedSpan[]): NetworkGap[] {
  const serviceOf = (span: ReceivedSpan): unknown => span.resource['service.name'];
  const gaps: NetworkGap[] = [];
  for (const client of spans) {
    if (client.kind !== 'Client') continue;
    for (const server of spans) {
      if (server.kind !== 'Server' || server.parentSpanId !== client.spanId || serviceOf(server) === serviceOf(client)) continue;
      const beforeMs = ((server.startTimeUnixNano ?? 0) - (client.startTimeUnixNano ?? 0)) / 1e6;
      const afterMs = ((client.endTimeUnixNano ?? 0) - (server.endTimeUnixNano ?? 0)) / 1e6;
      gaps.push({ client, server, beforeMs, afterMs, totalMs: beforeMs + afterMs });
    }
  }
  return gaps;
}

export interface ReceivedLog extends ReceivedRoute {
  traceId: string;
  spanId: string;
  severityText: string;
  body: unknown;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
}

/** What a SigV4 signature proved (AWS mode); the access key id and secret are never reported. */
export interface ReceivedSignature {
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  payloadHash: string;
  sessionToken: boolean;
}

export interface ReceivedRequest {
  transport: 'grpc' | 'http';
  signal: 'traces' | 'logs';
  authorized: boolean;
  status: number;
  /** The vendor's error code of a refusal (e.g. InvalidSignatureException). */
  code?: string;
  reason?: string;
  items: number;
  /** Uncompressed OTLP payload size (the wire size when it could not be decoded). */
  bytes: number;
  headers: Record<string, string>;
  auth?: ReceivedSignature;
}

export interface OtlpReport {
  spans: ReceivedSpan[];
  logs: ReceivedLog[];
  requests: ReceivedRequest[];
  /** Entries past the stand-in's per-kind limit, not kept. */
  dropped: number;
  /** Spans of the stand-in's count-only services (OTLP_STANDIN_COUNT_ONLY), by service name: counted, not kept. */
  counted: Record<string, number>;
}

/** The Honeycomb stand-in is the OTLP stand-in in its honeycomb mode. */
export type HoneycombReport = OtlpReport;

export async function otlpReport(reportUrl: string, name = 'OTLP stand-in'): Promise<OtlpReport> {
  const response = await fetch(`${reportUrl}/standin/received`);
  if (!response.ok) throw new Error(`${name} answered ${response.status}`);
  return (await response.json()) as OtlpReport;
}

export const honeycombReport = (reportUrl: string): Promise<HoneycombReport> => otlpReport(reportUrl, 'Honeycomb stand-in');

// --- Rollbar stand-in ------------------------------------------------------------------------

export interface RollbarItemRecord {
  uuid: string;
  received: string;
  level: string;
  environment: string;
  title?: string;
  data: {
    level: string;
    environment: string;
    person?: { id?: string };
    custom?: { trace_id?: string; span_id?: string };
    request?: { url?: string; method?: string; headers?: Record<string, string> };
    body: { message?: { body?: string }; trace_chain?: Array<{ exception?: { class?: string; message?: string } }> };
  };
}

export async function rollbarItems(reportUrl: string): Promise<RollbarItemRecord[]> {
  const response = await fetch(`${reportUrl}/standin/received`);
  if (!response.ok) throw new Error(`Rollbar stand-in answered ${response.status}`);
  return ((await response.json()) as { items: RollbarItemRecord[] }).items;
}

// --- X-Ray (moto) ----------------------------------------------------------------------------

/** An X-Ray segment or subsegment document, as far as we read it. */
export interface SegmentDoc {
  id: string;
  trace_id?: string;
  parent_id?: string;
  type?: string;
  name: string;
  start_time?: number;
  end_time?: number;
  user?: string;
  fault?: boolean;
  error?: boolean;
  throttle?: boolean;
  http?: { request?: Record<string, unknown>; response?: Record<string, unknown> };
  annotations?: Record<string, unknown>;
  metadata?: Record<string, Record<string, unknown>>;
  aws?: { cloudwatch_logs?: Array<{ log_group?: string; arn?: string }> } & Record<string, unknown>;
  cause?: { exceptions?: Array<{ message?: string }> } & Record<string, unknown>;
  subsegments?: SegmentDoc[];
}

/**
 * Every segment document stored for the trace, parsed. We read the stored documents rather than
 * trace summaries: moto derives summaries loosely, the documents are what the exporter sent.
 */
export async function xrayDocuments(access: AwsAccess, traceId: string): Promise<SegmentDoc[]> {
  const xray = new XRayClient(clientConfig(access));
  try {
    const xrayTraceId = traceId.startsWith('1-') ? traceId : toXrayTraceId(traceId);
    const out = await xray.send(new BatchGetTracesCommand({ TraceIds: [xrayTraceId] }));
    return (out.Traces ?? []).flatMap((trace) =>
      (trace.Segments ?? []).flatMap((segment) => (segment.Document ? [JSON.parse(segment.Document) as SegmentDoc] : [])),
    );
  } finally {
    xray.destroy();
  }
}

/** Which of these traces X-Ray holds at least one segment of (W3C ids in and out). */
export async function tracesInXray(access: AwsAccess, traceIds: readonly string[]): Promise<Set<string>> {
  const xray = new XRayClient(clientConfig(access));
  const found = new Set<string>();
  try {
    // BatchGetTraces takes five ids a call.
    for (let index = 0; index < traceIds.length; index += 5) {
      const chunk = traceIds.slice(index, index + 5);
      const out = await xray.send(new BatchGetTracesCommand({ TraceIds: chunk.map(toXrayTraceId) }));
      for (const trace of out.Traces ?? []) {
        if ((trace.Segments ?? []).length > 0 && trace.Id !== undefined) found.add(fromXrayTraceId(trace.Id));
      }
    }
  } finally {
    xray.destroy();
  }
  return found;
}

// --- CloudWatch Logs (moto) --------------------------------------------------------------------

/** A CloudWatch event's message as the awscloudwatchlogs exporter writes it. */
export interface CwLogMessage {
  body?: unknown;
  severity_text?: string;
  trace_id?: string;
  span_id?: string;
  attributes?: Record<string, unknown>;
  resource?: Record<string, unknown>;
}

export interface CwLogEvent {
  stream: string;
  timestamp: number;
  message: CwLogMessage;
}

function parseMessage(raw: string | undefined): CwLogMessage {
  try {
    return JSON.parse(raw ?? '{}') as CwLogMessage;
  } catch {
    return { body: raw };
  }
}

/**
 * A log group's events page by page (FilterLogEvents), parsed, from `startTime` (epoch ms) on when
 * given; nothing when the group does not exist yet (the exporter creates it with its first
 * PutLogEvents). The caller owns the client.
 */
export async function* logGroupPages(logs: CloudWatchLogsClient, group: string, startTime?: number): AsyncGenerator<CwLogEvent[]> {
  let nextToken: string | undefined;
  do {
    let out: FilterLogEventsCommandOutput;
    try {
      out = await logs.send(
        new FilterLogEventsCommand({
          logGroupName: group,
          ...(startTime === undefined ? {} : { startTime }),
          ...(nextToken ? { nextToken } : {}),
        }),
      );
    } catch (error) {
      if (error instanceof Error && error.name === 'ResourceNotFoundException') return;
      throw error;
    }
    yield (out.events ?? []).map((event) => ({
      stream: event.logStreamName ?? '',
      timestamp: event.timestamp ?? 0,
      message: parseMessage(event.message),
    }));
    nextToken = out.nextToken;
  } while (nextToken !== undefined);
}

/** Every event of a log group, across its streams (empty when the group does not exist yet). */
export async function logGroupEvents(access: AwsAccess, group: string): Promise<CwLogEvent[]> {
  const logs = new CloudWatchLogsClient(clientConfig(access));
  try {
    const events: CwLogEvent[] = [];
    for await (const page of logGroupPages(logs, group)) for (const event of page) events.push(event);
    return events;
  } finally {
    logs.destroy();
  }
}

/** The events of one stream, oldest first. */
export async function logStreamEvents(access: AwsAccess, group: string, stream: string): Promise<CwLogMessage[]> {
  const logs = new CloudWatchLogsClient(clientConfig(access));
  try {
    const out = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, startFromHead: true }));
    return (out.events ?? []).map((event) => parseMessage(event.message));
  } finally {
    logs.destroy();
  }
}

/** The retention a log group is set to, undefined when none is set or the group does not exist. */
/** The log streams of a group (moto or AWS), by name. */
export async function logStreamNames(access: AwsAccess, group: string): Promise<string[]> {
  const logs = new CloudWatchLogsClient(clientConfig(access));
  try {
    const out = await logs.send(new DescribeLogStreamsCommand({ logGroupName: group }));
    return (out.logStreams ?? []).flatMap((stream) => (stream.logStreamName === undefined ? [] : [stream.logStreamName]));
  } finally {
    logs.destroy();
  }
}

export async function logGroupRetention(access: AwsAccess, group: string): Promise<number | undefined> {
  const logs = new CloudWatchLogsClient(clientConfig(access));
  try {
    const out = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group }));
    return out.logGroups?.find((candidate) => candidate.logGroupName === group)?.retentionInDays;
  } finally {
    logs.destroy();
  }
}
