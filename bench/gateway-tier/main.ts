/**
 * The agent -> gateway tier against the single collector, side by side in one run: the
 * collector CPU each span costs, and the spans per second one gateway core handles with tail
 * sampling on. Started by `make bench-gateway`; writes docs/bench/results/gateway-tier.json and
 * prints the ratios.
 *
 * Each variant gets the same offered load: BENCH_TRACES_PER_S traces of 3 spans (synthetic
 * OTLP/HTTP JSON from this runner, so every variant pays the same receiver decode), for
 * BENCH_SECONDS after a warm-up, then a drain. CPU is user+system time from /proc of the
 * collector processes only (the runner and the stand-ins are not counted). The backends are the
 * Honeycomb stand-in (small record) and the null X-Ray endpoint of the collector-throughput
 * benchmark, so no backend is the limit.
 *   single          profile `vendors` (today's sidecar): one collector
 *   tier-shipped    profile `agent-static` + one `gateway` at the shipped shares and caps
 *   tier-keep-all   the same, every trace kept (100%, no cap): the tier's own cost, same output
 * Spans/s per gateway core = spans the gateway received / its CPU seconds: a CPU-derived figure at
 * this load, not a saturation test (the machine is shared; see docs/bench/notes.md).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { type Collector, startCollector } from '@cruddur/testkit/collector';
import { agentCollectorBin, repoRoot } from '@cruddur/testkit/paths';
import { freePort } from '@cruddur/testkit/ports';
import { cpuMicros, logDir, sleep, startProcess, waitForHttp } from '@cruddur/testkit/processes';
import { startHoneycomb } from '@cruddur/testkit/standins';
import { postSpans, syntheticTrace } from '@cruddur/testkit/synthetic-traces';
import { deploymentFiles } from '../../otel-collector/profiles.ts';

const TRACES_PER_S = Number(process.env.BENCH_TRACES_PER_S ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const WARMUP_S = 3;
const SPANS_PER_TRACE = 3;
const OUTPUT = process.env.BENCH_OUTPUT ?? path.join(repoRoot, 'docs/bench/results/gateway-tier.json');
const files = (name: string, standins: 'all' | []): string[] => deploymentFiles(name, standins).map((f) => path.join(repoRoot, f));

interface VariantResult {
  readonly name: string;
  readonly spansOffered: number;
  /** CPU µs per offered span, per process role. */
  readonly cpuMicrosPerSpan: Record<string, number>;
  readonly totalCpuMicrosPerSpan: number;
  readonly gatewaySpansPerCoreSecond?: number;
}

/** Offers the load for `seconds` to an OTLP/HTTP endpoint; returns the spans sent. */
async function offer(url: string, seconds: number): Promise<number> {
  const end = Date.now() + seconds * 1000;
  const perTick = TRACES_PER_S / 20; // every 50 ms
  let spans = 0;
  while (Date.now() < end) {
    const tick = Date.now();
    const traces = Array.from({ length: perTick }, () => syntheticTrace());
    await postSpans(
      url,
      traces.flatMap((t) => t.spans),
    );
    spans += perTick * SPANS_PER_TRACE;
    await sleep(Math.max(0, 50 - (Date.now() - tick)));
  }
  return spans;
}

async function measure(name: string, entry: Collector, roles: Record<string, Collector>, gatewayRole?: string): Promise<VariantResult> {
  const url = `http://127.0.0.1:${String(entry.ports.http)}`;
  await offer(url, WARMUP_S);
  await sleep(2000);
  const before = Object.fromEntries(Object.entries(roles).map(([role, c]) => [role, cpuMicros(c.proc.pid)]));
  const spansOffered = await offer(url, SECONDS);
  // Drain: queues flush (1 s) and the gateway's decisions (decision_wait, set to 2 s here) run.
  await sleep(5000);
  const cpu = Object.fromEntries(Object.entries(roles).map(([role, c]) => [role, cpuMicros(c.proc.pid) - (before[role] ?? 0)]));
  const perSpan = Object.fromEntries(Object.entries(cpu).map(([role, us]) => [role, Number((us / spansOffered).toFixed(2))]));
  const total = Object.values(cpu).reduce((a, b) => a + b, 0);
  const gatewayCpu = gatewayRole === undefined ? undefined : cpu[gatewayRole];
  return {
    name,
    spansOffered,
    cpuMicrosPerSpan: perSpan,
    totalCpuMicrosPerSpan: Number((total / spansOffered).toFixed(2)),
    ...(gatewayCpu === undefined ? {} : { gatewaySpansPerCoreSecond: Math.round(spansOffered / (gatewayCpu / 1e6)) }),
  };
}

async function main(): Promise<void> {
  const honeycomb = await startHoneycomb({ recordLimit: 1000 });
  const sinkPort = await freePort();
  const sink = startProcess(
    'xray-sink',
    process.execPath,
    [path.join(repoRoot, 'bench/collector-throughput/xray-sink.ts'), String(sinkPort)],
    {
      env: { PATH: process.env.PATH ?? '' },
    },
  );
  const sinkUrl = `http://127.0.0.1:${String(sinkPort)}`;
  await waitForHttp(sink, `${sinkUrl}/count`);
  const backends = { awsEndpoint: sinkUrl, honeycombEndpoint: honeycomb.grpcEndpoint };
  const results: VariantResult[] = [];
  try {
    const single = await startCollector({ name: 'single', configs: files('vendors', 'all'), ...backends });
    results.push(await measure('single', single, { collector: single }));
    await single.stop();

    for (const [name, env] of [
      ['tier-shipped', { GATEWAY_DECISION_WAIT: '2s' }],
      [
        'tier-keep-all',
        {
          GATEWAY_DECISION_WAIT: '2s',
          GATEWAY_HONEYCOMB_PERCENT: '100',
          GATEWAY_HONEYCOMB_SPANS_PER_SECOND: '1000000',
          GATEWAY_HONEYCOMB_BURST_SPANS: '1000000',
          GATEWAY_XRAY_PERCENT: '100',
          GATEWAY_XRAY_SPANS_PER_SECOND: '1000000',
          GATEWAY_XRAY_BURST_SPANS: '1000000',
        },
      ],
    ] as const) {
      const gateway = await startCollector({ name: `${name}-gateway`, configs: files('gateway', 'all'), env, ...backends });
      const agent = await startCollector({
        name: `${name}-agent`,
        binary: agentCollectorBin,
        configs: files('agent-static', []),
        env: {
          OTELCOL_GATEWAY_ENDPOINTS: `[127.0.0.1:${String(gateway.ports.grpc)}]`,
          OTELCOL_GATEWAY_HOST: '127.0.0.1',
          OTELCOL_GATEWAY_PORT: String(gateway.ports.grpc),
        },
      });
      results.push(await measure(name, agent, { agent, gateway }, 'gateway'));
      await agent.stop();
      await gateway.stop();
    }
  } finally {
    await honeycomb.stop();
    await sink.stop();
  }

  const single = results.find((r) => r.name === 'single')?.totalCpuMicrosPerSpan ?? Number.NaN;
  const ratios = Object.fromEntries(
    results.filter((r) => r.name !== 'single').map((r) => [r.name, Number((r.totalCpuMicrosPerSpan / single).toFixed(2))]),
  );
  const out = {
    benchmark: 'gateway-tier',
    date: new Date().toISOString(),
    host: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? 'unknown', loadavg: os.loadavg().map((l) => Number(l.toFixed(2))) },
    load: { tracesPerSecond: TRACES_PER_S, spansPerTrace: SPANS_PER_TRACE, seconds: SECONDS, encoding: 'OTLP/HTTP JSON' },
    targets: { cpuPerSpanRatioAtMost: 1.5, gatewaySpansPerCoreAtLeast: 10_000 },
    results,
    cpuPerSpanRatioToSingle: ratios,
    logs: logDir,
  };
  fs.mkdirSync(path.dirname(OUTPUT), { recursive: true });
  fs.writeFileSync(OUTPUT, `${JSON.stringify(out, null, 2)}\n`);
  for (const r of results) {
    console.log(
      `${r.name.padEnd(14)} CPU/span ${r.totalCpuMicrosPerSpan.toFixed(1)} µs ${JSON.stringify(r.cpuMicrosPerSpan)}` +
        (r.gatewaySpansPerCoreSecond === undefined ? '' : `; gateway ${String(r.gatewaySpansPerCoreSecond)} spans/s per core`),
    );
  }
  console.log(`CPU per span vs single collector: ${JSON.stringify(ratios)} (target <= 1.5)`);
  console.log(`wrote ${path.relative(repoRoot, OUTPUT)}`);
}

await main();
