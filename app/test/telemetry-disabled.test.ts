import { describe, expect, it } from 'vitest';

import type * as SdkModule from '../src/telemetry/sdk.js';
import { requireDist, requirePackage } from './support/dist.js';

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

    const sdk = createTelemetrySdk({ serviceVersion: '0.0.0-test', deploymentEnvironment: 'test', serviceInstanceId: 'disabled', environment });
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

describe('OTEL_BLRP_* (the log processor is built by the app, so the app reads them)', () => {
  it('reads the four settings, leaves unset or empty ones to the SDK, and ignores invalid ones', () => {
    const { logBufferSettings } = requireDist<typeof SdkModule>('telemetry/sdk.js');
    expect(
      logBufferSettings({ OTEL_BLRP_MAX_QUEUE_SIZE: '16384', OTEL_BLRP_SCHEDULE_DELAY: ' 200 ', OTEL_BLRP_EXPORT_TIMEOUT: '30000', OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: '512' }),
    ).toEqual({ maxQueueSize: 16384, scheduledDelayMillis: 200, exportTimeoutMillis: 30000, maxExportBatchSize: 512 });
    expect(logBufferSettings({})).toEqual({});
    expect(logBufferSettings({ OTEL_BLRP_SCHEDULE_DELAY: '', OTEL_BLRP_MAX_QUEUE_SIZE: 'lots', OTEL_BLRP_EXPORT_TIMEOUT: '-1', OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: '0' })).toEqual({});
  });
});
