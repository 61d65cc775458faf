import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { honeycombReport } from '@cruddur/testkit/backends';
import { pacedRequests } from '@cruddur/testkit/http';
import { fromRoot } from '@cruddur/testkit/paths';
import { cleanEnv, waitFor } from '@cruddur/testkit/processes';
import type { XrayStandinReport } from '@cruddur/testkit/standins';
import { startStack, type Stack } from '@cruddur/testkit/stack';
import { binomialBand } from '@cruddur/testkit/stats';
import { fromServerTiming } from '@cruddur/testkit/trace-ids';

/**
 * `make up SAMPLER=xray` in containers: the compose stack with the app sampling by X-Ray rules
 * through the collector's daemon port, and the step of scripts/stack-up.sh that applies
 * aws/json/ to the stand-ins. The stack must then serve the seeds' Cruddur rule on the daemon
 * port and the app must sample by it. The band follows docs/sampling.md (4 sd).
 */

const run = promisify(execFile);
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    projectPrefix: 'cruddur-it-sampling',
    // What stack-up.sh sets for SAMPLER=xray, with rules every 10 s so the test need not wait 5 min.
    env: { OTEL_TRACES_SAMPLER: 'xray', OTEL_TRACES_SAMPLER_ARG: 'endpoint=http://otel-collector:2000,polling_interval=10' },
  });
});

afterAll(async () => {
  await stack?.down();
});

const report = async (): Promise<XrayStandinReport> =>
  (await fetch(`http://127.0.0.1:${String(stack.ports.XRAY_STANDIN_PORT)}/standin/received`)).json() as Promise<XrayStandinReport>;

describe('make up SAMPLER=xray', () => {
  it('applies aws/json/ to the stand-ins, and the daemon port then serves the Cruddur rule', async () => {
    const { stdout } = await run(fromRoot('scripts/aws-setup-standins.sh'), [], {
      env: cleanEnv({
        PATH: process.env.PATH ?? '',
        XRAY_STANDIN_PORT: String(stack.ports.XRAY_STANDIN_PORT),
        MOTO_PORT: String(stack.ports.MOTO_PORT),
        AWS_REGION: stack.aws.region,
        // The pair the stack gives the collector and the stand-in (testkit/src/stack.ts).
        AWS_ACCESS_KEY_ID: 'integration',
        AWS_SECRET_ACCESS_KEY: 'integration',
      }),
    });
    expect(stdout).toContain('created   xray sampling rule Cruddur');
    expect(stdout).toContain('created   xray group Cruddur');
    const response = await fetch(`http://127.0.0.1:${String(stack.ports.XRAY_DAEMON_PORT)}/GetSamplingRules`, {
      method: 'POST',
      body: '{}',
    });
    const rules = (await response.json()) as {
      SamplingRuleRecords: { SamplingRule: { RuleName: string; FixedRate: number; ReservoirSize: number } }[];
    };
    expect(rules.SamplingRuleRecords.map((r) => r.SamplingRule)).toContainEqual(
      expect.objectContaining({ RuleName: 'Cruddur', FixedRate: 0.1, ReservoirSize: 5 }),
    );
  });

  it('the app samples by it: 20 req/s for 10 s within the band, and Honeycomb holds exactly the sampled traces', async () => {
    // The app started before the rule existed; it picks it up at its next poll, then its quota.
    await waitFor(
      'the app to hold a quota for Cruddur',
      async () => ((await report()).quotas.some((q) => q.RuleName === 'Cruddur' && q.Quota === 5) ? true : undefined),
      45_000,
      500,
    );
    const responses = await pacedRequests(`${stack.appUrl}/api/activities/home`, { ratePerSecond: 20, durationMs: 10_000 });
    expect(responses.every((r) => r.status === 200)).toBe(true);
    const traces = responses.map((r) => fromServerTiming(r.headers.get('server-timing')));
    const sampled = traces.filter((t) => t?.sampled === true).map((t) => t?.traceId ?? '');
    // 5/s for 10 s (45..55) plus Binomial(~150, 0.1) +- 4 sd: [45, 84]; every trace would be 200,
    // the Default rule (1/s + 5 %) about 20.
    const low = 45 + binomialBand(200 - 45, 0.1).low;
    const high = 55 + binomialBand(200 - 55, 0.1).high;
    process.stdout.write(`stack sampling: ${String(sampled.length)} of 200 sampled, band [${String(low)}, ${String(high)}]\n`);
    expect(sampled.length).toBeGreaterThanOrEqual(low);
    expect(sampled.length).toBeLessThanOrEqual(high);
    const received = await waitFor(
      'every sampled trace at Honeycomb',
      async () => {
        const ids = new Set(
          (await honeycombReport(stack.honeycombUrl)).spans.filter((s) => s.name === 'GET /api/activities/home').map((s) => s.traceId),
        );
        return sampled.every((id) => ids.has(id)) ? ids : undefined;
      },
      20_000,
      500,
    );
    expect(traces.filter((t) => t?.sampled === false && received.has(t.traceId))).toEqual([]);
  });
});
