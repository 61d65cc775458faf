import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { collectorBin, config, configDir, daemonConfig, repoRoot } from '@cruddur/testkit/paths';
import { collectorArgs, collectorBinary, deploymentFiles, profile, readProfiles, type StandinVendor } from '../profiles.ts';

// The config layout's rules: one file per vendor, each adding only its own named pipelines on
// the shared receiver, secrets only from the environment, and every documented combination
// valid for the real binary.

interface Pipeline {
  receivers: string[];
  processors?: string[];
  exporters: string[];
}
interface ServiceSection {
  pipelines?: Record<string, Pipeline>;
  extensions?: string[];
}
interface ConfigFile {
  receivers?: Record<string, unknown>;
  exporters?: Record<string, unknown>;
  service?: ServiceSection;
}

interface HttpExporter {
  traces_endpoint?: string;
  logs_endpoint?: string;
  auth?: { authenticator?: string };
  headers?: Record<string, string>;
}

const load = (file: string): ConfigFile => (parse(fs.readFileSync(file, 'utf8')) ?? {}) as ConfigFile;

// Which pipelines each vendor file owns; the names carry the vendor so merges cannot collide.
const OWNED: Record<string, string[]> = {
  [config('honeycomb')]: ['traces/honeycomb'],
  [config('honeycomb-logs')]: ['logs/honeycomb'],
  [config('xray')]: ['traces/xray', 'traces/xray-send'],
  [config('cloudwatch')]: ['logs/cloudwatch'],
  [config('xray-otlp')]: ['traces/xray-otlp'],
  [config('cloudwatch-otlp')]: ['logs/cloudwatch-otlp'],
  [daemonConfig]: ['traces/xray-daemon'],
  [config('browser')]: ['traces/browser'],
  [config('viewer')]: ['traces/viewer', 'logs/viewer'],
  [config('agent')]: ['traces/agent'],
};

// The receivers for foreign input loop into the shared one; every other pipeline reads the shared one.
const FOREIGN_RECEIVER: Record<string, string> = { [daemonConfig]: 'awsxray', [config('browser')]: 'otlp/browser' };

// Every deployment otel-collector/profiles.yaml documents: each profile bare and with all its
// stand-in overlays (what `make validate` iterates), as absolute paths.
const manifest = readProfiles();
const abs = (files: readonly string[]): string[] => files.map((f) => path.join(repoRoot, f));
const combinations = manifest.profiles.flatMap((p) => [
  { name: p.name, files: abs(deploymentFiles(p.name, [])) },
  ...(p.standins.length > 0 ? [{ name: `${p.name}+standins`, files: abs(deploymentFiles(p.name, 'all')) }] : []),
]);
// The binary each profile runs on (agent profiles: the agent build).
const binaryOf = (name: string): string => path.join(repoRoot, collectorBinary(profile(name.replace(/\+standins$/, '')).build));

// Only what validation needs: no secret, so a config cannot depend on one to be valid.
// validate binds the daemon role's UDP port: an ephemeral one keeps it independent of a running stack.
const VALIDATE_ENV = {
  PATH: '/usr/bin:/bin',
  AWS_REGION: 'us-east-1',
  AWS_EC2_METADATA_DISABLED: 'true',
  XRAY_DAEMON_HOST: '127.0.0.1',
  XRAY_DAEMON_PORT: '0',
};
const args = (files: string[]): string[] => files.flatMap((f) => ['--config', f]);

// sigv4auth resolves credentials while the config is validated (its Config.Validate builds the
// AWS SDK's credential chain and retrieves once), so a deployment that signs for the AWS OTLP
// endpoints is validated with an obviously fake key pair; every other one with none.
const SIGV4_FILE = config('aws-sigv4');
const validateEnv = (files: readonly string[]): Record<string, string> =>
  files.includes(SIGV4_FILE)
    ? { ...VALIDATE_ENV, AWS_ACCESS_KEY_ID: 'validate-only-not-a-key', AWS_SECRET_ACCESS_KEY: 'validate-only-not-a-secret' }
    : VALIDATE_ENV;

// X-Ray and CloudWatch Logs each have two paths (the AWS APIs or the OTLP endpoints); a
// deployment sends to each service along one of them at most.
const AWS_PATHS: Record<string, readonly string[]> = {
  'X-Ray': ['otel-collector/config/xray.yaml', 'otel-collector/config/xray-otlp.yaml'],
  'CloudWatch Logs': ['otel-collector/config/cloudwatch.yaml', 'otel-collector/config/cloudwatch-otlp.yaml'],
};
const OTLP_PATHS = ['otel-collector/config/xray-otlp.yaml', 'otel-collector/config/cloudwatch-otlp.yaml'];

/** What is wrong with a profile's choice of AWS paths: two paths to one service, or OTLP without its signer. */
function awsPathProblems(p: { name: string; files: readonly string[] }): string[] {
  const problems = Object.entries(AWS_PATHS)
    .filter(([, alternatives]) => alternatives.filter((f) => p.files.includes(f)).length > 1)
    .map(([service, alternatives]) => `${p.name}: two ${service} paths (${alternatives.join(', ')}); keep one`);
  const signs = p.files.includes('otel-collector/config/aws-sigv4.yaml');
  const otlp = OTLP_PATHS.some((f) => p.files.includes(f));
  if (otlp && !signs) problems.push(`${p.name}: an AWS OTLP path without otel-collector/config/aws-sigv4.yaml, its signer`);
  if (signs && !otlp) problems.push(`${p.name}: otel-collector/config/aws-sigv4.yaml without an AWS OTLP path to sign for`);
  return problems;
}

describe('one file per vendor', () => {
  it.each(Object.entries(OWNED))(
    '%s declares only its own pipelines, all fed by the shared otlp receiver (or its own foreign-input receiver)',
    (file, owned) => {
      const pipelines = load(file).service?.pipelines ?? {};
      expect(Object.keys(pipelines).sort()).toEqual([...owned].sort());
      for (const [name, p] of Object.entries(pipelines)) {
        expect(p.processors?.[0], `${name} starts with memory_limiter`).toBe('memory_limiter');
      }
      // xray.yaml's traces/xray-send reads from X-Ray's own spool: see the next test.
      const fedByReceiver = Object.entries(pipelines).filter(([name]) => name !== 'traces/xray-send');
      for (const [name, p] of fedByReceiver) expect(p.receivers, name).toEqual([FOREIGN_RECEIVER[file] ?? 'otlp']);
      // Batch once: in the exporter's persistent queue (after the write to disk, so a killed
      // collector loses nothing it acknowledged) or, for exporters without a queue, in the processor.
      const exporters = { ...load(config('honeycomb')).exporters, ...load(file).exporters } as Record<
        string,
        { sending_queue?: { storage?: string; batch?: unknown } }
      >;
      const queueBatched = ([, p]: [string, Pipeline]): boolean =>
        p.exporters.every((id) => exporters[id]?.sending_queue?.batch !== undefined);
      for (const [name, p] of fedByReceiver.filter(queueBatched)) {
        expect(p.processors, `${name} has no batch processor`).not.toContain('batch');
        for (const id of p.exporters) expect(exporters[id]?.sending_queue?.storage, `${id} queue is persistent`).toBe('file_storage');
      }
      for (const [name, p] of fedByReceiver.filter((entry) => !queueBatched(entry))) {
        expect(p.processors?.at(-1), `${name} ends with batch`).toBe('batch');
      }
      // Extensions and telemetry are base.yaml's: a list in a vendor file would replace base's.
      expect(load(file).service?.extensions).toBeUndefined();
    },
  );

  it("X-Ray's second hop (traces/xray-send) reads only from its own loopback spool, which already batched", () => {
    const pipelines = load(config('xray')).service?.pipelines ?? {};
    expect(pipelines['traces/xray-send']?.receivers).toEqual(['otlp/xray-spool']);
    expect(pipelines['traces/xray-send']?.processors).toEqual(['memory_limiter']);
    expect(pipelines['traces/xray']?.exporters).toEqual(['otlp_grpc/xray-spool']);
  });

  it('base.yaml and the local-*.yaml overlays declare no pipeline', () => {
    expect(load(config('base')).service?.pipelines).toBeUndefined();
    expect(load(config('local-honeycomb')).service).toBeUndefined();
    expect(load(config('local-aws')).service).toBeUndefined();
    expect(load(config('local-aws-otlp')).service).toBeUndefined();
  });

  it("aws-sigv4.yaml signs for each AWS OTLP endpoint with that endpoint's service, keeping base's extensions", () => {
    const signer = load(SIGV4_FILE) as ConfigFile & { extensions?: Record<string, { region?: string; service?: string }> };
    expect(signer.service?.pipelines).toBeUndefined();
    expect(signer.exporters).toBeUndefined();
    // A later list replaces an earlier one: base's must be repeated in full, then the signers.
    expect(signer.service?.extensions).toEqual([...(load(config('base')).service?.extensions ?? []), 'sigv4auth/xray', 'sigv4auth/logs']);
    expect(signer.extensions).toEqual({
      'sigv4auth/xray': { region: '${env:AWS_REGION}', service: 'xray' },
      'sigv4auth/logs': { region: '${env:AWS_REGION}', service: 'logs' },
    });
    const xray = load(config('xray-otlp')).exporters?.['otlp_http/xray'] as HttpExporter;
    expect(xray).toMatchObject({
      traces_endpoint: 'https://xray.${env:AWS_REGION}.amazonaws.com/v1/traces',
      auth: { authenticator: 'sigv4auth/xray' },
      compression: 'gzip',
      retry_on_failure: { enabled: true },
      sending_queue: { enabled: true, storage: 'file_storage', batch: { sizer: 'bytes' } },
    });
    const logs = load(config('cloudwatch-otlp')).exporters?.['otlp_http/cloudwatch'] as HttpExporter;
    expect(logs).toMatchObject({
      logs_endpoint: 'https://logs.${env:AWS_REGION}.amazonaws.com/v1/logs',
      auth: { authenticator: 'sigv4auth/logs' },
      headers: {
        'x-aws-log-group': '${env:CLOUDWATCH_LOG_GROUP:-cruddur}',
        'x-aws-log-stream': '${env:CLOUDWATCH_LOG_STREAM:-otel-collector}',
      },
      compression: 'gzip',
      retry_on_failure: { enabled: true },
      sending_queue: { enabled: true, storage: 'file_storage', batch: { sizer: 'bytes' } },
    });
    // AWS refuses, for good, a request over 5 MB (traces) / 1 MB (logs) uncompressed: the byte-sized batches stay under.
    const maxBytes = (e: unknown): number => (e as { sending_queue: { batch: { max_size: number } } }).sending_queue.batch.max_size;
    expect(maxBytes(xray)).toBeLessThanOrEqual(5 * 1024 * 1024);
    expect(maxBytes(logs)).toBeLessThanOrEqual(1024 * 1024);
  });

  it('merging every file keeps every vendor pipeline intact (real merge, print-config)', () => {
    // Every vendor, the daemon role and its three overlays (the widest profile), plus browser ingest
    // and the local viewer (the agent role runs on its own build: gateway-config.test.ts merges it).
    const files = [...abs(deploymentFiles('all-vendors-daemon', 'all')), config('browser'), config('viewer')];
    expect(files.length).toBe(11);
    const out = execFileSync(collectorBin, ['print-config', ...args(files)], { env: VALIDATE_ENV, encoding: 'utf8' });
    const merged = parse(out) as ConfigFile;
    expect(Object.keys(merged.service?.pipelines ?? {}).sort()).toEqual(files.flatMap((f) => OWNED[f] ?? []).sort());
    expect(merged.service?.pipelines?.['traces/xray']?.exporters).toEqual(['otlp_grpc/xray-spool']);
    expect(merged.service?.pipelines?.['traces/xray-send']?.exporters).toEqual(['awsxray']);
    expect(merged.service?.pipelines?.['traces/honeycomb']?.exporters).toEqual(['otlp_grpc/honeycomb']);
    expect(merged.service?.pipelines?.['traces/xray-daemon']?.exporters).toEqual(['otlp_grpc/loopback']);
    expect(merged.service?.pipelines?.['traces/browser']?.exporters).toEqual(['otlp_grpc/browser-loopback']);
    expect(merged.service?.pipelines?.['traces/viewer']?.exporters).toEqual(['otlp_grpc/viewer']);
    expect(merged.service?.pipelines?.['logs/viewer']?.exporters).toEqual(['otlp_grpc/viewer']);
    expect(merged.service?.extensions).toEqual(['health_check', 'pprof', 'zpages', 'file_storage']);
  });

  it('merging the AWS OTLP paths with every other file keeps every pipeline and both signers (real merge, print-config)', () => {
    const files = [...abs(deploymentFiles('stack-aws-otlp', 'all')), config('browser')];
    const out = execFileSync(collectorBin, ['print-config', ...args(files)], { env: validateEnv(files), encoding: 'utf8' });
    const merged = parse(out) as ConfigFile;
    expect(Object.keys(merged.service?.pipelines ?? {}).sort()).toEqual(files.flatMap((f) => OWNED[f] ?? []).sort());
    expect(merged.service?.pipelines?.['traces/xray-otlp']?.exporters).toEqual(['otlp_http/xray']);
    expect(merged.service?.pipelines?.['logs/cloudwatch-otlp']?.exporters).toEqual(['otlp_http/cloudwatch']);
    expect(merged.service?.extensions).toEqual(['health_check', 'pprof', 'zpages', 'file_storage', 'sigv4auth/xray', 'sigv4auth/logs']);
    // The overlay moved only the endpoints: signing and the log group headers are the vendor file's.
    expect(merged.exporters?.['otlp_http/cloudwatch']).toMatchObject({
      logs_endpoint: 'http://127.0.0.1:14328/v1/logs',
      auth: { authenticator: 'sigv4auth/logs' },
      // print-config shows header values as [REDACTED] (they are opaque): the names are the check.
      headers: [
        { name: 'x-aws-log-group', value: '[REDACTED]' },
        { name: 'x-aws-log-stream', value: '[REDACTED]' },
      ],
    });
    expect(merged.exporters?.['otlp_http/xray']).toMatchObject({
      traces_endpoint: 'http://127.0.0.1:14328/v1/traces',
      auth: { authenticator: 'sigv4auth/xray' },
    });
  });
});

describe('secrets and environment', () => {
  const files = [
    ...fs
      .readdirSync(configDir)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => path.join(configDir, f)),
    daemonConfig,
  ];

  it('takes the Honeycomb key from the environment only', () => {
    const hc = load(config('honeycomb')).exporters?.['otlp_grpc/honeycomb'] as { headers: Record<string, string> };
    expect(hc.headers).toEqual({ 'x-honeycomb-team': '${env:HONEYCOMB_API_KEY}' });
  });

  it.each(files)('%s holds no credential literal', (file) => {
    const text = fs.readFileSync(file, 'utf8');
    expect(text).not.toMatch(/AKIA[0-9A-Z]{16}/);
    expect(text).not.toMatch(/(secret|token|password|api_key)\s*:\s*["']?[A-Za-z0-9/+]{8,}/i);
    for (const m of text.matchAll(/x-honeycomb-team:\s*(\S+)/g)) expect(m[1]).toBe('${env:HONEYCOMB_API_KEY}');
  });

  it('resolves the key into the exporter and redacts it when the config is printed', () => {
    const env = { ...VALIDATE_ENV, HONEYCOMB_API_KEY: 'canary-print-config-0000' };
    const out = execFileSync(collectorBin, ['print-config', ...args([config('base'), config('honeycomb')])], { env, encoding: 'utf8' });
    expect(out).not.toContain('canary-print-config-0000');
    expect(out).toContain('[REDACTED]');
  });

  it('production files name no stand-in; each local-*.yaml points its own vendor at one', () => {
    // Loopback appears only as the collector's own internal endpoints (diagnostics, its metrics,
    // the X-Ray spool hop, the daemon role's and the browser ingest's loop back into the shared
    // receiver) or the front end's development origin, each listed here;
    // any other loopback address, a stand-in's port or a stand-in variable is a stand-in leaking in.
    const internal = new Set([
      '127.0.0.1:${env:OTELCOL_PPROF_PORT:-1777}',
      '127.0.0.1:${env:OTELCOL_ZPAGES_PORT:-55679}',
      '${env:OTELCOL_METRICS_HOST:-127.0.0.1}',
      '127.0.0.1:${env:OTELCOL_XRAY_SPOOL_PORT:-4319}',
      '${env:OTELCOL_LOOPBACK_ENDPOINT:-127.0.0.1:4317}',
      // Not an endpoint: the front end's origin in development, the one CORS allows (browser.yaml).
      '${env:FRONTEND_URL:-http://localhost:3000}',
    ]);
    for (const f of [config('base'), SIGV4_FILE, ...Object.keys(OWNED)]) {
      const text = fs.readFileSync(f, 'utf8');
      const values = text.split('\n').map((line) => line.replace(/(^|\s)#.*$/, ''));
      const loopback = values.flatMap((line) => line.match(/\S*(127\.0\.0\.1|localhost|\[::1\])\S*/g) ?? []);
      expect(
        loopback.filter((address) => !internal.has(address)),
        f,
      ).toEqual([]);
      expect(text).not.toMatch(/localhost:(5000|14317)|_STANDIN_/);
    }
    const honeycomb = load(config('local-honeycomb'));
    expect(Object.keys(honeycomb.exporters ?? {})).toEqual(['otlp_grpc/honeycomb']);
    expect(honeycomb.receivers).toBeUndefined();
    expect(honeycomb.exporters?.['otlp_grpc/honeycomb']).toMatchObject({
      endpoint: '${env:HONEYCOMB_STANDIN_ENDPOINT:-127.0.0.1:14317}',
      tls: { insecure: true },
    });
    const local = load(config('local-aws'));
    expect(Object.keys(local.exporters ?? {}).sort()).toEqual(['awscloudwatchlogs', 'awsxray']);
    expect(local.exporters?.awsxray).toMatchObject({ endpoint: '${env:AWS_STANDIN_ENDPOINT:-http://127.0.0.1:5000}', local_mode: true });
    expect(local.exporters?.awscloudwatchlogs).toMatchObject({ endpoint: '${env:AWS_STANDIN_ENDPOINT:-http://127.0.0.1:5000}' });
    expect(local.receivers).toBeUndefined();
    // The daemon role's sampling proxy has its own overlay: the agent build runs the daemon role
    // but has neither exporter above, so it could not load local-aws.yaml.
    const control = load(config('local-xray-control'));
    expect(control.exporters).toBeUndefined();
    expect(control.receivers).toEqual({
      awsxray: {
        proxy_server: {
          aws_endpoint: '${env:XRAY_CONTROL_STANDIN_ENDPOINT:-http://127.0.0.1:5100}',
          region: '${env:AWS_REGION:-us-east-1}',
          local_mode: true,
        },
      },
    });
    const localOtlp = load(config('local-aws-otlp'));
    expect(localOtlp.receivers).toBeUndefined();
    expect(localOtlp.exporters).toEqual({
      'otlp_http/xray': { traces_endpoint: '${env:AWS_OTLP_STANDIN_ENDPOINT:-http://127.0.0.1:14328}/v1/traces' },
      'otlp_http/cloudwatch': { logs_endpoint: '${env:AWS_OTLP_STANDIN_ENDPOINT:-http://127.0.0.1:14328}/v1/logs' },
    });
  });
});

describe('documented combinations (make validate)', () => {
  it('covers every config file', () => {
    const used = new Set(combinations.flatMap((c) => c.files));
    for (const f of [
      ...fs
        .readdirSync(configDir)
        .filter((x) => x.endsWith('.yaml'))
        .map((x) => path.join(configDir, x)),
      daemonConfig,
    ]) {
      expect(used, path.relative(repoRoot, f)).toContain(f);
    }
  });

  it.each(combinations.map((c) => [c.name, c.files] as const))('%s is valid for the real binary', (name, files) => {
    const res = spawnSync(binaryOf(name), ['validate', ...args(files)], { env: validateEnv(files), encoding: 'utf8' });
    expect(res.stderr + res.stdout).toBe('');
    expect(res.status).toBe(0);
  });

  it('the AWS OTLP signer needs credentials to validate (why those deployments get a fake pair)', () => {
    const files = abs(deploymentFiles('xray-otlp', []));
    const res = spawnSync(collectorBin, ['validate', ...args(files)], { env: VALIDATE_ENV, encoding: 'utf8' });
    expect(res.status).not.toBe(0);
    expect(res.stderr).toMatch(/sigv4auth\/xray: could not retrieve credential provider/);
  });

  it("the binary's validate does reject a broken combination", () => {
    // base.yaml alone declares no pipeline, so it must not validate.
    const res = spawnSync(collectorBin, ['validate', ...args([config('base')])], { env: VALIDATE_ENV, encoding: 'utf8' });
    expect(res.status).not.toBe(0);
    expect(res.stderr).toMatch(/pipeline/i);
  });
});

describe('profiles.yaml (otel-collector/profiles.ts)', () => {
  const overlayFiles = Object.values(manifest.overlays);
  /** The components a file declares, as kind/id: what an overlay can override. */
  const components = (file: string): Set<string> => {
    const doc = load(path.join(repoRoot, file)) as Record<string, unknown>;
    return new Set(
      ['receivers', 'processors', 'exporters', 'extensions', 'connectors'].flatMap((kind) =>
        Object.keys((doc[kind] ?? {}) as Record<string, unknown>).map((id) => `${kind}/${id}`),
      ),
    );
  };

  it('loads the local trace viewer (viewer.yaml) in the local profile only, never in a production profile', () => {
    const withViewer = manifest.profiles.filter((p) => p.files.includes('otel-collector/config/viewer.yaml')).map((p) => p.name);
    expect(withViewer).toEqual(['local']);
    expect(manifest.defaultProfile).toBe('local');
  });

  it('names an existing default profile', () => {
    expect(profile(manifest.defaultProfile).name).toBe(manifest.defaultProfile);
  });

  it('names only files that exist, each profile starting with base.yaml', () => {
    for (const p of manifest.profiles) {
      expect(p.files[0], p.name).toBe('otel-collector/config/base.yaml');
      for (const f of p.files) expect(fs.existsSync(path.join(repoRoot, f)), `${p.name}: ${f}`).toBe(true);
    }
    for (const f of overlayFiles) expect(fs.existsSync(path.join(repoRoot, f)), f).toBe(true);
  });

  it('uses every file under otel-collector/config/ and xray-daemon/daemon.yaml, in a profile or as an overlay', () => {
    const used = new Set([...manifest.profiles.flatMap((p) => p.files), ...overlayFiles]);
    const files = fs
      .readdirSync(configDir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => path.relative(repoRoot, path.join(e.parentPath, e.name)));
    for (const f of [...files, path.relative(repoRoot, daemonConfig)]) expect(used, f).toContain(f);
  });

  it('allows an overlay exactly where the profile declares a component it overrides', () => {
    for (const p of manifest.profiles) {
      const declared = new Set(p.files.flatMap((f) => [...components(f)]));
      const applicable = (Object.entries(manifest.overlays) as [StandinVendor, string][])
        .filter(([, overlay]) => [...components(overlay)].some((c) => declared.has(c)))
        .map(([vendor]) => vendor);
      // Both ways: an overlay without its exporter is meaningless, and a profile missing one of
      // its overlays would send to the real vendor in a deployment without its credentials.
      expect([...p.standins].sort(), p.name).toEqual(applicable.sort());
    }
    for (const p of manifest.profiles.filter((q) => q.standins.includes('honeycomb'))) {
      expect(p.files, p.name).toContain('otel-collector/config/honeycomb.yaml');
    }
  });

  it('holds one X-Ray path and one CloudWatch Logs path at most per profile, the OTLP ones with their signer', () => {
    for (const p of manifest.profiles) expect(awsPathProblems(p), p.name).toEqual([]);
    // The check itself catches each mistake.
    const base = 'otel-collector/config/base.yaml';
    const sigv4 = 'otel-collector/config/aws-sigv4.yaml';
    expect(
      awsPathProblems({ name: 'p', files: [base, 'otel-collector/config/xray.yaml', sigv4, 'otel-collector/config/xray-otlp.yaml'] }),
    ).toEqual(['p: two X-Ray paths (otel-collector/config/xray.yaml, otel-collector/config/xray-otlp.yaml); keep one']);
    expect(
      awsPathProblems({
        name: 'p',
        files: [base, 'otel-collector/config/cloudwatch.yaml', sigv4, 'otel-collector/config/cloudwatch-otlp.yaml'],
      }),
    ).toEqual([
      'p: two CloudWatch Logs paths (otel-collector/config/cloudwatch.yaml, otel-collector/config/cloudwatch-otlp.yaml); keep one',
    ]);
    expect(awsPathProblems({ name: 'p', files: [base, 'otel-collector/config/xray-otlp.yaml'] })).toEqual([
      'p: an AWS OTLP path without otel-collector/config/aws-sigv4.yaml, its signer',
    ]);
    expect(awsPathProblems({ name: 'p', files: [base, sigv4, 'otel-collector/config/xray.yaml'] })).toEqual([
      'p: otel-collector/config/aws-sigv4.yaml without an AWS OTLP path to sign for',
    ]);
    // Mixed paths are allowed: X-Ray over OTLP with CloudWatch Logs over its API.
    expect(
      awsPathProblems({ name: 'p', files: [base, sigv4, 'otel-collector/config/xray-otlp.yaml', 'otel-collector/config/cloudwatch.yaml'] }),
    ).toEqual([]);
  });

  it("puts the overlays after the profile's files, only the ones asked for", () => {
    const p = profile('all-vendors-daemon');
    expect(deploymentFiles(p.name, [])).toEqual(p.files);
    expect(deploymentFiles(p.name, ['aws', 'honeycomb'])).toEqual([...p.files, manifest.overlays.honeycomb, manifest.overlays.aws]);
    expect(deploymentFiles(p.name, ['aws'])).toEqual([...p.files, manifest.overlays.aws]);
    expect(collectorArgs(['a.yaml', 'b/c.yaml'], '/etc/cruddur')).toEqual([
      '--config=/etc/cruddur/a.yaml',
      '--config=/etc/cruddur/b/c.yaml',
    ]);
    expect(collectorArgs(['a.yaml'])).toEqual(['--config=a.yaml']);
  });

  it('rejects an unknown profile or a stand-in the profile cannot take, naming the choices', () => {
    expect(() => profile('nope')).toThrow(/unknown profile "nope" \(known: .*all-vendors/);
    expect(() => deploymentFiles('xray', ['honeycomb'])).toThrow(/profile "xray" takes no "honeycomb" stand-in \(its stand-ins: aws\)/);
  });
});

describe('profiles.ts command line', () => {
  const script = path.join(repoRoot, 'otel-collector/profiles.ts');
  const cli = (argv: string[], file = script) => spawnSync(process.execPath, [file, ...argv], { cwd: repoRoot, encoding: 'utf8' });

  it('prints the arguments, the files and the list', () => {
    const files = deploymentFiles(manifest.defaultProfile, 'all');
    const argsOut = cli(['args', 'default', '--standins', 'all', '--root', '/etc/cruddur']);
    expect(argsOut.stderr).toBe('');
    expect(argsOut.stdout).toBe(`${collectorArgs(files, '/etc/cruddur').join(' ')}\n`);
    expect(cli(['args', 'xray']).stdout).toBe('--config=otel-collector/config/base.yaml --config=otel-collector/config/xray.yaml\n');
    expect(cli(['files', 'xray', '--standins', 'aws']).stdout).toBe(`${deploymentFiles('xray', ['aws']).join('\n')}\n`);
    expect(cli(['files', 'xray', '--standins', 'none']).stdout).toBe(`${deploymentFiles('xray', []).join('\n')}\n`);
    expect(cli(['name', 'default']).stdout).toBe(`${manifest.defaultProfile}\n`);
    expect(cli(['standins', 'stack-aws-otlp']).stdout).toBe('honeycomb,aws-otlp,xray-control\n');
    expect(cli(['standins', 'xray-otlp']).stdout).toBe('aws-otlp\n');
    const listed = cli(['list'])
      .stdout.trimEnd()
      .split('\n')
      .map((l) => l.split('\t'));
    expect(listed.map(([name, list]) => ({ name, files: abs(list?.split(' ') ?? []) }))).toEqual(combinations);
  });

  it.each([
    [[], /no command given/],
    [['frob'], /unknown command "frob"/],
    [['args'], /args takes exactly one profile name/],
    [['args', 'xray', 'cloudwatch'], /args takes exactly one profile name/],
    [['args', 'nope'], /unknown profile "nope" \(known: .*daemon-standalone/],
    [['files', 'xray', '--standins', 'honeycomb'], /profile "xray" takes no "honeycomb" stand-in/],
    [['args', 'xray', '--standins', 'gcp'], /unknown stand-in vendor "gcp"/],
    [['args', 'xray', '--standins'], /--standins <value>' argument missing/],
    [['args', 'xray', '--frob'], /Unknown option '--frob'/],
    [['list', 'xray'], /list takes no argument/],
    [['name', 'nope'], /unknown profile "nope"/],
    [['name', 'xray', '--standins', 'aws'], /name takes no option/],
    [['standins', 'xray', '--root', '/x'], /standins takes no option/],
    [['standins', 'nope'], /unknown profile "nope"/],
  ])('%j: a clear error on stderr, exit 2', (argv, message) => {
    const res = cli(argv);
    expect(res.stdout).toBe('');
    expect(res.stderr).toMatch(message);
    expect(res.status).toBe(2);
  });

  describe('with an invalid manifest', () => {
    // A copy of the reader next to a broken manifest; node_modules linked so `yaml` resolves.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'profiles-'));
    fs.copyFileSync(script, path.join(dir, 'profiles.ts'));
    fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
    const withManifest = (text: string) => {
      fs.writeFileSync(path.join(dir, 'profiles.yaml'), text);
      return cli(['list'], path.join(dir, 'profiles.ts'));
    };

    it('reports every problem at once, exit 2', () => {
      const res = withManifest(
        [
          'default: missing',
          'overlays: { honeycomb: otel-collector/config/local-honeycomb.yaml, gcp: x.yaml }',
          'profiles:',
          '  a: { description: A, files: [/abs.yaml, otel-collector/config/local-honeycomb.yaml], standins: [gcp] }',
          '  default: { description: D, files: [b.yaml], standins: [] }',
        ].join('\n'),
      );
      expect(res.status).toBe(2);
      for (const message of [
        'overlays: unknown key "gcp"',
        'overlays: missing the overlay of "aws"',
        'profiles.a.files[0]: "/abs.yaml" must be a normalised repository-relative path',
        'profiles.a.files[1]: "otel-collector/config/local-honeycomb.yaml" is a stand-in overlay',
        'profiles.a.standins[0]: unknown stand-in vendor "gcp"',
        'profiles.default: "default" is reserved',
        'default: "missing" is not a profile (known: a, default)',
      ])
        expect(res.stderr).toContain(message);
    });

    it("reports a YAML syntax error with the manifest's name, exit 2", () => {
      const res = withManifest('profiles: [');
      expect(res.status).toBe(2);
      expect(res.stderr).toMatch(/^profiles\.ts: otel-collector\/profiles\.yaml: /);
    });
  });
});
