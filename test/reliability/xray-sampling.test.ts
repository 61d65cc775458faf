import path from 'node:path';

import { UpdateSamplingRuleCommand, XRayClient, CreateSamplingRuleCommand } from '@aws-sdk/client-xray';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startAppProcess, type AppProcess } from '@cruddur/testkit/app-process';
import { clientConfig, honeycombReport } from '@cruddur/testkit/backends';
import { startCollector, type Collector } from '@cruddur/testkit/collector';
import { pacedRequests, type PacedResponse } from '@cruddur/testkit/http';
import { fromRoot } from '@cruddur/testkit/paths';
import { logDir, waitFor } from '@cruddur/testkit/processes';
import { startHoneycomb, startXrayStandin, type Honeycomb, type XrayStandin } from '@cruddur/testkit/standins';
import { binomialBand } from '@cruddur/testkit/stats';
import { fromServerTiming } from '@cruddur/testkit/trace-ids';
import { loadDesired } from '../../aws/lib/desired.ts';
import { deploymentFiles } from '../../otel-collector/profiles.ts';

/**
 * X-Ray centralized sampling end to end: the app's rule-driven sampler (OTEL_TRACES_SAMPLER=xray)
 * asks the collector's daemon port, whose proxy signs and relays to the X-Ray control-plane
 * stand-in holding the seeds' Cruddur rule (fixed rate 0.1, reservoir 5/s). Every count below is
 * of whole traces, read three ways: the app's Server-Timing flags, the access log (every request,
 * `trace.sampled`), and the root spans Honeycomb received.
 *
 * Statistical tolerance (written down here and in docs/sampling.md): a rule samples R requests
 * from its reservoir, a deterministic count, then each other request with probability FixedRate
 * by trace id, Binomial(n - R, rate). R is the per-second quota times the seconds, give or take
 * one second's quota (the rate limiter holds at most 1 s of credit, and starts empty each time a
 * new target is applied). The band is [R_low + binomial low, R_high + binomial high] with the
 * binomial part 4 sd either side of its mean: a correct sampler fails about once in 15,000 runs.
 */

const RULE = loadDesired().samplingRule;
const RESERVOIR = RULE.ReservoirSize ?? Number.NaN; // 5 per second
const FIXED_RATE = RULE.FixedRate ?? Number.NaN; // 0.1
const RATE = 50; // requests per second
const PATH = '/api/activities/home';

let honeycomb: Honeycomb;
let xray: XrayStandin;
let collector: Collector;
let app: AppProcess;
let xrayApi: XRayClient;
const stateFile = path.join(logDir, 'xray-standin-state.json');
const findings: Record<string, unknown> = {};

function appEnv(): Record<string, string> {
  return {
    OTEL_EXPORTER_OTLP_ENDPOINT: collector.otlpUrl,
    OTEL_TRACES_SAMPLER: 'xray',
    // Rules every 10 s (the sampler's minimum) so a returning control plane shows up in the test's time.
    OTEL_TRACES_SAMPLER_ARG: `endpoint=http://127.0.0.1:${String(collector.ports.daemon)},polling_interval=10`,
    OTEL_LOGS_EXPORTER: 'none',
    OTEL_BSP_SCHEDULE_DELAY: '200',
    LOG_LEVEL: 'info',
  };
}

interface Outcome {
  /** performance.now() when the first request was sent. */
  readonly startedAt: number;
  readonly responses: PacedResponse[];
  readonly traces: { traceId: string; sampled: boolean; sentAtMs: number }[];
  readonly sampled: number;
}

/** `durationMs` of GETs at RATE per second, each response's trace read from its Server-Timing header. */
async function drive(target: AppProcess, durationMs: number, ratePerSecond = RATE): Promise<Outcome> {
  const startedAt = performance.now();
  const responses = await pacedRequests(`${target.url}${PATH}`, { ratePerSecond, durationMs });
  const traces = responses.map((r) => {
    const trace = fromServerTiming(r.headers.get('server-timing'));
    if (trace === undefined) throw new Error(`response without a trace (status ${String(r.status)})`);
    return { traceId: trace.traceId, sampled: trace.sampled, sentAtMs: r.sentAtMs };
  });
  return { startedAt, responses, traces, sampled: traces.filter((t) => t.sampled).length };
}

/** The band a rule (or the fallback) implies for n requests over `seconds` (see the header). */
function ruleBand(n: number, seconds: number, quotaPerSecond: number, rate: number): { low: number; high: number } {
  const reservoirLow = quotaPerSecond * (seconds - 1);
  const reservoirHigh = quotaPerSecond * (seconds + 1);
  return { low: reservoirLow + binomialBand(n - reservoirLow, rate).low, high: reservoirHigh + binomialBand(n - reservoirHigh, rate).high };
}

const accessRecords = (target: AppProcess): Record<string, unknown>[] =>
  target
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => entry['log.type'] === 'access');

const clientsWithQuota = async (): Promise<string[]> =>
  (await xray.report()).quotas.filter((q) => q.RuleName === RULE.RuleName && q.Quota > 0).map((q) => q.ClientID);

beforeAll(async () => {
  honeycomb = await startHoneycomb();
  xray = await startXrayStandin({ stateFile });
  collector = await startCollector({
    configs: deploymentFiles('honeycomb-daemon', 'all').map(fromRoot),
    honeycombEndpoint: honeycomb.grpcEndpoint,
    xrayControlEndpoint: xray.url,
  });
  xrayApi = new XRayClient(clientConfig(xray.access));
  await xrayApi.send(new CreateSamplingRuleCommand({ SamplingRule: RULE }));
  app = await startAppProcess(appEnv());
  // Rules at start, the first target (its share of the reservoir) one interval later.
  await waitFor(
    'the app to hold a reservoir quota for the Cruddur rule',
    async () => ((await clientsWithQuota()).length > 0 ? true : undefined),
    30_000,
    500,
  );
});

afterAll(async () => {
  console.log(`xray sampling measurements: ${JSON.stringify(findings)}`);
  xrayApi?.destroy();
  await app?.stop();
  await collector?.stop();
  await xray?.stop();
  await honeycomb?.stop();
});

describe('the Cruddur rule (fixed rate 0.1, reservoir 5/s) at 50 req/s', () => {
  it('traces a count within the band the rule implies over 20 s, and Honeycomb has exactly those traces', async () => {
    const seconds = 20;
    const run = await drive(app, seconds * 1000);
    const n = run.responses.length;
    expect(n).toBe(RATE * seconds);
    expect(run.responses.every((r) => r.status === 200)).toBe(true);
    // 5/s x 20 s = 100 from the reservoir (95..105), plus Binomial(~900, 0.1) = 90 +- 36.
    const band = ruleBand(n, seconds, RESERVOIR, FIXED_RATE);
    findings.ruleBand = { requests: n, sampled: run.sampled, band };
    expect(run.sampled).toBeGreaterThanOrEqual(band.low);
    expect(run.sampled).toBeLessThanOrEqual(band.high);

    // The access log has every request, with its trace id and the same decision. A record is
    // written when the response has finished, which can be just after the client has it.
    const records = await waitFor(
      'an access record for every request',
      () => {
        const byTrace = new Map(accessRecords(app).map((r) => [r.trace_id, r['trace.sampled']]));
        return Promise.resolve(run.traces.every((t) => byTrace.has(t.traceId)) ? byTrace : undefined);
      },
      5000,
      100,
    );
    for (const trace of run.traces) expect(records.get(trace.traceId), trace.traceId).toBe(trace.sampled);

    // Honeycomb received the root span of every sampled trace and of no other.
    const wanted = new Set(run.traces.filter((t) => t.sampled).map((t) => t.traceId));
    const received = await waitFor(
      'every sampled trace at Honeycomb',
      async () => {
        const roots = (await honeycombReport(honeycomb.httpUrl)).spans.filter((s) => s.name === `GET ${PATH}` && s.parentSpanId === '');
        const ids = new Set(roots.map((s) => s.traceId));
        return [...wanted].every((id) => ids.has(id)) ? ids : undefined;
      },
      20_000,
      500,
    );
    const unsampled = run.traces.filter((t) => !t.sampled && received.has(t.traceId));
    expect(unsampled).toEqual([]);
  });

  it('takes an UpdateSamplingRule to fixed rate 1.0 within one targets interval (10 s)', async () => {
    await xrayApi.send(new UpdateSamplingRuleCommand({ SamplingRuleUpdate: { RuleName: RULE.RuleName, FixedRate: 1 } }));
    const updatedAt = performance.now();
    const run = await drive(app, 14_000, 10);
    // sentAtMs counts from the drive's start, a few ms after the update was acknowledged.
    const sinceUpdate = (t: { sentAtMs: number }): number => t.sentAtMs + (run.startedAt - updatedAt);
    const lastUnsampledMs = Math.max(0, ...run.traces.filter((t) => !t.sampled).map(sinceUpdate));
    findings.updateTakesEffectWithinMs = Math.round(lastUnsampledMs);
    // One interval (10 s) plus the sampler's jitter (<= 0.1 s) and the poll's round trip.
    expect(lastUnsampledMs).toBeLessThanOrEqual(11_000);
    expect(run.traces.filter((t) => sinceUpdate(t) > 11_000).every((t) => t.sampled)).toBe(true);
    // Back to the seeds' rate for what follows, again within one interval.
    await xrayApi.send(new UpdateSamplingRuleCommand({ SamplingRuleUpdate: { RuleName: RULE.RuleName, FixedRate: FIXED_RATE } }));
    await waitFor('the rate back to 0.1', async () => ((await drive(app, 2000, 20)).sampled < 30 ? true : undefined), 20_000, 0);
  });
});

describe('the control plane down', () => {
  let appClientIds: string[];
  let late: AppProcess;

  afterAll(async () => {
    await late?.stop();
  });

  it('answers every request while the stand-in is stopped; a process started meanwhile samples by the local fallback', async () => {
    appClientIds = await clientsWithQuota();
    await xray.stop();
    late = await startAppProcess(appEnv());
    const seconds = 10;
    const [running, started] = await Promise.all([drive(app, seconds * 1000), drive(late, seconds * 1000)]);
    for (const run of [running, started]) {
      expect(run.responses.every((r) => r.status === 200)).toBe(true);
      // Deciding never waits for the endpoint.
      expect(Math.max(...run.responses.map((r) => r.latencyMs))).toBeLessThan(1000);
    }
    // The late process never got a rule: 1 per second plus 5 % of the rest, [14, 55] of 500;
    // the rule would give [64, 125], so the two cannot be mistaken for each other.
    const band = ruleBand(started.responses.length, seconds, 1, 0.05);
    findings.fallbackBand = { requests: started.responses.length, sampled: started.sampled, band };
    // The running one keeps the rules it holds (X-Ray SDKs keep them up to an hour); recorded, not asserted.
    findings.runningDuringOutage = { requests: running.responses.length, sampled: running.sampled };
    expect(started.sampled).toBeGreaterThanOrEqual(band.low);
    expect(started.sampled).toBeLessThanOrEqual(band.high);
    // The late process is the only client from here on, so it gets the whole reservoir back.
    await app.stop();
  });

  it('hands the rule to that process when the stand-in returns, and it samples by the rule', async () => {
    xray = await startXrayStandin({ port: xray.port, stateFile });
    const lateClient = await waitFor(
      'the late process to report for the Cruddur rule and hold a quota',
      async () => (await clientsWithQuota()).find((id) => !appClientIds.includes(id)),
      40_000,
      500,
    );
    expect(lateClient).toMatch(/^[0-9a-f]{24}$/);
    const seconds = 10;
    const run = await drive(late, seconds * 1000);
    const quota = (await xray.report()).quotas.find((q) => q.ClientID === lateClient)?.Quota ?? 0;
    const band = ruleBand(run.responses.length, seconds, quota, FIXED_RATE);
    findings.ruleReturnedBand = { requests: run.responses.length, quota, sampled: run.sampled, band };
    expect(quota).toBe(RESERVOIR);
    expect(run.sampled).toBeGreaterThanOrEqual(band.low);
    expect(run.sampled).toBeLessThanOrEqual(band.high);
  });
});
