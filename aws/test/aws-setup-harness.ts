import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll } from 'vitest';
import { repoRoot } from '@cruddur/testkit/paths';
import { cleanEnv } from '@cruddur/testkit/processes';
import { CANARY, REGION, startMoto, type Moto } from '@cruddur/testkit/standins';
import { type FakeLogsQueries, startFakeLogsQueries } from './fake-logs-queries.ts';
import { startFakeXRay, type FakeXRay } from './fake-xray.ts';

const run = promisify(execFile);

/** What `make aws-setup` talks to in these tests: moto for CloudWatch Logs, fakes where moto has nothing. */
export interface AwsSetupHarness {
  readonly moto: Moto;
  readonly xrayApi: FakeXRay;
  /** moto in front of which the query definitions are answered (moto has none): see fake-logs-queries.ts. */
  readonly logsApi: FakeLogsQueries;
  /** `make aws-setup`'s command (aws/setup.ts) with its endpoints pointed at them; its stdout. */
  setupCli: () => Promise<string>;
}

/** Started before the file's tests, stopped after them. */
export function awsSetupHarness(): AwsSetupHarness {
  let started: Omit<AwsSetupHarness, 'setupCli'> | undefined;
  beforeAll(async () => {
    const moto = await startMoto();
    started = { moto, xrayApi: await startFakeXRay(), logsApi: await startFakeLogsQueries(moto.url) };
  });
  afterAll(async () => {
    await started?.logsApi.close();
    await started?.xrayApi.close();
    await started?.moto.stop();
  });
  const current = (): Omit<AwsSetupHarness, 'setupCli'> => {
    if (started === undefined) throw new Error('the harness is only available once beforeAll has started it');
    return started;
  };
  return {
    get moto() {
      return current().moto;
    },
    get xrayApi() {
      return current().xrayApi;
    },
    get logsApi() {
      return current().logsApi;
    },
    setupCli: async () => {
      const env = cleanEnv({
        AWS_REGION: REGION,
        AWS_ACCESS_KEY_ID: CANARY.awsAccessKeyId,
        AWS_SECRET_ACCESS_KEY: CANARY.awsSecretAccessKey,
        AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: current().logsApi.url,
        AWS_ENDPOINT_URL_XRAY: current().xrayApi.url,
        AWS_EC2_METADATA_DISABLED: 'true',
      });
      const { stdout } = await run(process.execPath, [path.join(repoRoot, 'aws/setup.ts')], { env, cwd: repoRoot });
      return stdout;
    },
  };
}
