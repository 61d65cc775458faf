import { CloudWatchLogsClient, GetLogEventsCommand, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { BatchGetTracesCommand, XRayClient } from '@aws-sdk/client-xray';
import { CANARY, REGION } from './stack.js';

const clientConfig = (endpoint: string) => ({
  endpoint,
  region: REGION,
  credentials: { accessKeyId: CANARY.awsAccessKeyId, secretAccessKey: CANARY.awsSecretAccessKey },
});

/** An X-Ray segment or subsegment document, as far as these tests read it. */
export interface SegmentDoc {
  id: string;
  trace_id?: string;
  parent_id?: string;
  type?: string;
  name: string;
  user?: string;
  fault?: boolean;
  error?: boolean;
  throttle?: boolean;
  http?: { request?: Record<string, unknown>; response?: Record<string, unknown> };
  annotations?: Record<string, unknown>;
  metadata?: Record<string, Record<string, unknown>>;
  aws?: { cloudwatch_logs?: Array<{ log_group?: string; arn?: string }> } & Record<string, unknown>;
  cause?: { exceptions?: Array<{ message?: string }> } & Record<string, unknown>;
}

/**
 * Every segment document moto holds for the trace, parsed. We read the stored documents rather
 * than trace summaries: moto derives summaries loosely, the documents are what the exporter sent.
 */
export async function xrayDocuments(motoUrl: string, xrayTraceId: string): Promise<SegmentDoc[]> {
  const xray = new XRayClient(clientConfig(motoUrl));
  try {
    const out = await xray.send(new BatchGetTracesCommand({ TraceIds: [xrayTraceId] }));
    const docs: SegmentDoc[] = [];
    for (const t of out.Traces ?? []) {
      for (const s of t.Segments ?? []) {
        if (s.Document) docs.push(JSON.parse(s.Document) as SegmentDoc);
      }
    }
    return docs;
  } finally {
    xray.destroy();
  }
}

/** A CloudWatch event's message as the awscloudwatchlogs exporter writes it. */
export interface CwLogMessage {
  body?: unknown;
  severity_text?: string;
  trace_id?: string;
  span_id?: string;
  attributes?: Record<string, unknown>;
  resource?: Record<string, unknown>;
}

export async function logEvents(motoUrl: string, group: string, stream: string): Promise<CwLogMessage[]> {
  const logs = new CloudWatchLogsClient(clientConfig(motoUrl));
  try {
    const out = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, startFromHead: true }));
    return (out.events ?? []).map((e) => JSON.parse(e.message ?? '{}') as CwLogMessage);
  } finally {
    logs.destroy();
  }
}

export async function logGroupRetention(motoUrl: string, group: string): Promise<number | undefined> {
  const logs = new CloudWatchLogsClient(clientConfig(motoUrl));
  try {
    const out = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group }));
    return out.logGroups?.find((g) => g.logGroupName === group)?.retentionInDays;
  } finally {
    logs.destroy();
  }
}
