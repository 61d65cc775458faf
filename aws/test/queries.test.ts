import { describe, expect, it } from 'vitest';
import { CANARY, REGION } from '@cruddur/testkit/standins';
import { loadQuerySetup } from '../lib/queries.ts';
import { awsSetupHarness } from './aws-setup-harness.ts';

/**
 * The seeds' questions on AWS, at the request level: moto implements no Logs Insights query
 * definitions (and evaluates no `stats`) and no X-Ray groups, so what is asserted is what
 * `make aws-setup` sends: PutQueryDefinition and CreateGroup bodies, and only reads when nothing
 * changed.
 */
const want = loadQuerySetup();
const harness = awsSetupHarness();
const { setupCli } = harness;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** A PutQueryDefinition body without the idempotency token the SDK adds to each call (a fresh UUID, or "" if absent). */
function putBody(body: string): { token: string; rest: unknown } {
  const { clientToken, ...rest } = JSON.parse(body) as { clientToken?: string };
  return { token: clientToken ?? '', rest };
}

describe('aws/json: the saved questions', () => {
  it('asks the seeds questions of the access log and keeps a slow-requests X-Ray group', () => {
    expect(want.logGroupNames).toEqual(['cruddur']);
    expect(want.queryDefinitions.map((q) => q.name)).toEqual([
      'Cruddur/Latency by user',
      'Cruddur/P90 latency over time',
      'Cruddur/Recent requests',
      'Cruddur/Slowest paths',
      'Cruddur/Errors by path',
    ]);
    expect(want.queryDefinitions[0]?.queryString).toContain('stats pct(attributes.duration_ms, 90) as p90_ms, count(*) as requests');
    expect(want.queryDefinitions[0]?.queryString).toContain('by attributes.app.user_handle as user');
    expect(want.groups).toEqual([{ GroupName: 'Cruddur-slow', FilterExpression: 'service("cruddur-backend") AND responsetime > 1' }]);
  });
});

describe('make aws-setup: Logs Insights query definitions and X-Ray groups', () => {
  it('first run: PutQueryDefinition per query over the cruddur log group, CreateGroup for the slow group, signed', async () => {
    const out = await setupCli();
    for (const q of want.queryDefinitions) expect(out).toContain(`created   logs insights query ${q.name}\n`);
    expect(out).toContain('created   xray group Cruddur-slow');
    const puts = harness.logsApi.requests.filter((r) => String(r.headers['x-amz-target']).endsWith('.PutQueryDefinition'));
    expect(puts.every((r) => UUID.test(putBody(r.body).token))).toBe(true);
    expect(puts.map((r) => putBody(r.body).rest)).toEqual(
      want.queryDefinitions.map((q) => ({ name: q.name, queryString: q.queryString, logGroupNames: ['cruddur'] })),
    );
    for (const r of puts) {
      expect(String(r.headers.authorization)).toMatch(new RegExp(`Credential=${CANARY.awsAccessKeyId}/\\d{8}/${REGION}/logs/aws4_request`));
    }
    expect(harness.xrayApi.calls('/CreateGroup').map((r) => JSON.parse(r.body) as unknown)).toEqual([
      { GroupName: 'Cruddur', FilterExpression: 'service("cruddur-backend")' },
      { GroupName: 'Cruddur-slow', FilterExpression: 'service("cruddur-backend") AND responsetime > 1' },
    ]);
  });

  it('second run: only DescribeQueryDefinitions and GetGroup, nothing written', async () => {
    const logsBefore = harness.logsApi.requests.length;
    const xrayBefore = harness.xrayApi.requests.length;
    const out = await setupCli();
    expect(out).toContain('nothing changed: everything already as desired');
    expect(harness.logsApi.operations(logsBefore)).toEqual(want.queryDefinitions.map(() => 'DescribeQueryDefinitions'));
    expect(
      harness.xrayApi.requests
        .slice(xrayBefore)
        .map((r) => r.path)
        .sort(),
    ).toEqual(['/GetGroup', '/GetGroup', '/GetSamplingRules']);
  });

  it('a query edited by hand is put back under its id; a group edited by hand is updated', async () => {
    const [first] = [...harness.logsApi.definitions.values()];
    if (first === undefined) throw new Error('no definitions stored');
    harness.logsApi.definitions.set(first.queryDefinitionId, {
      queryDefinitionId: first.queryDefinitionId,
      name: first.name,
      logGroupNames: first.logGroupNames,
      queryString: 'fields @message',
    });
    harness.xrayApi.groups.set('Cruddur-slow', { GroupName: 'Cruddur-slow', FilterExpression: 'responsetime > 5' });
    const before = harness.logsApi.requests.length;
    const out = await setupCli();
    expect(out).toContain(`updated   logs insights query ${first.name} (queryString)`);
    expect(out).toContain(
      'updated   xray group Cruddur-slow (filter "responsetime > 5" -> "service(\\"cruddur-backend\\") AND responsetime > 1")',
    );
    const put = harness.logsApi.requests.slice(before).filter((r) => String(r.headers['x-amz-target']).endsWith('.PutQueryDefinition'));
    expect(put.map((r) => putBody(r.body).rest)).toEqual([
      {
        name: first.name,
        queryString: want.queryDefinitions[0]?.queryString,
        logGroupNames: ['cruddur'],
        queryDefinitionId: first.queryDefinitionId,
      },
    ]);
    expect(harness.logsApi.definitions.size).toBe(want.queryDefinitions.length);
    expect(JSON.parse(harness.xrayApi.calls('/UpdateGroup').at(-1)?.body ?? '{}')).toEqual({
      GroupName: 'Cruddur-slow',
      FilterExpression: 'service("cruddur-backend") AND responsetime > 1',
    });
  });
});
