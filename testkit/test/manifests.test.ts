import fs from 'node:fs';

import { describe, expect, it } from 'vitest';

import { fromRoot } from '../src/paths.ts';

/**
 * The root, the app and the test kit each declare the packages they import (so each is checked
 * against its own manifest), and some packages appear in more than one: the tests and benchmarks
 * drive the app's OpenTelemetry SDK, the kit its AWS clients. One version per package keeps a bump
 * in one manifest from leaving a test on a different SDK than the app ships.
 */
const MANIFESTS = ['package.json', 'app/package.json', 'testkit/package.json'] as const;

interface Manifest {
  readonly dependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
}

function declared(file: string): [string, string][] {
  const manifest = JSON.parse(fs.readFileSync(fromRoot(file), 'utf8')) as Manifest;
  return Object.entries({ ...manifest.dependencies, ...manifest.devDependencies });
}

describe('package manifests', () => {
  it('declare every shared package at one version', () => {
    const versions = new Map<string, Map<string, string[]>>();
    for (const file of MANIFESTS) {
      for (const [name, version] of declared(file)) {
        const byVersion = versions.get(name) ?? new Map<string, string[]>();
        byVersion.set(version, [...(byVersion.get(version) ?? []), file]);
        versions.set(name, byVersion);
      }
    }
    const disagreeing = [...versions.entries()]
      .filter(([, byVersion]) => byVersion.size > 1)
      .map(
        ([name, byVersion]) =>
          `${name}: ${[...byVersion.entries()].map(([version, files]) => `${version} in ${files.join(', ')}`).join('; ')}`,
      );
    expect(disagreeing).toEqual([]);
    // Shared packages exist, so the check has something to compare: the app's SDK at the root, the AWS clients in the kit.
    expect(versions.get('@opentelemetry/sdk-trace')?.values().next().value).toEqual(['package.json', 'app/package.json']);
    expect(versions.get('@aws-sdk/client-xray')?.values().next().value).toEqual(['package.json', 'testkit/package.json']);
  });
});
