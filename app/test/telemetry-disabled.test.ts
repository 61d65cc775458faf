import { describe, expect, it } from 'vitest';

import type * as SdkModule from '../src/telemetry/sdk.ts';
import { requireDist, requirePackage } from './support/dist.ts';

/**
 * OTEL_SDK_DISABLED=true must cost nothing per request: instrumentations hook their module as
 * soon as they are constructed, so the bootstrap must not construct them at all. Its own file,
 * so no other test has loaded an instrumentation into this process.
 */
describe('OTEL_SDK_DISABLED=true', () => {
  it('leaves http and pino unpatched', () => {
    const { createTelemetrySdk, isSdkDisabled } = requireDist<typeof SdkModule>('telemetry/sdk.js');
    const environment = { OTEL_SDK_DISABLED: ' TRUE ' };
    expect(isSdkDisabled(environment)).toBe(true);
    expect(isSdkDisabled({ OTEL_SDK_DISABLED: 'false' })).toBe(false);
    expect(isSdkDisabled({})).toBe(false);

    const sdk = createTelemetrySdk({
      serviceVersion: '0.0.0-test',
      deploymentEnvironment: 'test',
      serviceInstanceId: 'disabled',
      environment,
    });
    sdk.start();

    // shimmer (used by every OTel instrumentation) marks what it wrapped with __wrapped.
    const http = requirePackage<typeof import('node:http')>('node:http');
    expect((http.Server.prototype.emit as { __wrapped?: boolean }).__wrapped).toBeUndefined();
    const pino = requirePackage<(...args: unknown[]) => unknown>('pino');
    const logger = pino() as Record<symbol, unknown>;
    const mixin = Object.getOwnPropertySymbols(logger).find((symbol) => symbol.description === 'pino.mixin');
    expect(mixin === undefined ? undefined : logger[mixin]).toBeUndefined();
  });
});
