import fs from 'node:fs';
import path from 'node:path';
import { CloudWatchLogsClient, PutRetentionPolicyCommand } from '@aws-sdk/client-cloudwatch-logs';
import { XRayClient } from '@aws-sdk/client-xray';
import { describe, expect, it } from 'vitest';
import { logGroupRetention, logStreamNames } from '@cruddur/testkit/backends';
import { repoRoot } from '@cruddur/testkit/paths';
import { CANARY, REGION } from '@cruddur/testkit/standins';
import { loadDesired } from '../lib/desired.ts';
import { ensureSamplingRule, setupAll } from '../lib/resources.ts';
import { awsSetupHarness } from './aws-setup-harness.ts';

const credentials = { accessKeyId: CANARY.awsAccessKeyId, secretAccessKey: CANARY.awsSecretAccessKey };
const desired = loadDesired();
// moto for CloudWatch Logs, test/fake-xray.ts for X-Ray, test/fake-logs-queries.ts for the query definitions.
const harness = awsSetupHarness();
const setupCli = harness.setupCli;

describe('aws/json', () => {
  it('describes the Cruddur sampling rule, group and log group the design asks for', () => {
    expect(desired.samplingRule).toMatchObject({
      RuleName: 'Cruddur',
      Priority: 9000,
      FixedRate: 0.1,
      ReservoirSize: 5,
      ServiceName: 'cruddur-backend',
      Version: 1,
    });
    expect(desired.group).toEqual({ GroupName: 'Cruddur', FilterExpression: 'service("cruddur-backend")' });
    expect(desired.logGroup).toEqual({ logGroupName: 'cruddur', retentionInDays: 14 });
    expect(desired.logStream).toEqual({ logGroupName: 'cruddur', logStreamName: 'otel-collector' });
  });

  it('creates the log group and stream that the OTLP logs path writes to by default', () => {
    // cloudwatch-otlp.yaml names them in headers; the endpoint creates neither.
    const config = fs.readFileSync(path.join(repoRoot, 'otel-collector/config/cloudwatch-otlp.yaml'), 'utf8');
    expect(config).toContain(`x-aws-log-group: \${env:CLOUDWATCH_LOG_GROUP:-${desired.logStream.logGroupName}}`);
    expect(config).toContain(`x-aws-log-stream: \${env:CLOUDWATCH_LOG_STREAM:-${desired.logStream.logStreamName}}`);
    expect(desired.logStream.logGroupName).toBe(desired.logGroup.logGroupName);
  });

  it('grants the collector only what its exporters and the daemon proxy call, logs scoped to the cruddur group', () => {
    const policy = JSON.parse(fs.readFileSync(path.join(repoRoot, 'aws/json/collector-iam-policy.json'), 'utf8')) as {
      Statement: Array<{ Effect: string; Action: string[]; Resource: string }>;
    };
    const actions = policy.Statement.flatMap((s) => s.Action).sort();
    expect(actions).toEqual([
      'logs:CreateLogGroup',
      'logs:CreateLogStream',
      'logs:DescribeLogStreams',
      'logs:PutLogEvents',
      'logs:PutRetentionPolicy',
      'xray:GetSamplingRules',
      'xray:GetSamplingStatisticSummaries',
      'xray:GetSamplingTargets',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    for (const s of policy.Statement) {
      expect(s.Effect).toBe('Allow');
      expect(s.Action.every((a) => !a.includes('*'))).toBe(true);
    }
    const logsStatements = policy.Statement.filter((s) => s.Action.some((a) => a.startsWith('logs:')));
    for (const s of logsStatements) expect(s.Resource).toMatch(/^arn:aws:logs:\*:\*:log-group:cruddur(:log-stream:\*)?$/);
  });
});

describe('make aws-setup', () => {
  it('creates everything on the first run, with the exact X-Ray request bodies', async () => {
    const out = await setupCli();
    expect(out).toContain('created   xray sampling rule Cruddur');
    expect(out).toContain('created   xray group Cruddur');
    expect(out).toContain('created   log group cruddur\n');
    expect(out).toContain('created   log group cruddur retention (never expire -> 14 days)');
    expect(out).toContain('created   log stream cruddur/otel-collector');

    const [createRule] = harness.xrayApi.calls('/CreateSamplingRule');
    expect(JSON.parse(createRule?.body ?? '{}')).toEqual({ SamplingRule: desired.samplingRule });
    const [createGroup] = harness.xrayApi.calls('/CreateGroup');
    expect(JSON.parse(createGroup?.body ?? '{}')).toEqual({ GroupName: 'Cruddur', FilterExpression: 'service("cruddur-backend")' });
    for (const r of [createRule, createGroup]) {
      expect(String(r?.headers.authorization)).toMatch(
        new RegExp(`Credential=${CANARY.awsAccessKeyId}/\\d{8}/${REGION}/xray/aws4_request`),
      );
    }
    // moto implements CloudWatch Logs: the group really exists with its retention, and the stream.
    expect(await logGroupRetention(harness.moto.access, 'cruddur')).toBe(14);
    expect(await logStreamNames(harness.moto.access, 'cruddur')).toEqual(['otel-collector']);
  });

  it('changes nothing on the second run, and says so', async () => {
    const before = harness.xrayApi.requests.length;
    const out = await setupCli();
    expect(out).toContain('nothing changed: everything already as desired');
    expect(out).not.toMatch(/^(created|updated)/m);
    const sent = harness.xrayApi.requests
      .slice(before)
      .map((r) => r.path)
      .sort();
    // GetGroup for the Cruddur group and for each group of json/xray-groups.json (queries.test.ts).
    expect(sent).toEqual(['/GetGroup', '/GetGroup', '/GetSamplingRules']);
  });

  it('puts back drifted settings: retention changed by hand, sampling rule edited', async () => {
    const logs = new CloudWatchLogsClient({ endpoint: harness.moto.url, region: REGION, credentials });
    await logs.send(new PutRetentionPolicyCommand({ logGroupName: 'cruddur', retentionInDays: 3 }));
    logs.destroy();
    harness.xrayApi.rules.set('Cruddur', { ...desired.samplingRule, FixedRate: 0.5 });

    const out = await setupCli();
    expect(out).toContain('updated   log group cruddur retention (3 -> 14 days)');
    expect(out).toContain('updated   xray sampling rule Cruddur (FixedRate)');
    expect(await logGroupRetention(harness.moto.access, 'cruddur')).toBe(14);
    const update = harness.xrayApi.calls('/UpdateSamplingRule').at(-1);
    expect(JSON.parse(update?.body ?? '{}')).toMatchObject({
      SamplingRuleUpdate: { RuleName: 'Cruddur', FixedRate: 0.1, ReservoirSize: 5, Priority: 9000 },
    });
    expect(JSON.parse(update?.body ?? '{}').SamplingRuleUpdate).not.toHaveProperty('Version');
  });

  it('the library reports drift the same way when called directly', async () => {
    const xray = new XRayClient({ endpoint: harness.xrayApi.url, region: REGION, credentials });
    harness.xrayApi.rules.set('Cruddur', { ...desired.samplingRule, ServiceName: 'backend-flask' });
    expect(await ensureSamplingRule(xray, desired.samplingRule)).toEqual({
      resource: 'xray sampling rule Cruddur',
      outcome: 'updated',
      detail: 'ServiceName',
    });
    const logs = new CloudWatchLogsClient({ endpoint: harness.moto.url, region: REGION, credentials });
    const results = await setupAll(xray, logs, desired);
    expect(results.every((r) => r.outcome === 'unchanged')).toBe(true);
    xray.destroy();
    logs.destroy();
  });
});
