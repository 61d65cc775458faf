import fs from 'node:fs';
import { CreateSamplingRuleCommand, type SamplingRule, XRayClient } from '@aws-sdk/client-xray';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientConfig, honeycombReport, otlpReport, tracesInXray } from '@cruddur/testkit/backends';
import { fromRoot } from '@cruddur/testkit/paths';
import { waitFor } from '@cruddur/testkit/processes';
import { type GatewayStack, startGatewayStack } from '@cruddur/testkit/stack';
import type { XrayStandinReport } from '@cruddur/testkit/standins';
import { logsOf, postLogs, syntheticTrace } from '@cruddur/testkit/synthetic-traces';
import { sendDaemonSegment } from '@cruddur/testkit/xray-daemon-client';

// The agent -> gateway tier as `make up-gateway` runs it (compose profile `gateway`, images
// built here): the agent container's own paths, which the process-level gateway test
// (otel-collector/test/gateway.test.ts) cannot show - its compose wiring, Docker's DNS, the
// published daemon port. Logs go straight to the CloudWatch OTLP stand-in; the agent plays the
// X-Ray daemon: its sampling proxy relays to the X-Ray control-plane stand-in, its segments go to
// a gateway and on to the vendors.

let stack: GatewayStack;
beforeAll(async () => {
  stack = await startGatewayStack({
    projectPrefix: 'cruddur-gw-stack',
    env: { GATEWAY_DECISION_WAIT: '2s', GATEWAY_HONEYCOMB_PERCENT: '100', GATEWAY_XRAY_PERCENT: '100' },
  });
});
afterAll(async () => {
  await stack?.down();
});

describe('the agent container of the gateway tier', () => {
  it('writes its logs to CloudWatch Logs directly: every record at the OTLP stand-in, signed, with its trace id', async () => {
    const traces = Array.from({ length: 5 }, () => syntheticTrace());
    const records = traces.flatMap(logsOf);
    await postLogs(stack.agentHttpUrl, records);
    const spanIds = new Set(records.map((r) => r.spanId));
    const logs = await waitFor(`${String(records.length)} records at the CloudWatch OTLP stand-in`, async () => {
      const found = (await otlpReport(stack.awsOtlpUrl)).logs.filter((l) => spanIds.has(l.spanId));
      return found.length >= records.length ? found : undefined;
    });
    expect(logs).toHaveLength(records.length);
    for (const r of records) expect(logs.find((l) => l.spanId === r.spanId)?.traceId, r.spanId).toBe(r.traceId);
    const requests = (await otlpReport(stack.awsOtlpUrl)).requests.filter((r) => r.signal === 'logs');
    expect(requests.length).toBeGreaterThan(0);
    for (const r of requests) expect(r).toMatchObject({ authorized: true, status: 200, auth: { service: 'logs' } });
    // None reached a vendor through a gateway: the gateways' Honeycomb holds no log record.
    expect((await honeycombReport(stack.honeycombUrl)).logs).toEqual([]);
  });

  it('serves the X-Ray rules on its daemon port, relayed signed to the control plane', async () => {
    const { SamplingRule: rule } = JSON.parse(fs.readFileSync(fromRoot('aws/json/xray.json'), 'utf8')) as { SamplingRule: SamplingRule };
    await new XRayClient(clientConfig(stack.xrayControl)).send(new CreateSamplingRuleCommand({ SamplingRule: rule }));
    const response = await fetch(`http://127.0.0.1:${String(stack.agentDaemonPort)}/GetSamplingRules`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { SamplingRuleRecords: Array<{ SamplingRule: SamplingRule }> };
    expect(body.SamplingRuleRecords.map((r) => r.SamplingRule.RuleName)).toEqual(['Cruddur', 'Default']);
    const report = (await (await fetch(`${stack.xrayControl.endpoint}/standin/received`)).json()) as XrayStandinReport;
    expect(report.calls.filter((c) => c.operation === 'GetSamplingRules').at(-1)).toMatchObject({
      status: 200,
      signature: { service: 'xray', region: stack.xrayControl.region },
    });
  });

  it('routes a UDP segment sent to its daemon port through a gateway to Honeycomb and X-Ray', async () => {
    const traceId = await sendDaemonSegment('127.0.0.1', stack.agentDaemonPort, { name: 'legacy-worker', annotations: { via: 'agent' } });
    const span = await waitFor('the segment at Honeycomb', async () =>
      (await honeycombReport(stack.honeycombUrl)).spans.find((s) => s.traceId === traceId),
    );
    expect(span.name).toBe('legacy-worker');
    const inXray = await waitFor('the segment at X-Ray', async () => {
      const found = await tracesInXray(stack.aws, [traceId]);
      return found.size === 1 ? found : undefined;
    });
    expect([...inXray]).toEqual([traceId]);
  });
});
