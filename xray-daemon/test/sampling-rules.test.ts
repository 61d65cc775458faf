import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startCollector, type Collector } from '@cruddur/testkit/collector';
import { awsCli, fromRoot, repoRoot, xrayClientsPython } from '@cruddur/testkit/paths';
import { cleanEnv } from '@cruddur/testkit/processes';
import { CANARY, REGION, startMoto, startXrayStandin, type Moto, type XrayStandin } from '@cruddur/testkit/standins';
import { deploymentFiles } from '../../otel-collector/profiles.ts';

// X-Ray centralized sampling offline, as a user of the seeds meets it: the seeds' own AWS CLI
// command and `make aws-setup` create the Cruddur rule in the X-Ray control-plane stand-in, the
// collector's daemon role relays an SDK's unsigned sampling calls to it, signed, and the X-Ray SDK
// for Python (the seeds' Flask backend's SDK, unchanged) receives the rule and samples by it.

const run = promisify(execFile);

let moto: Moto;
let xray: XrayStandin;
let daemon: Collector;

/** The AWS CLI from PyPI (test/sampling/requirements.txt), signing with the given secret. */
async function aws(args: string[], secret: string = CANARY.awsSecretAccessKey): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = cleanEnv({
    AWS_ACCESS_KEY_ID: CANARY.awsAccessKeyId,
    AWS_SECRET_ACCESS_KEY: secret,
    AWS_DEFAULT_REGION: REGION,
    AWS_ENDPOINT_URL: xray.url,
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  try {
    const { stdout, stderr } = await run(awsCli, ['xray', ...args], { env, cwd: repoRoot });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** `make up`'s offline setup step (scripts/aws-setup-standins.sh): X-Ray to the stand-in, logs to moto. */
async function awsSetup(): Promise<string> {
  const env = cleanEnv({
    PATH: process.env.PATH ?? '',
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: CANARY.awsAccessKeyId,
    AWS_SECRET_ACCESS_KEY: CANARY.awsSecretAccessKey,
    XRAY_STANDIN_PORT: String(xray.port),
    MOTO_PORT: new URL(moto.url).port,
  });
  const { stdout } = await run(path.join(repoRoot, 'scripts/aws-setup-standins.sh'), [], { env, cwd: repoRoot });
  return stdout;
}

beforeAll(async () => {
  moto = await startMoto();
  xray = await startXrayStandin();
  // The daemon role as the stack runs it (the xray-control overlay points its proxy at the stand-in).
  daemon = await startCollector({
    configs: deploymentFiles('daemon-standalone', 'all').map(fromRoot),
    awsEndpoint: moto.url,
    xrayControlEndpoint: xray.url,
  });
});

afterAll(async () => {
  await daemon?.stop();
  await xray?.stop();
  await moto?.stop();
});

describe("the X-Ray control-plane stand-in, driven by the AWS CLI and make up's aws-setup step", () => {
  it("accepts the seeds' command: aws xray create-sampling-rule --cli-input-json file://aws/json/xray.json", async () => {
    const created = await aws(['create-sampling-rule', '--cli-input-json', 'file://aws/json/xray.json']);
    expect(created.stderr).toBe('');
    expect(JSON.parse(created.stdout)).toMatchObject({
      SamplingRuleRecord: {
        SamplingRule: {
          RuleName: 'Cruddur',
          RuleARN: `arn:aws:xray:${REGION}:000000000000:sampling-rule/Cruddur`,
          FixedRate: 0.1,
          ReservoirSize: 5,
          ServiceName: 'cruddur-backend',
          Priority: 9000,
        },
      },
    });
    const again = await aws(['create-sampling-rule', '--cli-input-json', 'file://aws/json/xray.json']);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain(
      '(InvalidRequestException) when calling the CreateSamplingRule operation: A sampling rule named Cruddur already exists',
    );
  });

  it('refuses a call signed with the wrong secret, as X-Ray does', async () => {
    const refused = await aws(['get-sampling-rules'], 'not-the-secret');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('(InvalidSignatureException) when calling the GetSamplingRules operation');
  });

  it("make up's aws-setup step finds the rule as the CLI made it, creates the groups, and a second run changes nothing", async () => {
    const first = await awsSetup();
    expect(first).toContain('unchanged xray sampling rule Cruddur');
    expect(first).toContain('created   xray group Cruddur\n');
    expect(first).toContain('created   xray group Cruddur-slow');
    // moto has no Logs Insights query definitions; offline they are left out, and said so.
    expect(first).toContain('skipped   Logs Insights query definitions');
    const groups = JSON.parse((await aws(['get-groups'])).stdout) as { Groups: { GroupName: string; FilterExpression: string }[] };
    expect(groups.Groups).toEqual([
      expect.objectContaining({ GroupName: 'Cruddur', FilterExpression: 'service("cruddur-backend")' }),
      expect.objectContaining({ GroupName: 'Cruddur-slow', FilterExpression: 'service("cruddur-backend") AND responsetime > 1' }),
    ]);
    expect(await awsSetup()).toContain('nothing changed: everything already as desired');
  });
});

describe('sampling through the daemon port', () => {
  it("relays an SDK's unsigned GetSamplingRules to the stand-in, signed by the collector for xray in the region", async () => {
    const before = (await xray.report()).calls.length;
    const response = await fetch(`http://127.0.0.1:${String(daemon.ports.daemon)}/GetSamplingRules`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { SamplingRuleRecords: { SamplingRule: { RuleName: string } }[] };
    expect(body.SamplingRuleRecords.map((r) => r.SamplingRule.RuleName)).toEqual(['Cruddur', 'Default']);
    const [call] = (await xray.report()).calls.slice(before);
    expect(call).toMatchObject({ operation: 'GetSamplingRules', status: 200, signature: { service: 'xray', region: REGION } });
  });

  it('gives the X-Ray SDK for Python the Cruddur rule and its reservoir, and the SDK samples by them', async () => {
    const daemonAddress = `127.0.0.1:${String(daemon.ports.daemon)}`;
    const script = fromRoot('xray-daemon/test/fixtures/xray_sdk_sampling.py');
    const { stdout } = await run(xrayClientsPython, [script, daemonAddress, 'cruddur-backend', '300'], {
      env: cleanEnv(),
      timeout: 60_000,
    });
    const result = JSON.parse(stdout) as {
      rules: string[];
      quota: Record<string, number | null>;
      elapsed_s: number;
      decisions: (string | false)[];
    };
    expect(result.rules).toEqual(['Cruddur', 'Default']);
    expect(result.quota.Cruddur).toBe(5);
    expect(result.elapsed_s).toBeLessThan(1); // all 300 decisions fall in one second of the reservoir
    // The quota's 5 come first, then the rule's fixed rate 0.1 over the other 295: Binomial(295, 0.1),
    // mean 29.5, sd 5.15; 4 sd either side is [9, 50] (a false failure about once in 15,000 runs).
    expect(result.decisions.slice(0, 5)).toEqual(['Cruddur', 'Cruddur', 'Cruddur', 'Cruddur', 'Cruddur']);
    expect(new Set(result.decisions)).toEqual(new Set(['Cruddur', false]));
    const byRate = result.decisions.slice(5).filter((d) => d === 'Cruddur').length;
    expect(byRate).toBeGreaterThanOrEqual(9);
    expect(byRate).toBeLessThanOrEqual(50);
    // The stand-in handed that quota to the SDK's client id, and holds the SDK's statistics.
    const report = await xray.report();
    const targets = report.calls.filter((c) => c.operation === 'GetSamplingTargets' && c.status === 200);
    const clientId = targets.at(-1)?.clientIds?.[0];
    expect(clientId).toMatch(/^[0-9a-f]{24}$/);
    expect(report.quotas).toContainEqual(expect.objectContaining({ RuleName: 'Cruddur', ClientID: clientId, Quota: 5 }));
    expect(report.statistics.find((s) => s.RuleName === 'Cruddur')?.RequestCount).toBeGreaterThan(0);
  });
});
