import {
  type CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  PutRetentionPolicyCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateGroupCommand,
  CreateSamplingRuleCommand,
  GetGroupCommand,
  GetSamplingRulesCommand,
  UpdateGroupCommand,
  UpdateSamplingRuleCommand,
  type XRayClient,
  type SamplingRule,
} from '@aws-sdk/client-xray';

/** What a step did; a second run of an unchanged setup reports only "unchanged". */
export type Outcome = 'created' | 'updated' | 'unchanged';

export interface StepResult {
  resource: string;
  outcome: Outcome;
  detail?: string;
}

export interface Desired {
  samplingRule: Required<
    Pick<
      SamplingRule,
      | 'RuleName'
      | 'ResourceARN'
      | 'Priority'
      | 'FixedRate'
      | 'ReservoirSize'
      | 'ServiceName'
      | 'ServiceType'
      | 'Host'
      | 'HTTPMethod'
      | 'URLPath'
      | 'Version'
    >
  > & { Attributes: Record<string, string> };
  group: { GroupName: string; FilterExpression: string };
  logGroup: { logGroupName: string; retentionInDays: number };
  logStream: { logGroupName: string; logStreamName: string };
}

// X-Ray answers GetGroup for an unknown name with InvalidRequestException "Group not found".
function isGroupNotFound(err: unknown): boolean {
  return err instanceof Error && err.name === 'InvalidRequestException' && /not found/i.test(err.message);
}

export async function ensureGroup(xray: XRayClient, want: Desired['group']): Promise<StepResult> {
  const resource = `xray group ${want.GroupName}`;
  let current: string | undefined;
  try {
    const out = await xray.send(new GetGroupCommand({ GroupName: want.GroupName }));
    current = out.Group?.FilterExpression;
  } catch (err) {
    if (!isGroupNotFound(err)) throw err;
    await xray.send(new CreateGroupCommand({ GroupName: want.GroupName, FilterExpression: want.FilterExpression }));
    return { resource, outcome: 'created' };
  }
  if (current === want.FilterExpression) return { resource, outcome: 'unchanged' };
  await xray.send(new UpdateGroupCommand({ GroupName: want.GroupName, FilterExpression: want.FilterExpression }));
  return { resource, outcome: 'updated', detail: `filter ${JSON.stringify(current)} -> ${JSON.stringify(want.FilterExpression)}` };
}

// The fields UpdateSamplingRule can change (Version cannot be updated).
const MUTABLE = [
  'ResourceARN',
  'Priority',
  'FixedRate',
  'ReservoirSize',
  'ServiceName',
  'ServiceType',
  'Host',
  'HTTPMethod',
  'URLPath',
] as const;

export async function ensureSamplingRule(xray: XRayClient, want: Desired['samplingRule']): Promise<StepResult> {
  const resource = `xray sampling rule ${want.RuleName}`;
  let existing: SamplingRule | undefined;
  let token: string | undefined;
  do {
    const page = await xray.send(new GetSamplingRulesCommand({ NextToken: token }));
    existing = page.SamplingRuleRecords?.map((r) => r.SamplingRule).find((r) => r?.RuleName === want.RuleName) ?? existing;
    token = page.NextToken;
  } while (token && !existing);

  if (!existing) {
    await xray.send(new CreateSamplingRuleCommand({ SamplingRule: want }));
    return { resource, outcome: 'created' };
  }
  const changed = MUTABLE.filter((k) => existing?.[k] !== want[k]);
  const attrsChanged = JSON.stringify(existing.Attributes ?? {}) !== JSON.stringify(want.Attributes);
  if (changed.length === 0 && !attrsChanged) return { resource, outcome: 'unchanged' };
  const update: Record<string, unknown> = { RuleName: want.RuleName, Attributes: want.Attributes };
  for (const k of MUTABLE) update[k] = want[k];
  await xray.send(new UpdateSamplingRuleCommand({ SamplingRuleUpdate: update }));
  return { resource, outcome: 'updated', detail: [...changed, ...(attrsChanged ? ['Attributes'] : [])].join(', ') };
}

export async function ensureLogGroup(logs: CloudWatchLogsClient, want: Desired['logGroup']): Promise<StepResult[]> {
  const name = want.logGroupName;
  let group: { retentionInDays?: number } | undefined;
  let token: string | undefined;
  do {
    const page = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name, nextToken: token }));
    group = page.logGroups?.find((g) => g.logGroupName === name) ?? group;
    token = page.nextToken;
  } while (token && !group);

  const results: StepResult[] = [];
  if (group) {
    results.push({ resource: `log group ${name}`, outcome: 'unchanged' });
  } else {
    await logs.send(new CreateLogGroupCommand({ logGroupName: name }));
    results.push({ resource: `log group ${name}`, outcome: 'created' });
  }
  const current = group?.retentionInDays;
  if (current === want.retentionInDays) {
    results.push({ resource: `log group ${name} retention`, outcome: 'unchanged' });
  } else {
    await logs.send(new PutRetentionPolicyCommand({ logGroupName: name, retentionInDays: want.retentionInDays }));
    results.push({
      resource: `log group ${name} retention`,
      outcome: group ? 'updated' : 'created',
      detail: `${current ?? 'never expire'} -> ${want.retentionInDays} days`,
    });
  }
  return results;
}

/**
 * The stream CloudWatch Logs' OTLP endpoint writes to (cloudwatch-otlp.yaml's x-aws-log-stream):
 * unlike the awscloudwatchlogs exporter, the endpoint creates neither group nor stream.
 */
export async function ensureLogStream(logs: CloudWatchLogsClient, want: Desired['logStream']): Promise<StepResult> {
  const resource = `log stream ${want.logGroupName}/${want.logStreamName}`;
  const out = await logs.send(new DescribeLogStreamsCommand({ logGroupName: want.logGroupName, logStreamNamePrefix: want.logStreamName }));
  if (out.logStreams?.some((stream) => stream.logStreamName === want.logStreamName)) return { resource, outcome: 'unchanged' };
  await logs.send(new CreateLogStreamCommand({ logGroupName: want.logGroupName, logStreamName: want.logStreamName }));
  return { resource, outcome: 'created' };
}

export async function setupAll(xray: XRayClient, logs: CloudWatchLogsClient, want: Desired): Promise<StepResult[]> {
  return [
    await ensureSamplingRule(xray, want.samplingRule),
    await ensureGroup(xray, want.group),
    ...(await ensureLogGroup(logs, want.logGroup)),
    await ensureLogStream(logs, want.logStream),
  ];
}

export function describeResults(results: StepResult[]): string {
  const lines = results.map((r) => {
    const detail = r.detail ?? '';
    return `${r.outcome.padEnd(9)} ${r.resource}${detail === '' ? '' : ` (${detail})`}`;
  });
  const changed = results.filter((r) => r.outcome !== 'unchanged').length;
  lines.push(changed === 0 ? 'nothing changed: everything already as desired' : `${changed} change(s) applied`);
  return lines.join('\n');
}
