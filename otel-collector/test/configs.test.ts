import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { collectorBin, config, configDir, daemonConfig, repoRoot } from './support/paths.js';

// The config layout's rules: one file per vendor, each adding only its own named pipelines on
// the shared receiver, secrets only from the environment, and every documented combination
// valid for the real binary.

interface ServiceSection { pipelines?: Record<string, { receivers: string[]; processors?: string[]; exporters: string[] }>; extensions?: string[] }
interface ConfigFile { receivers?: Record<string, unknown>; exporters?: Record<string, unknown>; service?: ServiceSection }

const load = (file: string): ConfigFile => (parse(fs.readFileSync(file, 'utf8')) ?? {}) as ConfigFile;

// Which pipelines each vendor file owns; the names carry the vendor so merges cannot collide.
const OWNED: Record<string, string[]> = {
  [config('honeycomb')]: ['traces/honeycomb'],
  [config('honeycomb-logs')]: ['logs/honeycomb'],
  [config('xray')]: ['traces/xray', 'traces/xray-send'],
  [config('cloudwatch')]: ['logs/cloudwatch'],
  [daemonConfig]: ['traces/xray-daemon'],
};

const combinations = fs.readFileSync(path.join(configDir, 'combinations.txt'), 'utf8')
  .split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'))
  .map((l) => {
    const [name = '', files = ''] = l.split(':');
    return { name: name.trim(), files: files.trim().split(/\s+/).map((f) => path.join(repoRoot, f)) };
  });

// Only what validation needs: no secret, so a config cannot depend on one to be valid.
// validate binds the daemon role's UDP port: an ephemeral one keeps it independent of a running stack.
const VALIDATE_ENV = { PATH: '/usr/bin:/bin', AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true', XRAY_DAEMON_HOST: '127.0.0.1', XRAY_DAEMON_PORT: '0' };
const args = (files: string[]): string[] => files.flatMap((f) => ['--config', f]);

describe('one file per vendor', () => {
  it.each(Object.entries(OWNED))('%s declares only its own pipelines, all fed by the shared otlp receiver (or the daemon)', (file, owned) => {
    const pipelines = load(file).service?.pipelines ?? {};
    expect(Object.keys(pipelines).sort()).toEqual([...owned].sort());
    for (const [name, p] of Object.entries(pipelines)) {
      expect(p.processors?.[0], `${name} starts with memory_limiter`).toBe('memory_limiter');
      if (name === 'traces/xray-send') {
        // X-Ray's second hop reads only from its own loopback spool, which already batched.
        expect(p.receivers).toEqual(['otlp/xray-spool']);
        expect(p.processors).toEqual(['memory_limiter']);
        expect(pipelines['traces/xray']?.exporters).toEqual(['otlp_grpc/xray-spool']);
        continue;
      }
      expect(p.receivers, name).toEqual(file === daemonConfig ? ['awsxray'] : ['otlp']);
      // Batch once: in the exporter's persistent queue (after the write to disk, so a killed
      // collector loses nothing it acknowledged) or, for exporters without a queue, in the processor.
      const exporters = { ...load(config('honeycomb')).exporters, ...load(file).exporters } as Record<string, { sending_queue?: { storage?: string; batch?: unknown } }>;
      const queueBatched = p.exporters.every((id) => exporters[id]?.sending_queue?.batch !== undefined);
      if (queueBatched) {
        expect(p.processors, `${name} has no batch processor`).not.toContain('batch');
        for (const id of p.exporters) expect(exporters[id]?.sending_queue?.storage, `${id} queue is persistent`).toBe('file_storage');
      } else {
        expect(p.processors?.at(-1), `${name} ends with batch`).toBe('batch');
      }
    }
    // Extensions and telemetry are base.yaml's: a list in a vendor file would replace base's.
    expect(load(file).service?.extensions).toBeUndefined();
  });

  it('base.yaml and the local-*.yaml overlays declare no pipeline', () => {
    expect(load(config('base')).service?.pipelines).toBeUndefined();
    expect(load(config('local-honeycomb')).service).toBeUndefined();
    expect(load(config('local-aws')).service).toBeUndefined();
  });

  it('merging every file keeps every vendor pipeline intact (real merge, print-config)', () => {
    const files = combinations.find((c) => c.name === 'all-vendors-daemon-local')?.files ?? [];
    expect(files.length).toBe(8);
    const out = execFileSync(collectorBin, ['print-config', ...args(files)], { env: VALIDATE_ENV, encoding: 'utf8' });
    const merged = parse(out) as ConfigFile;
    expect(Object.keys(merged.service?.pipelines ?? {}).sort()).toEqual(Object.values(OWNED).flat().sort());
    expect(merged.service?.pipelines?.['traces/xray']?.exporters).toEqual(['otlp_grpc/xray-spool']);
    expect(merged.service?.pipelines?.['traces/xray-send']?.exporters).toEqual(['awsxray']);
    expect(merged.service?.pipelines?.['traces/honeycomb']?.exporters).toEqual(['otlp_grpc/honeycomb']);
    expect(merged.service?.pipelines?.['traces/xray-daemon']?.exporters).toEqual(['otlp_grpc/loopback']);
    expect(merged.service?.extensions).toEqual(['health_check', 'pprof', 'zpages', 'file_storage']);
  });
});

describe('secrets and environment', () => {
  const files = [...fs.readdirSync(configDir).filter((f) => f.endsWith('.yaml')).map((f) => path.join(configDir, f)), daemonConfig];

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
    // Loopback itself is allowed (the X-Ray spool and the daemon's loopback are 127.0.0.1); a
    // stand-in's port on it (moto 5000, Honeycomb 14317/14318, Rollbar 18080) or variable is not.
    for (const f of Object.keys(OWNED)) {
      expect(fs.readFileSync(f, 'utf8')).not.toMatch(/(127\.0\.0\.1|localhost|\[::1\]):(5000|1431[78]|18080)\b|_STANDIN_/);
    }
    const honeycomb = load(config('local-honeycomb'));
    expect(Object.keys(honeycomb.exporters ?? {})).toEqual(['otlp_grpc/honeycomb']);
    expect(honeycomb.receivers).toBeUndefined();
    expect(honeycomb.exporters?.['otlp_grpc/honeycomb']).toMatchObject({ endpoint: '${env:HONEYCOMB_STANDIN_ENDPOINT:-127.0.0.1:14317}', tls: { insecure: true } });
    const local = load(config('local-aws'));
    expect(Object.keys(local.exporters ?? {}).sort()).toEqual(['awscloudwatchlogs', 'awsxray']);
    expect(local.exporters?.['awsxray']).toMatchObject({ endpoint: '${env:AWS_STANDIN_ENDPOINT:-http://127.0.0.1:5000}', local_mode: true });
    expect(local.exporters?.['awscloudwatchlogs']).toMatchObject({ endpoint: '${env:AWS_STANDIN_ENDPOINT:-http://127.0.0.1:5000}' });
    expect(local.receivers?.['awsxray']).toMatchObject({ proxy_server: { aws_endpoint: '${env:AWS_STANDIN_ENDPOINT:-http://127.0.0.1:5000}' } });
  });
});

describe('documented combinations (make validate)', () => {
  it('covers every config file', () => {
    const used = new Set(combinations.flatMap((c) => c.files));
    for (const f of [...fs.readdirSync(configDir).filter((x) => x.endsWith('.yaml')).map((x) => path.join(configDir, x)), daemonConfig]) {
      expect(used, path.relative(repoRoot, f)).toContain(f);
    }
  });

  it.each(combinations.map((c) => [c.name, c.files] as const))('%s is valid for the real binary', (_name, files) => {
    const res = spawnSync(collectorBin, ['validate', ...args(files)], { env: VALIDATE_ENV, encoding: 'utf8' });
    expect(res.stderr + res.stdout).toBe('');
    expect(res.status).toBe(0);
  });

  it('the binary\'s validate does reject a broken combination', () => {
    // base.yaml alone declares no pipeline, so it must not validate.
    const res = spawnSync(collectorBin, ['validate', ...args([config('base')])], { env: VALIDATE_ENV, encoding: 'utf8' });
    expect(res.status).not.toBe(0);
    expect(res.stderr).toMatch(/pipeline/i);
  });
});
