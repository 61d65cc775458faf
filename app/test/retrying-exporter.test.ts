import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { describe, expect, it } from 'vitest';

import { RetryingExporter, type BatchExporter } from '../src/telemetry/retrying-exporter.ts';

const unavailable = Object.assign(new Error('14 UNAVAILABLE: connection refused'), { code: 14 });
const invalidArgument = Object.assign(new Error('3 INVALID_ARGUMENT'), { code: 3 });

/** An exporter that answers with the scripted results in turn, recording each attempt. */
function scripted(results: ExportResult[]): BatchExporter<string> & { attempts: string[][]; shutdowns: number } {
  const fake = {
    attempts: [] as string[][],
    shutdowns: 0,
    export(items: string[], done: (result: ExportResult) => void) {
      fake.attempts.push(items);
      done(results.shift() ?? { code: ExportResultCode.SUCCESS });
    },
    shutdown() {
      fake.shutdowns += 1;
      return Promise.resolve();
    },
  };
  return fake;
}

/** A clock that only moves when the exporter sleeps: the test runs instantly. */
function virtualTime(): { now: () => number; sleep: (ms: number) => Promise<void>; slept: number[] } {
  let time = 0;
  const slept: number[] = [];
  return {
    now: () => time,
    sleep: (ms) => {
      slept.push(ms);
      time += ms;
      return Promise.resolve();
    },
    slept,
  };
}

const exportOnce = (exporter: RetryingExporter<string>, items: string[]): Promise<ExportResult> =>
  new Promise((resolve) => exporter.export(items, resolve));

describe('RetryingExporter', () => {
  it('retries an unavailable collector with growing backoff until the export goes through', async () => {
    const inner = scripted([
      { code: ExportResultCode.FAILED, error: unavailable },
      { code: ExportResultCode.FAILED, error: unavailable },
      { code: ExportResultCode.FAILED, error: unavailable },
    ]);
    const clock = virtualTime();
    const result = await exportOnce(new RetryingExporter(inner, { maxElapsedMs: 30_000, ...clock }), ['a', 'b']);
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    expect(inner.attempts).toEqual([
      ['a', 'b'],
      ['a', 'b'],
      ['a', 'b'],
      ['a', 'b'],
    ]);
    expect(clock.slept).toHaveLength(3);
    expect(clock.slept[1]).toBeGreaterThan(clock.slept[0] ?? Number.POSITIVE_INFINITY);
  });

  it('gives up when the next wait would pass maxElapsedMs', async () => {
    const inner = scripted(Array.from({ length: 100 }, () => ({ code: ExportResultCode.FAILED, error: unavailable })));
    const clock = virtualTime();
    const result = await exportOnce(new RetryingExporter(inner, { maxElapsedMs: 10_000, maxBackoffMs: 2000, ...clock }), ['a']);
    expect(result).toMatchObject({ code: ExportResultCode.FAILED, error: unavailable });
    expect(clock.now()).toBeLessThanOrEqual(10_000);
    expect(inner.attempts.length).toBeGreaterThan(4);
  });

  it('does not retry what retrying cannot fix', async () => {
    const inner = scripted([{ code: ExportResultCode.FAILED, error: invalidArgument }]);
    const clock = virtualTime();
    const result = await exportOnce(new RetryingExporter(inner, { maxElapsedMs: 30_000, ...clock }), ['a']);
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(inner.attempts).toHaveLength(1);
    expect(clock.slept).toEqual([]);
  });

  it('stops a pending retry at shutdown instead of holding the process', async () => {
    const inner = scripted(Array.from({ length: 100 }, () => ({ code: ExportResultCode.FAILED, error: unavailable })));
    const exporter = new RetryingExporter(inner, { maxElapsedMs: 60_000, initialBackoffMs: 10_000 });
    const pending = exportOnce(exporter, ['a']);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const started = Date.now();
    await exporter.shutdown();
    expect((await pending).code).toBe(ExportResultCode.FAILED);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(inner.shutdowns).toBe(1);
  });
});
