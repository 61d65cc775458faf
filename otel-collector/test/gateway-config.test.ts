import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { config, repoRoot } from '@cruddur/testkit/paths';
import { collectorBinary, deploymentFiles, profile } from '../profiles.ts';

// The agent -> gateway tier as config: the agent routes traces by trace id, each gateway file
// inserts exactly its own tail_sampling into its vendor's pipeline and nothing else, and the
// budget numbers are the free tiers' arithmetic.

interface Pipeline {
  receivers?: string[];
  processors?: string[];
  exporters?: string[];
}
interface Policy {
  name: string;
  type: string;
  and?: { and_sub_policy: Policy[] };
  probabilistic?: { hash_salt: string; sampling_percentage: string | number };
  rate_limiting?: { spans_per_second: string | number; burst_capacity: string | number };
  latency?: { threshold_ms: string | number };
  status_code?: { status_codes: string[] };
}
interface TailSampling {
  decision_wait: string;
  num_traces: string | number;
  decision_cache: { sampled_cache_size: number; non_sampled_cache_size: number };
  sample_on_first_match: boolean;
  policies: Policy[];
}
interface ConfigFile {
  receivers?: Record<string, unknown>;
  processors?: Record<string, unknown>;
  exporters?: Record<string, Record<string, unknown>>;
  extensions?: Record<string, unknown>;
  service?: { pipelines?: Record<string, Pipeline>; extensions?: string[] };
}

const load = (file: string): ConfigFile => (parse(fs.readFileSync(file, 'utf8')) ?? {}) as ConfigFile;
/** The default of an `${env:NAME:-default}` value, as a number. */
const envDefault = (value: string | number | undefined): number => {
  if (typeof value === 'number') return value;
  const m = /^\$\{env:[A-Z_]+:-([0-9.]+)\}$/.exec(value ?? '');
  if (m?.[1] === undefined) throw new Error(`not an env reference with a numeric default: ${String(value)}`);
  return Number(m[1]);
};

const SECONDS_PER_MONTH = 30 * 86_400;
const GATEWAYS = 3;

const VENDORS = [
  { vendor: 'honeycomb', pipeline: 'traces/honeycomb' },
  { vendor: 'xray', pipeline: 'traces/xray' },
] as const;

describe.each(VENDORS)('gateway-$vendor.yaml', ({ vendor, pipeline }) => {
  const file = load(config(`gateway-${vendor}`));
  const id = `tail_sampling/${vendor}`;
  const ts = file.processors?.[id] as TailSampling;

  it(`declares only ${id} and inserts it into ${pipeline} after filter/health, re-batching at the end`, () => {
    expect(Object.keys(file.processors ?? {})).toEqual([id]);
    expect(file.receivers).toBeUndefined();
    expect(file.exporters).toBeUndefined();
    expect(file.extensions).toBeUndefined();
    expect(Object.keys(file.service?.pipelines ?? {})).toEqual([pipeline]);
    const own = file.service?.pipelines?.[pipeline];
    expect(Object.keys(own ?? {})).toEqual(['processors']);
    const vendorList = load(config(vendor)).service?.pipelines?.[pipeline]?.processors ?? [];
    const at = vendorList.indexOf('filter/health') + 1;
    expect(at).toBeGreaterThan(0);
    // batch last: tail sampling releases one request per trace; the persistent queue writes each.
    expect(vendorList).not.toContain('batch');
    expect(own?.processors).toEqual([...vendorList.slice(0, at), id, ...vendorList.slice(at), 'batch']);
  });

  it('keeps errors, then slow traces, then a share AND a cap; the first match decides', () => {
    expect(ts.sample_on_first_match).toBe(true);
    expect(ts.policies.map((p) => p.name)).toEqual(['errors', 'slow', 'share']);
    expect(ts.policies[0]).toMatchObject({ type: 'status_code', status_code: { status_codes: ['ERROR'] } });
    expect(ts.policies[1]?.type).toBe('latency');
    expect(envDefault(ts.policies[1]?.latency?.threshold_ms)).toBe(1000);
    const subs = ts.policies[2]?.and?.and_sub_policy ?? [];
    expect(subs.map((p) => p.type)).toEqual(['probabilistic', 'rate_limiting']);
    expect(subs[0]?.probabilistic?.hash_salt).toBe(`cruddur-${vendor}`);
  });

  it('bounds memory and remembers decisions for late spans (decision cache >= 10x num_traces)', () => {
    const numTraces = envDefault(ts.num_traces);
    expect(numTraces).toBeGreaterThan(0);
    expect(ts.decision_cache.sampled_cache_size).toBeGreaterThanOrEqual(10 * numTraces);
    expect(ts.decision_cache.non_sampled_cache_size).toBeGreaterThanOrEqual(10 * numTraces);
  });
});

describe('per-vendor budgets are the free tiers divided over the month and the gateways', () => {
  const cap = (vendor: string): { rate: number; burst: number; percent: number } => {
    const ts = load(config(`gateway-${vendor}`)).processors?.[`tail_sampling/${vendor}`] as TailSampling;
    const [prob, rate] = ts.policies[2]?.and?.and_sub_policy ?? [];
    return {
      rate: envDefault(rate?.rate_limiting?.spans_per_second),
      burst: envDefault(rate?.rate_limiting?.burst_capacity),
      percent: envDefault(prob?.probabilistic?.sampling_percentage),
    };
  };

  it('Honeycomb: 20M events/month, 75% of it for the share, over 3 gateways = 2 spans/s each', () => {
    const perGateway = ((20_000_000 / SECONDS_PER_MONTH) * 0.75) / GATEWAYS;
    expect(perGateway).toBeCloseTo(1.93, 2);
    const { rate, burst, percent } = cap('honeycomb');
    expect(rate).toBe(Math.round(perGateway));
    expect(rate * GATEWAYS * SECONDS_PER_MONTH).toBeLessThanOrEqual(20_000_000);
    expect(burst).toBe(rate * 60);
    expect(percent).toBe(10);
  });

  it("X-Ray: 100k traces/month is below rate_limiting's 1 span/s floor, so the 1% share budgets and the cap bounds", () => {
    const tracesPerSecondFleet = 100_000 / SECONDS_PER_MONTH;
    expect(tracesPerSecondFleet).toBeCloseTo(0.0386, 4);
    const { rate, burst, percent } = cap('xray');
    expect(rate).toBe(1);
    expect(burst).toBe(20);
    expect(percent).toBe(1);
    // The share keeps the free tier up to 3.9 ordinary traces/s across the fleet.
    expect(tracesPerSecondFleet / (percent / 100)).toBeCloseTo(3.86, 2);
    // Honeycomb keeps more than X-Ray.
    expect(cap('honeycomb').percent).toBeGreaterThan(percent);
  });
});

describe('agent', () => {
  const agentBin = path.join(repoRoot, collectorBinary('agent'));
  const env = {
    PATH: '/usr/bin:/bin',
    OTELCOL_GATEWAY_ENDPOINTS: '[10.0.0.1:4317, 10.0.0.2:4317]',
    // sigv4auth (aws-sigv4.yaml) resolves credentials while loading: an obviously fake pair.
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'print-config-only-not-a-key',
    AWS_SECRET_ACCESS_KEY: 'print-config-only-not-a-secret',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  // print-config lists every resolver the exporter knows, the unset ones as null.
  const configured = (resolver: Record<string, unknown>): string[] => Object.keys(resolver).filter((k) => resolver[k] !== null);
  const printConfig = (name: string): ConfigFile => {
    const files = deploymentFiles(name, []).map((f) => path.join(repoRoot, f));
    return parse(
      execFileSync(agentBin, ['print-config', ...files.flatMap((f) => ['--config', f])], { env, encoding: 'utf8' }),
    ) as ConfigFile;
  };

  it('runs on the agent build; the gateway on the main build', () => {
    expect(profile('agent').build).toBe('agent');
    expect(profile('agent-static').build).toBe('agent');
    expect(profile('gateway').build).toBe('cruddur');
    expect(profile('stack').build).toBe('cruddur');
  });

  it('routes traces by trace id to every gateway of the static list (merged config)', () => {
    const merged = printConfig('agent-static');
    const lb = merged.exporters?.['loadbalancing/gateway'] as {
      routing_key: string;
      resolver: Record<string, { hostnames: string[] } | null>;
    };
    expect(lb.routing_key).toBe('traceID');
    expect(configured(lb.resolver)).toEqual(['static']);
    expect(lb.resolver.static?.hostnames).toEqual(['10.0.0.1:4317', '10.0.0.2:4317']);
    expect(merged.service?.pipelines?.['traces/agent']?.exporters).toEqual(['loadbalancing/gateway']);
  });

  it.each(['agent', 'agent-static'])(
    '%s: logs keep their direct path, signed to CloudWatch Logs, and no exporter of a logs pipeline points at a gateway',
    (name) => {
      const merged = printConfig(name);
      const logs = Object.entries(merged.service?.pipelines ?? {}).filter(([id]) => id.startsWith('logs/'));
      // The single tier's stack sends logs to CloudWatch only; the agent mirrors it, over OTLP.
      expect(logs.map(([id, p]) => [id, p.exporters])).toEqual([['logs/cloudwatch-otlp', ['otlp_http/cloudwatch']]]);
      const cw = merged.exporters?.['otlp_http/cloudwatch'] as { logs_endpoint: string; auth: { authenticator: string } };
      expect(cw.logs_endpoint).toBe('https://logs.us-east-1.amazonaws.com/v1/logs');
      expect(cw.auth.authenticator).toBe('sigv4auth/logs');
      expect(merged.service?.extensions).toContain('sigv4auth/logs');
      // Nothing but the trace-id-routed loadbalancing exporter knows the gateways (the static list's
      // 10.0.0.x, the DNS name `gateway`); the daemon role's loopback goes to the agent itself.
      const gatewayBound = Object.entries(merged.exporters ?? {})
        .filter(([, e]) => /10\.0\.0\.|"gateway(:\d+)?"/.test(JSON.stringify(e)))
        .map(([id]) => id);
      expect(gatewayBound).toEqual(['loadbalancing/gateway']);
    },
  );

  it.each(['agent', 'agent-static'])('%s: plays the X-Ray daemon, its segments looped into the trace-id-routed traces path', (name) => {
    const merged = printConfig(name);
    expect(merged.service?.pipelines?.['traces/xray-daemon']).toMatchObject({ receivers: ['awsxray'], exporters: ['otlp_grpc/loopback'] });
    // The loopback reaches the agent's own OTLP receiver, which feeds traces/agent.
    expect(merged.exporters?.['otlp_grpc/loopback']).toMatchObject({ endpoint: '127.0.0.1:4317' });
    expect(merged.service?.pipelines?.['traces/agent']?.receivers).toEqual(['otlp']);
    const awsxray = merged.receivers?.awsxray as { endpoint: string; transport: string; proxy_server: { endpoint: string } };
    expect(awsxray).toMatchObject({ transport: 'udp', endpoint: '0.0.0.0:2000', proxy_server: { endpoint: '0.0.0.0:2000' } });
  });

  it('the gateway has no logs pipeline: nothing sends it logs', () => {
    const files = deploymentFiles('gateway', []).map((f) => path.join(repoRoot, f));
    const merged = parse(
      execFileSync(path.join(repoRoot, collectorBinary('cruddur')), ['print-config', ...files.flatMap((f) => ['--config', f])], {
        env: { ...env, AWS_REGION: 'us-east-1', HONEYCOMB_API_KEY: 'print-config-only' },
        encoding: 'utf8',
      }),
    ) as ConfigFile;
    expect(Object.keys(merged.service?.pipelines ?? {}).filter((id) => id.startsWith('logs/'))).toEqual([]);
    expect(deploymentFiles('gateway', [])).not.toContain('otel-collector/config/cloudwatch.yaml');
  });

  it('resolves the gateways from DNS in deployments (one resolver only)', () => {
    const merged = printConfig('agent');
    const lb = merged.exporters?.['loadbalancing/gateway'] as { resolver: Record<string, Record<string, unknown> | null> };
    expect(configured(lb.resolver)).toEqual(['dns']);
    expect(lb.resolver.dns).toMatchObject({ hostname: 'gateway', port: '4317', interval: '5s' });
  });
});
