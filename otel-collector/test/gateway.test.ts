import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { CreateSamplingRuleCommand, type SamplingRule, XRayClient } from '@aws-sdk/client-xray';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientConfig, tracesInXray } from '@cruddur/testkit/backends';
import { type Collector, startCollector } from '@cruddur/testkit/collector';
import { metricSum } from '@cruddur/testkit/metrics';
import { agentCollectorBin, repoRoot } from '@cruddur/testkit/paths';
import { newSpanId } from '@cruddur/testkit/trace-ids';
import { sendDaemonSegment } from '@cruddur/testkit/xray-daemon-client';
import { sleep, waitFor } from '@cruddur/testkit/processes';
import {
  type AwsOtlp,
  type Honeycomb,
  type Moto,
  REGION,
  startAwsOtlp,
  startHoneycomb,
  startMoto,
  startXrayStandin,
  type XrayStandin,
} from '@cruddur/testkit/standins';
import { logsOf, postLogs, postSpans, type SyntheticSpan, type SyntheticTrace, syntheticTrace } from '@cruddur/testkit/synthetic-traces';
import { deploymentFiles } from '../profiles.ts';

// The agent -> gateway tier as local processes: 2 agents (profile agent-static, the agent build)
// route by trace id to 3 gateways (profile gateway + stand-in overlays, the main build). Each
// gateway sends Honeycomb to its OWN Honeycomb stand-in, so the stand-in that holds a trace names
// the gateway that decided it. X-Ray is one moto for all three. The agents' logs go straight to
// CloudWatch Logs' OTLP endpoint: the OTLP stand-in in its aws mode, which checks SigV4. Each
// agent also plays the X-Ray daemon (as the single tier does): its sampling proxy relays to the
// X-Ray control-plane stand-in.

const GATEWAYS = 3;
const configFiles = (name: string, standins: 'all' | []): string[] => deploymentFiles(name, standins).map((f) => path.join(repoRoot, f));

interface Tier {
  readonly honeycombs: Honeycomb[];
  readonly gateways: Collector[];
  readonly agents: Collector[];
  /** When the gateways were up: their token buckets start full then. */
  readonly startedAt: number;
  stop: () => Promise<void>;
}

interface Standins {
  readonly moto: Moto;
  readonly awsOtlp: AwsOtlp;
  readonly xray: XrayStandin;
}

async function startTier(standins: Standins, gatewayEnv: Record<string, string>): Promise<Tier> {
  const honeycombs = await Promise.all(Array.from({ length: GATEWAYS }, () => startHoneycomb()));
  const gateways: Collector[] = [];
  for (const [i, honeycomb] of honeycombs.entries()) {
    gateways.push(
      await startCollector({
        name: `gateway-${String(i)}`,
        configs: configFiles('gateway', 'all'),
        awsEndpoint: standins.moto.url,
        honeycombEndpoint: honeycomb.grpcEndpoint,
        env: { GATEWAY_DECISION_WAIT: '2s', ...gatewayEnv },
      }),
    );
  }
  const startedAt = Date.now();
  const endpoints = `[${gateways.map((g) => `127.0.0.1:${String(g.ports.grpc)}`).join(', ')}]`;
  const agents: Collector[] = [];
  for (const i of [0, 1]) {
    agents.push(
      await startCollector({
        name: `agent-${String(i)}`,
        binary: agentCollectorBin,
        configs: configFiles('agent-static', 'all'),
        awsOtlpEndpoint: standins.awsOtlp.url,
        xrayControlEndpoint: standins.xray.url,
        env: {
          OTELCOL_GATEWAY_ENDPOINTS: endpoints,
          OTELCOL_GATEWAY_HOST: '127.0.0.1',
          OTELCOL_GATEWAY_PORT: String(gateways[0]?.ports.grpc ?? 0),
        },
      }),
    );
  }
  return {
    honeycombs,
    gateways,
    agents,
    startedAt,
    async stop() {
      await Promise.all([...agents, ...gateways].map((c) => c.stop()));
      await Promise.all(honeycombs.map((h) => h.stop()));
    },
  };
}

const agentUrl = (agent: Collector | undefined): string => `http://127.0.0.1:${String(agent?.ports.http ?? 0)}`;

/** Sends traces through the agents, alternating, several traces per request. */
async function sendThroughAgents(tier: Tier, traces: readonly SyntheticTrace[], perRequest = 10): Promise<void> {
  const requests: SyntheticSpan[][] = [];
  for (let i = 0; i < traces.length; i += perRequest) requests.push(traces.slice(i, i + perRequest).flatMap((t) => t.spans));
  for (let i = 0; i < requests.length; i += 8) {
    await Promise.all(requests.slice(i, i + 8).map((spans, j) => postSpans(agentUrl(tier.agents[(i + j) % 2]), spans)));
  }
}

/** trace id -> (gateway index -> span ids that gateway's Honeycomb holds). */
async function spansByGateway(tier: Tier): Promise<Map<string, Map<number, Set<string>>>> {
  const out = new Map<string, Map<number, Set<string>>>();
  const reports = await Promise.all(tier.honeycombs.map((h) => h.received()));
  reports.forEach((report, gateway) => {
    for (const span of report.spans) {
      const byGateway = out.get(span.traceId) ?? new Map<number, Set<string>>();
      const ids = byGateway.get(gateway) ?? new Set<string>();
      ids.add(span.spanId);
      byGateway.set(gateway, ids);
      out.set(span.traceId, byGateway);
    }
  });
  return out;
}

/** Waits until the held set stops growing for `quietMs` (the gateways' decisions are in). */
function settled<T>(what: string, read: () => Promise<T>, size: (value: T) => number, quietMs = 4000): Promise<T> {
  let last = -1;
  let since = Date.now();
  return waitFor(
    what,
    async () => {
      const value = await read();
      const n = size(value);
      if (n !== last) {
        last = n;
        since = Date.now();
        return;
      }
      return Date.now() - since >= quietMs ? value : undefined;
    },
    90_000,
    500,
  );
}

let moto: Moto;
let awsOtlp: AwsOtlp;
let xray: XrayStandin;
beforeAll(async () => {
  [moto, awsOtlp, xray] = await Promise.all([startMoto(), startAwsOtlp(), startXrayStandin()]);
});
afterAll(async () => {
  await Promise.all([moto?.stop(), awsOtlp?.stop(), xray?.stop()]);
});

/** A tier for the enclosing describe block: started before its tests, stopped after. */
function tierFor(gatewayEnv: Record<string, string>): () => Tier {
  let tier: Tier | undefined;
  beforeAll(async () => {
    tier = await startTier({ moto, awsOtlp, xray }, gatewayEnv);
  });
  afterAll(async () => {
    await tier?.stop();
  });
  return () => {
    if (tier === undefined) throw new Error('the tier did not start');
    return tier;
  };
}

describe('routing by trace id, and the rate caps under a burst (both shares 100%, shipped caps)', () => {
  const tier = tierFor({ GATEWAY_HONEYCOMB_PERCENT: '100', GATEWAY_XRAY_PERCENT: '100' });

  it('every trace arrives whole at exactly one gateway, including one whose spans come through two agents', async () => {
    const traces = Array.from({ length: 60 }, () => syntheticTrace());
    await sendThroughAgents(tier(), traces);
    // The root through agent 0, its children through agent 1, in separate requests.
    const split = syntheticTrace({ name: 'GET /api/messages' });
    const [root, ...children] = split.spans;
    if (root === undefined) throw new Error('no root');
    await postSpans(agentUrl(tier().agents[0]), [root]);
    await postSpans(agentUrl(tier().agents[1]), children, 'cruddur-worker');
    const all = [...traces, split];

    const held = await waitFor(
      'every trace at Honeycomb',
      async () => {
        const m = await spansByGateway(tier());
        return all.every((t) => m.has(t.traceId)) ? m : undefined;
      },
      60_000,
    );
    const perGateway = new Array<number>(GATEWAYS).fill(0);
    for (const t of all) {
      const byGateway = held.get(t.traceId);
      expect([...(byGateway?.keys() ?? [])], t.traceId).toHaveLength(1);
      const [[gateway, spanIds] = [-1, new Set<string>()]] = [...(byGateway ?? new Map<number, Set<string>>())];
      expect([...spanIds].sort(), t.traceId).toEqual(t.spans.map((s) => s.spanId).sort());
      perGateway[gateway] = (perGateway[gateway] ?? 0) + 1;
    }
    // Trace ids spread over the whole ring: every gateway decided some.
    for (const n of perGateway) expect(n).toBeGreaterThan(0);
    console.log(`routing: ${String(all.length)} traces per gateway ${perGateway.join('/')}`);
  });

  it('the shipped caps hold under a burst: Honeycomb 2 spans/s, burst 120; X-Ray 1 span/s, burst 20 (per gateway)', async () => {
    const burst = Array.from({ length: 600 }, () => syntheticTrace());
    const sentAt = Date.now();
    await sendThroughAgents(tier(), burst, 20);
    const ids = new Set(burst.map((t) => t.traceId));
    const held = await settled(
      'the burst decided at Honeycomb',
      () => spansByGateway(tier()),
      (m) => [...m.keys()].filter((id) => ids.has(id)).length,
    );
    const elapsedS = (Date.now() - tier().startedAt) / 1000;
    const keptSpans = new Array<number>(GATEWAYS).fill(0);
    for (const id of ids) {
      for (const [gateway, spanIds] of held.get(id) ?? new Map<number, Set<string>>()) {
        expect(spanIds.size, 'a capped trace is kept whole or not at all').toBe(3);
        keptSpans[gateway] = (keptSpans[gateway] ?? 0) + spanIds.size;
      }
    }
    const offered = burst.length * 3;
    const total = keptSpans.reduce((a, b) => a + b, 0);
    // Token bucket: at most the burst plus the rate over the gateway's whole life.
    for (const kept of keptSpans) expect(kept).toBeLessThanOrEqual(120 + 2 * elapsedS);
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThan(offered / 2);

    // X-Ray keeps 100% here too, so only its cap stands between the burst and the bill.
    const inXray = await tracesInXray(moto.access, [...ids]);
    const xrayRate = 1;
    expect(inXray.size * 3).toBeLessThanOrEqual(GATEWAYS * (20 + xrayRate * elapsedS));
    expect(inXray.size).toBeGreaterThan(0);
    console.log(
      `cap: burst of ${String(offered)} spans in ${String(Date.now() - sentAt)} ms; Honeycomb kept ${keptSpans.join('/')} spans per gateway (bound ${String(Math.floor(120 + 2 * elapsedS))} each); X-Ray kept ${String(inXray.size)} of ${String(burst.length)} traces at 100% (bound ${String(Math.floor((GATEWAYS * (20 + elapsedS)) / 3))})`,
    );
  });
});

describe('logs keep their direct path (shipped shares and caps)', () => {
  const tier = tierFor({});

  it('every log record reaches CloudWatch Logs signed, straight from its agent with its trace id; none crosses a gateway', async () => {
    // 20 traces of 3 spans, one correlated record per span: 60 records, half through each agent.
    const traces = Array.from({ length: 20 }, () => syntheticTrace());
    const records = traces.flatMap(logsOf);
    await sendThroughAgents(tier(), traces);
    await Promise.all(traces.map((t, i) => postLogs(agentUrl(tier().agents[i % 2]), logsOf(t))));
    const bySpan = new Map(records.map((r) => [r.spanId, r]));

    const atCloudWatch = await waitFor(
      `${String(records.length)} log records at the CloudWatch OTLP stand-in`,
      async () => {
        const found = (await awsOtlp.received()).logs.filter((l) => bySpan.has(l.spanId));
        return found.length >= records.length ? found : undefined;
      },
      60_000,
    );
    // Each record once, with the trace and span ids, body and severity it was sent with.
    expect(atCloudWatch).toHaveLength(records.length);
    for (const log of atCloudWatch) {
      const sent = bySpan.get(log.spanId);
      expect(log).toMatchObject({
        traceId: sent?.traceId,
        body: sent?.body,
        severityText: sent?.severityText,
        logGroup: 'cruddur',
        logStream: 'otel-collector',
        resource: { 'service.name': 'cruddur-backend' },
      });
    }
    // Every request to the Logs endpoint was signed for `logs` in the region, routing headers covered.
    const logRequests = (await awsOtlp.received()).requests.filter((r) => r.signal === 'logs');
    expect(logRequests.length).toBeGreaterThan(0);
    for (const r of logRequests) {
      expect(r, JSON.stringify(r)).toMatchObject({ authorized: true, status: 200 });
      expect(r.auth).toMatchObject({ service: 'logs', region: awsOtlp.access.region });
      expect(r.auth?.signedHeaders).toEqual(expect.arrayContaining(['host', 'x-amz-date', 'x-aws-log-group', 'x-aws-log-stream']));
    }
    // Sent by the agents themselves: their CloudWatch exporter counted every record ...
    const agentMetrics = await Promise.all(tier().agents.map((a) => a.metrics()));
    const sentByAgents = agentMetrics.map((m) => metricSum(m, 'otelcol_exporter_sent_log_records', { exporter: 'otlp_http/cloudwatch' }));
    expect(sentByAgents.reduce((a, b) => a + b, 0)).toBe(records.length);
    for (const n of sentByAgents) expect(n).toBe(records.length / 2);
    // ... and no gateway received a record, nor sent one to its vendors, while the traces did cross.
    const gatewayMetrics = await Promise.all(tier().gateways.map((g) => g.metrics()));
    for (const m of gatewayMetrics) {
      for (const name of [
        'otelcol_receiver_accepted_log_records',
        'otelcol_receiver_refused_log_records',
        'otelcol_exporter_sent_log_records',
      ]) {
        expect(metricSum(m, name), name).toBe(0);
      }
    }
    expect(gatewayMetrics.reduce((n, m) => n + metricSum(m, 'otelcol_receiver_accepted_spans'), 0)).toBeGreaterThanOrEqual(
      traces.length * 3,
    );
    const heldByGatewayVendors = (await Promise.all(tier().honeycombs.map((h) => h.received()))).flatMap((r) => r.logs);
    expect(heldByGatewayVendors).toEqual([]);
    console.log(
      `logs: ${String(atCloudWatch.length)}/${String(records.length)} records at CloudWatch, each with its trace id, in ${String(logRequests.length)} requests all signed for logs; sent by agents ${sentByAgents.join('/')}; at the gateways 0`,
    );
  });
});

describe('the X-Ray daemon role in the agent sidecar (both shares 100%)', () => {
  const tier = tierFor({ GATEWAY_HONEYCOMB_PERCENT: '100', GATEWAY_XRAY_PERCENT: '100' });
  const daemonUrl = (agent: Collector | undefined): string => `http://127.0.0.1:${String(agent?.ports.daemon ?? 0)}`;

  it("relays the app sampler's unsigned GetSamplingRules and SamplingTargets to X-Ray, signed, from either agent", async () => {
    // The seeds' rule, as make aws-setup applies it.
    const { SamplingRule: rule } = JSON.parse(fs.readFileSync(path.join(repoRoot, 'aws/json/xray.json'), 'utf8')) as {
      SamplingRule: SamplingRule;
    };
    await new XRayClient(clientConfig(xray.access)).send(new CreateSamplingRuleCommand({ SamplingRule: rule }));
    const before = (await xray.report()).calls.length;
    const clientId = randomBytes(12).toString('hex');
    for (const agent of tier().agents) {
      // What @opentelemetry/sampler-aws-xray POSTs to its endpoint: no signature, no credentials.
      const rules = await fetch(`${daemonUrl(agent)}/GetSamplingRules`, { method: 'POST', body: '{}' });
      expect(rules.status).toBe(200);
      const body = (await rules.json()) as { SamplingRuleRecords: Array<{ SamplingRule: SamplingRule }> };
      expect(body.SamplingRuleRecords.find((r) => r.SamplingRule.RuleName === 'Cruddur')?.SamplingRule).toMatchObject({
        FixedRate: 0.1,
        ReservoirSize: 5,
        ServiceName: 'cruddur-backend',
      });
      const targets = await fetch(`${daemonUrl(agent)}/SamplingTargets`, {
        method: 'POST',
        body: JSON.stringify({
          SamplingStatisticsDocuments: [
            { RuleName: 'Cruddur', ClientID: clientId, Timestamp: Date.now() / 1000, RequestCount: 10, SampledCount: 2, BorrowCount: 0 },
          ],
        }),
      });
      expect(targets.status).toBe(200);
      const answer = (await targets.json()) as {
        SamplingTargetDocuments: Array<{ RuleName: string; FixedRate: number; ReservoirQuota: number }>;
      };
      expect(answer.SamplingTargetDocuments).toEqual([expect.objectContaining({ RuleName: 'Cruddur', FixedRate: 0.1, ReservoirQuota: 5 })]);
    }
    // Two agents, two calls each, every one signed by the agent for xray in the region.
    const calls = (await xray.report()).calls.slice(before);
    expect(calls.map((c) => c.operation)).toEqual(['GetSamplingRules', 'GetSamplingTargets', 'GetSamplingRules', 'GetSamplingTargets']);
    for (const c of calls) expect(c).toMatchObject({ status: 200, signature: { service: 'xray', region: REGION } });
    console.log(
      `daemon proxy: ${String(calls.length)} sampling calls through 2 agents, all signed for xray (${REGION}), rule Cruddur 0.1 + 5/s served`,
    );
  });

  it('a UDP segment sent to an agent reaches exactly one gateway, and Honeycomb and X-Ray through it', async () => {
    const sent = await Promise.all(
      tier().agents.map((agent, i) =>
        sendDaemonSegment('127.0.0.1', agent?.ports.daemon ?? 0, { name: 'legacy-worker', annotations: { agent: i } }),
      ),
    );
    const held = await waitFor(
      'both segments at a gateway Honeycomb',
      async () => {
        const m = await spansByGateway(tier());
        return sent.every((id) => m.has(id)) ? m : undefined;
      },
      60_000,
    );
    const gateways = sent.map((id) => {
      const byGateway = held.get(id) ?? new Map<number, Set<string>>();
      expect([...byGateway.keys()], id).toHaveLength(1);
      expect([...byGateway.values()][0]?.size, id).toBe(1);
      return [...byGateway.keys()][0];
    });
    const spans = (await Promise.all(tier().honeycombs.map((h) => h.received()))).flatMap((r) => r.spans);
    for (const id of sent) expect(spans.find((sp) => sp.traceId === id)?.name, id).toBe('legacy-worker');
    const inXray = await waitFor(
      'both segments at X-Ray',
      async () => {
        const found = await tracesInXray(moto.access, sent);
        return found.size === sent.length ? found : undefined;
      },
      60_000,
      1000,
    );
    expect([...inXray].sort()).toEqual([...sent].sort());
    // The agents received them on the daemon port, not as OTLP from outside. A valid segment
    // counts twice in this counter (the UDP poller's and the receiver's operation:
    // test/reliability/malformed-input.test.ts measured it on v0.156.0; v0.161.0 does the same).
    const accepted = await Promise.all(
      tier().agents.map(async (a) => metricSum(await a.metrics(), 'otelcol_receiver_accepted_spans', { receiver: 'awsxray' })),
    );
    expect(accepted).toEqual([2, 2]);
    console.log(
      `daemon segments: 2/2 through the agents' awsxray receiver (accepted_spans ${accepted.join('/')}), decided at gateways ${gateways.join(', ')}, 2/2 at X-Ray`,
    );
  });
});

describe('per-vendor policies at the shipped shares (caps lifted so the share alone is measured)', () => {
  const tier = tierFor({
    GATEWAY_HONEYCOMB_SPANS_PER_SECOND: '1000000',
    GATEWAY_HONEYCOMB_BURST_SPANS: '1000000',
    GATEWAY_XRAY_SPANS_PER_SECOND: '1000000',
    GATEWAY_XRAY_BURST_SPANS: '1000000',
  });

  it('keeps every error and every slow trace at every vendor, and the share of the rest within tolerance', async () => {
    const ordinary = Array.from({ length: 1500 }, () => syntheticTrace());
    const errors = Array.from({ length: 20 }, () => syntheticTrace({ error: true, name: 'POST /api/activities' }));
    const slow = Array.from({ length: 20 }, () => syntheticTrace({ durationMs: 1500, name: 'GET /api/activities/search' }));
    const mixed = [...ordinary, ...errors, ...slow].sort(() => Math.random() - 0.5);
    await sendThroughAgents(tier(), mixed);
    const must = [...errors, ...slow].map((t) => t.traceId);

    const held = await waitFor(
      'every error and slow trace at Honeycomb',
      async () => {
        const m = await spansByGateway(tier());
        return must.every((id) => m.has(id)) ? m : undefined;
      },
      60_000,
    );
    const inXray = await waitFor(
      'every error and slow trace at X-Ray',
      async () => {
        const found = await tracesInXray(moto.access, must);
        return found.size === must.length ? found : undefined;
      },
      60_000,
      1000,
    );
    expect(inXray.size).toBe(40);
    for (const t of [...errors, ...slow]) expect([...(held.get(t.traceId)?.values() ?? [])][0]?.size, t.traceId).toBe(3);

    const ordinaryIds = ordinary.map((t) => t.traceId);
    const hc = await settled(
      'the ordinary traces decided at Honeycomb',
      () => spansByGateway(tier()),
      (m) => ordinaryIds.filter((id) => m.has(id)).length,
    );
    const keptHoneycomb = ordinaryIds.filter((id) => hc.has(id)).length;
    await sleep(3000);
    const keptXray = (await tracesInXray(moto.access, ordinaryIds)).size;

    // Binomial tolerance: 3.5 standard deviations around n*p (a false failure about 1 in 2,000 runs).
    const within = (p: number): [number, number] => {
      const n = ordinary.length;
      const sd = Math.sqrt(n * p * (1 - p));
      return [Math.floor(n * p - 3.5 * sd), Math.ceil(n * p + 3.5 * sd)];
    };
    const [hLow, hHigh] = within(0.1);
    const [xLow, xHigh] = within(0.01);
    console.log(
      `shares: Honeycomb kept ${String(keptHoneycomb)}/1500 ordinary (${(keptHoneycomb / 15).toFixed(1)}%, tolerance ${String(hLow)}-${String(hHigh)}), X-Ray ${String(keptXray)}/1500 (tolerance ${String(xLow)}-${String(xHigh)}); errors and slow 40/40 at both`,
    );
    expect(keptHoneycomb).toBeGreaterThanOrEqual(hLow);
    expect(keptHoneycomb).toBeLessThanOrEqual(hHigh);
    expect(keptXray).toBeGreaterThanOrEqual(Math.max(1, xLow));
    expect(keptXray).toBeLessThanOrEqual(xHigh);
    expect(keptHoneycomb).toBeGreaterThan(keptXray);
  });
});

describe('late spans follow the decision (decision cache), after the trace left num_traces', () => {
  // num_traces 50 per gateway: 300 later traces push the decided ones out of the buffer, so
  // only the decision cache can still know them.
  const tier = tierFor({
    GATEWAY_NUM_TRACES: '50',
    GATEWAY_HONEYCOMB_SPANS_PER_SECOND: '1000000',
    GATEWAY_HONEYCOMB_BURST_SPANS: '1000000',
  });

  it("a late ordinary span of a kept error trace is kept too, though alone it would fall in the 10% share's other 90%", async () => {
    const errors = Array.from({ length: 12 }, () => syntheticTrace({ error: true, name: 'POST /api/activities' }));
    await sendThroughAgents(tier(), errors);
    await waitFor(
      'the error traces at Honeycomb',
      async () => {
        const m = await spansByGateway(tier());
        return errors.every((t) => m.has(t.traceId)) ? true : undefined;
      },
      60_000,
    );
    await sendThroughAgents(
      tier(),
      Array.from({ length: 300 }, () => syntheticTrace()),
    );
    await sleep(4000); // their decisions (decision_wait 2 s) are in: the error traces left the buffer
    const late = errors.map((t) => {
      const [root] = t.spans;
      if (root === undefined) throw new Error('no root');
      const now = Date.now();
      return {
        traceId: t.traceId,
        spanId: newSpanId(),
        parentSpanId: root.spanId,
        name: 'late.browser.span',
        startMs: now - 5,
        endMs: now,
        error: false,
      };
    });
    await Promise.all(late.map((span, i) => postSpans(agentUrl(tier().agents[i % 2]), [span], 'cruddur-frontend')));
    const held = await waitFor(
      'every late span at Honeycomb',
      async () => {
        const m = await spansByGateway(tier());
        return late.every((s) => [...(m.get(s.traceId)?.values() ?? [])].some((ids) => ids.has(s.spanId))) ? m : undefined;
      },
      30_000,
    );
    // Still one gateway per trace: the late span went where its trace was decided.
    for (const s of late) expect([...(held.get(s.traceId)?.keys() ?? [])], s.traceId).toHaveLength(1);
  });
});
