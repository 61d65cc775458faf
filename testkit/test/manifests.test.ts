import fs from 'node:fs';

import { describe, expect, it } from 'vitest';

import { fromRoot } from '../src/paths.ts';

/**
 * The root, the app and the test kit each declare the packages they import (so each is checked
 * against its own manifest), and some packages appear in more than one: the tests and benchmarks
 * drive the app's OpenTelemetry SDK, the kit its AWS clients. One version per package keeps a bump
 * in one manifest from leaving a test on a different SDK than the app ships.
 */
const MANIFESTS = ['package.json', 'app/package.json', 'testkit/package.json', 'frontend/package.json'] as const;

/**
 * The front end is a package of its own so that two things can differ by design: its browser
 * OpenTelemetry line (the 2.x SDK on @opentelemetry/api 1.9, the only line with web packages) and its
 * TypeScript (5.9: openapi-typescript prints with the compiler API, which TypeScript 7 no longer
 * ships). Everything else it shares with the others (zod, vitest, @types/node, yaml) is held to one version.
 */
function separateByDesign(file: string, name: string): boolean {
  return file === 'frontend/package.json' && (name.startsWith('@opentelemetry/') || name === 'typescript');
}

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
        if (separateByDesign(file, name)) continue;
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
    expect(versions.get('zod')?.values().next().value).toEqual(['package.json', 'app/package.json', 'frontend/package.json']);
  });
});
