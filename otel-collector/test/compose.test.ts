import fs from 'node:fs';
import path from 'node:path';

import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

import { repoRoot } from '@cruddur/testkit/paths';
import { readProfiles } from '../profiles.ts';

/** Static checks of docker-compose.yml: what a reviewer would otherwise have to remember. */

interface Service {
  profiles?: string[];
  ports?: string[];
  environment?: Record<string, string>;
  init?: boolean;
  mem_limit?: string;
  command?: string;
  working_dir?: string;
  volumes?: string[];
}

const compose = parse(fs.readFileSync(path.join(repoRoot, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Service> };

describe('docker-compose.yml', () => {
  it.each(Object.entries(compose.services))(
    '%s publishes its ports on 127.0.0.1 only, runs with init and a memory limit',
    (_name, service) => {
      for (const port of service.ports ?? []) expect(port).toMatch(/^127\.0\.0\.1:/);
      expect(service.init).toBe(true);
      // A fixed limit, or an overridable one with a fixed default.
      expect(service.mem_limit).toMatch(/^(\d+m|\$\{[A-Z_]+:-\d+m\})$/);
    },
  );

  it('gives the collector a Go soft memory limit below its container limit (GOMEMLIMIT ~80 %)', () => {
    const collector = compose.services['otel-collector'];
    const containerMiB = Number(/(\d+)m\}?$/.exec(collector?.mem_limit ?? '')?.[1]);
    const goMiB = Number(/(\d+)MiB\}?$/.exec(String(collector?.environment?.GOMEMLIMIT ?? ''))?.[1]);
    expect(goMiB).toBeGreaterThan(containerMiB * 0.7);
    expect(goMiB).toBeLessThanOrEqual(containerMiB * 0.85);
  });

  it('keeps the stand-ins and the trace viewer in the local profile (the AWS OTLP one in its own), the gateway tier in its own, and the app, collector and front end in every profile', () => {
    const byProfile = Object.entries(compose.services).map(([name, service]) => [name, service.profiles ?? []]);
    // aws-otlp-standin serves only collector profiles on the AWS OTLP endpoints (scripts/stack-up.sh
    // starts it for them) and the gateway tier's agent (its logs go there directly), so
    // `--profile local` alone, as the container tests run, leaves it out.
    expect(byProfile).toEqual([
      ['app', []],
      ['otel-collector', []],
      ['frontend', []],
      ['gateway', ['gateway']],
      ['otel-agent', ['gateway']],
      ['honeycomb-standin', ['local']],
      ['rollbar-standin', ['local']],
      ['xray-standin', ['local']],
      ['aws-otlp-standin', ['aws-otlp', 'gateway']],
      ['moto', ['local']],
      // The local trace viewer (viewer/README.md): only in the local stack.
      ['trace-viewer', ['local']],
    ]);
  });

  it('gives the collector no AWS_ENDPOINT_URL*: the SDK would send real-AWS traffic to moto', () => {
    const keys = Object.keys(compose.services['otel-collector']?.environment ?? {});
    expect(keys.filter((key) => key.startsWith('AWS_ENDPOINT_URL'))).toEqual([]);
    expect(keys).toContain('AWS_STANDIN_ENDPOINT');
  });

  it('runs the collector on the files of otel-collector/profiles.yaml, at their repository-relative paths', () => {
    const collector = compose.services['otel-collector'];
    // No default list: OTELCOL_ARGS comes from the manifest (scripts/stack-up.sh).
    expect(collector?.command).toMatch(/^\$\{OTELCOL_ARGS:\?[^}]*make up[^}]*\}$/);
    expect(collector?.working_dir).toBe('/etc/cruddur');
    const mounts = (collector?.volumes ?? []).map((v) => v.split(':')).filter(([host]) => host?.startsWith('./'));
    const { profiles, overlays } = readProfiles();
    for (const file of new Set([...profiles.flatMap((p) => p.files), ...Object.values(overlays)])) {
      const mount = mounts.find(([host]) => file.startsWith(`${host?.slice(2)}/`));
      expect(mount, `${file} is mounted`).toBeDefined();
      expect(mount?.[1], `${file} keeps its path under the working directory`).toBe(`/etc/cruddur/${mount?.[0]?.slice(2)}`);
      expect(mount?.[2]).toBe('ro');
    }
  });

  it('bakes the same files at the same paths into the collector image, with no command of its own', () => {
    const dockerfile = fs.readFileSync(path.join(repoRoot, 'otel-collector/Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^WORKDIR \/etc\/cruddur$/m);
    expect(dockerfile).toMatch(/^COPY otel-collector\/config\/ otel-collector\/config\/$/m);
    expect(dockerfile).toMatch(/^COPY xray-daemon\/ xray-daemon\/$/m);
    expect(dockerfile).not.toMatch(/^CMD /m);
  });

  it('gives the app no vendor key: only the collector holds HONEYCOMB_API_KEY and AWS credentials', () => {
    const keys = Object.keys(compose.services.app?.environment ?? {});
    expect(keys.filter((key) => /HONEYCOMB|AWS_/.test(key))).toEqual([]);
  });
});
