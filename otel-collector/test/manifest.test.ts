import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { agentCollectorBin, collectorBin, repoRoot } from '@cruddur/testkit/paths';

// The promise behind our distribution: every config we ship also runs on the official ADOT
// v0.49.0 collector, because our binary contains only ADOT's components at ADOT's versions.

type Kind = 'receivers' | 'processors' | 'exporters' | 'extensions';
const KINDS: Kind[] = ['receivers', 'processors', 'exporters', 'extensions'];

interface Adot {
  adot_version: string;
  versions: { contrib: string; core: string; core_stable: string };
  components: Record<Kind, Record<string, string>> & { connectors: Record<string, string> };
}
interface Manifest {
  dist: { name: string; output_path: string };
  receivers: Array<{ gomod: string }>;
  processors: Array<{ gomod: string }>;
  exporters: Array<{ gomod: string }>;
  extensions: Array<{ gomod: string }>;
  connectors?: unknown[];
  telemetry: { gomod: string; import: string };
  providers: Array<{ gomod: string }>;
  replaces: string[];
}

const read = <T>(rel: string): T => parse(fs.readFileSync(path.join(repoRoot, rel), 'utf8')) as T;
const adot = read<Adot>('otel-collector/adot-components.yaml');
const manifest = read<Manifest>('otel-collector/builder-config.yaml');
const CONTRIB = 'github.com/open-telemetry/opentelemetry-collector-contrib/';

const split = (gomod: string): { mod: string; version: string } => {
  const [mod = '', version = ''] = gomod.trim().split(/\s+/);
  return { mod, version };
};
const expectedVersion = (mod: string): string => (mod.startsWith(CONTRIB) ? adot.versions.contrib : adot.versions.core);
const modulesOf = (kind: Kind): string[] => manifest[kind].map((m) => split(m.gomod).mod);

// The list. loadbalancing is the one ADOT component we cannot build: the module proxy
// serves no exporter/loadbalancingexporter at v0.156.0 (README.md, "Deviations").
const REQUIRED: Record<Kind, string[]> = {
  receivers: ['otlp', 'awsxray'],
  processors: [
    'batch',
    'memory_limiter',
    'attributes',
    'resource',
    'resource_detection',
    'filter',
    'tail_sampling',
    'probabilistic_sampler',
    'groupbytrace',
  ],
  exporters: ['otlp_grpc', 'otlp_http', 'awsxray', 'awscloudwatchlogs', 'awsemf', 'debug', 'file'],
  extensions: ['health_check', 'pprof', 'zpages', 'awsproxy', 'file_storage', 'sigv4auth'],
};

describe('builder-config.yaml against ADOT v0.49.0', () => {
  it('records the ADOT version and the versions it is built on', () => {
    expect(adot.adot_version).toBe('v0.49.0');
    expect(adot.versions).toEqual({ contrib: 'v0.156.0', core: 'v0.156.0', core_stable: 'v1.62.0' });
  });

  it.each(KINDS)("uses only %s that ADOT ships, at ADOT's versions", (kind) => {
    const allowed = Object.values(adot.components[kind]);
    expect(manifest[kind].length).toBeGreaterThan(0);
    for (const { gomod } of manifest[kind]) {
      const { mod, version } = split(gomod);
      expect(allowed, `${mod} is not an ADOT ${kind.slice(0, -1)}`).toContain(mod);
      expect(version, mod).toBe(expectedVersion(mod));
    }
  });

  it('has no connectors, like ADOT', () => {
    expect(manifest.connectors ?? []).toEqual([]);
    expect(adot.components.connectors).toEqual({});
  });

  it.each(KINDS)('contains every %s the issue asks for', (kind) => {
    for (const name of REQUIRED[kind]) {
      const mod = adot.components[kind][name];
      expect(mod, `${name} missing from adot-components.yaml`).toBeDefined();
      expect(modulesOf(kind), name).toContain(mod);
    }
  });

  it('documents the one ADOT component it leaves out, and leaves it out', () => {
    const lb = adot.components.exporters.loadbalancing;
    expect(lb).toBeDefined();
    expect(modulesOf('exporters')).not.toContain(lb);
    expect(fs.readFileSync(path.join(repoRoot, 'otel-collector/builder-config.yaml'), 'utf8')).toMatch(/loadbalancing .*left out/);
  });

  it("pins telemetry and confmap providers to ADOT's core versions", () => {
    expect(split(manifest.telemetry.gomod)).toEqual({ mod: 'go.opentelemetry.io/collector/service', version: adot.versions.core });
    expect(manifest.telemetry.import).toBe('go.opentelemetry.io/collector/service/telemetry/otelconftelemetry');
    for (const p of manifest.providers) expect(split(p.gomod).version).toBe(adot.versions.core_stable);
    // Only local sources: no provider that fetches configuration over the network.
    expect(manifest.providers.map((p) => split(p.gomod).mod.split('/').pop())).toEqual(['envprovider', 'fileprovider', 'yamlprovider']);
  });

  it('replaces only contrib helper modules, and only with older versions (so nothing is upgraded)', () => {
    const minor = (v: string): number => Number(v.split('.')[1]);
    const target = minor(adot.versions.contrib);
    expect(manifest.replaces.length).toBeGreaterThan(0);
    for (const r of manifest.replaces) {
      const m = /^(\S+) => (\S+) (v\d+\.\d+\.\d+)$/.exec(r);
      expect(m, r).not.toBeNull();
      const [, from = '', to = '', version = ''] = m ?? [];
      expect(from).toBe(to);
      expect(from).toMatch(new RegExp(`^${CONTRIB}(internal|pkg)/`));
      expect(minor(version), r).toBeLessThan(target);
    }
  });
});

interface ComponentsOutput {
  buildinfo: { command: string; version: string };
  receivers: Array<{ name: string; module: string }>;
  processors: Array<{ name: string; module: string }>;
  exporters: Array<{ name: string; module: string }>;
  extensions: Array<{ name: string; module: string }>;
  connectors: unknown[];
}

describe('the built binary', () => {
  const out = parse(execFileSync(collectorBin, ['components'], { encoding: 'utf8' })) as ComponentsOutput;

  it('is the Cruddur distribution', () => {
    expect(out.buildinfo).toMatchObject({ command: 'otelcol-cruddur', version: '0.49.0-cruddur' });
  });

  it.each(KINDS)('registers only ADOT %s, from the pinned modules', (kind) => {
    const declared = manifest[kind].map((m) => m.gomod);
    expect(out[kind].map((c) => c.module).sort()).toEqual([...declared].sort());
    for (const c of out[kind]) {
      expect(Object.keys(adot.components[kind]), c.name).toContain(c.name);
      expect(c.module.startsWith(`${adot.components[kind][c.name]} `), c.name).toBe(true);
    }
  });

  it('registers no connector', () => {
    expect(out.connectors).toEqual([]);
  });

  it('is statically linked', () => {
    // An ELF with a PT_INTERP program header needs a dynamic loader; a static one has none.
    const elf = fs.readFileSync(collectorBin);
    expect(elf.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    const phoff = Number(elf.readBigUInt64LE(0x20));
    const phentsize = elf.readUInt16LE(0x36);
    const phnum = elf.readUInt16LE(0x38);
    const types = Array.from({ length: phnum }, (_, i) => elf.readUInt32LE(phoff + i * phentsize));
    expect(types.length).toBeGreaterThan(0);
    expect(types).not.toContain(3); // PT_INTERP
    expect(types).not.toContain(2); // PT_DYNAMIC
  });
});

// The agent build (builder-config-agent.yaml): only ADOT components, all from ONE release (the
// newest the proxy serves whole for this set), loadbalancing among them. README.md, "Why two builds".
describe('builder-config-agent.yaml', () => {
  const agent = read<Manifest>('otel-collector/builder-config-agent.yaml');
  const CORE = 'go.opentelemetry.io/collector/';
  const all = KINDS.flatMap((kind) => agent[kind].map((m) => ({ kind, ...split(m.gomod) })));
  const release = split(agent.telemetry.gomod).version;

  it.each(KINDS)('uses only %s that ADOT v0.49.0 ships', (kind) => {
    const allowed = Object.values(adot.components[kind]);
    for (const { gomod } of agent[kind]) expect(allowed, gomod).toContain(split(gomod).mod);
  });

  // The one component the proxy refuses at the release (403 "This module version is not
  // available"), at the newest older version it serves (README.md, "Why two builds"). Nothing else
  // may leave the release.
  const OLDER_COMPONENTS: Record<string, string> = { [`${CONTRIB}extension/sigv4authextension`]: 'v0.159.0' };
  const minor = (v: string): number => Number(v.split('.')[1]);

  it('is one release: every contrib and v0.x core module, the telemetry and the providers', () => {
    expect(release).toMatch(/^v0\.\d+\.0$/);
    for (const m of all) {
      expect(m.mod.startsWith(CONTRIB) || m.mod.startsWith(CORE), m.mod).toBe(true);
      expect(m.version, m.mod).toBe(OLDER_COMPONENTS[m.mod] ?? release);
    }
    for (const [mod, version] of Object.entries(OLDER_COMPONENTS)) {
      expect(
        all.map((m) => m.mod),
        mod,
      ).toContain(mod);
      expect(minor(version), mod).toBeLessThan(minor(release));
    }
    // Core's stable modules are numbered v1.(minor - 94) alongside v0.minor (v0.156.0 / v1.62.0).
    const stable = `v1.${String(Number(release.split('.')[1]) - 94)}.0`;
    expect(adot.versions.core_stable).toBe(`v1.${String(Number(adot.versions.core.split('.')[1]) - 94)}.0`);
    for (const p of agent.providers) expect(split(p.gomod).version).toBe(stable);
  });

  it('has loadbalancing and what base.yaml declares, nothing the agent does not need', () => {
    const names = (kind: Kind): string[] =>
      agent[kind].map((m) => Object.entries(adot.components[kind]).find(([, mod]) => mod === split(m.gomod).mod)?.[0] ?? '?');
    // awsxray: the X-Ray daemon role (UDP segments, the sampling proxy the app's xray sampler polls).
    expect(names('receivers').sort()).toEqual(['awsxray', 'otlp']);
    expect(names('exporters').sort()).toEqual(['debug', 'loadbalancing', 'otlp_grpc', 'otlp_http']);
    expect(names('processors').sort()).toEqual(['attributes', 'batch', 'filter', 'memory_limiter', 'resource', 'resource_detection']);
    // sigv4auth: the agent signs its logs to CloudWatch Logs' OTLP endpoint (cloudwatch-otlp.yaml).
    expect(names('extensions').sort()).toEqual(['file_storage', 'health_check', 'pprof', 'sigv4auth', 'zpages']);
  });

  it("replaces only third-party modules and contrib's internal/aws helpers (older), never a component or core module", () => {
    const parsed = agent.replaces.map((r) => {
      const m = /^(\S+) => (\S+) (v\d+\.\d+\.\d+)$/.exec(r);
      expect(m, r).not.toBeNull();
      const [, from = '', to = '', version = ''] = m ?? [];
      expect(from, r).toBe(to);
      expect(from.startsWith(CORE), r).toBe(false);
      return { r, from, version };
    });
    for (const { r, from, version } of parsed.filter((p) => p.from.startsWith(CONTRIB))) {
      expect(from, r).toMatch(new RegExp(`^${CONTRIB}internal/aws/`));
      expect(minor(version), r).toBeLessThan(minor(release));
    }
  });

  it('the built agent binary registers exactly these modules, under ADOT names, statically linked', () => {
    const out = parse(execFileSync(agentCollectorBin, ['components'], { encoding: 'utf8' })) as ComponentsOutput;
    expect(out.buildinfo).toMatchObject({ command: 'otelcol-cruddur-agent', version: '0.49.0-cruddur-agent' });
    for (const kind of KINDS) {
      expect(out[kind].map((c) => c.module).sort(), kind).toEqual(agent[kind].map((m) => m.gomod).sort());
      // By module: v0.157.0 renamed loadbalancing to load_balancing and kept `loadbalancing`, the
      // name ADOT v0.49.0 records and the one agent.yaml uses, as its deprecated alias.
      for (const c of out[kind]) expect(Object.values(adot.components[kind]), c.name).toContain(c.module.split(' ')[0]);
    }
    expect(out.connectors).toEqual([]);
  });
});
