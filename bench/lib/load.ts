/**
 * The HTTP load runners: autocannon at saturation (closed loop, typed here: it ships no type
 * declarations) and an evenly paced open loop for fixed-rate figures. Both return the same shape.
 */
import { createRequire } from 'node:module';
import { Agent, request as httpRequest } from 'node:http';

import { sleep } from '@cruddur/testkit/processes';
import { percentile, sortedOf } from '@cruddur/testkit/stats';

const require = createRequire(import.meta.url);

export interface AutocannonOptions {
  readonly url: string;
  readonly connections: number;
  readonly duration: number;
  readonly method?: 'GET' | 'POST';
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

export interface AutocannonResult {
  readonly duration: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  readonly '2xx': number;
  readonly requests: { readonly average: number; readonly total: number };
  readonly latency: { readonly p50: number; readonly p99: number };
}

interface AutocannonInstance {
  /** Two overloads, written as an intersection of call signatures. */
  on: ((event: 'response', listener: (client: unknown, statusCode: number, bytes: number, responseTimeMs: number) => void) => void) &
    ((event: 'done', listener: (result: AutocannonResult) => void) => void);
}

type Autocannon = (options: AutocannonOptions, callback: (error: Error | null, result: AutocannonResult) => void) => AutocannonInstance;

const autocannon = require('autocannon') as Autocannon;

export interface LoadResult {
  readonly result: AutocannonResult;
  /** Every 2xx response time in ms at hrtime resolution: autocannon's histogram keeps whole ms only. */
  readonly latenciesMs: Float64Array;
  /** pacedLoad only: when each of those requests was written (epoch ms), same order. */
  readonly sentAtEpochMs?: Float64Array;
}

export function runLoad(options: AutocannonOptions): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    let latencies = new Float64Array(1 << 16);
    let count = 0;
    const instance = autocannon(options, (error, result) => {
      if (error === null) resolve({ result, latenciesMs: latencies.subarray(0, count) });
      else reject(error);
    });
    instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
      if (statusCode < 200 || statusCode >= 300) return;
      if (count === latencies.length) {
        const grown = new Float64Array(latencies.length * 2);
        grown.set(latencies);
        latencies = grown;
      }
      latencies[count++] = responseTimeMs;
    });
  });
}

export interface PacedLoadOptions {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly ratePerSecond: number;
  readonly durationS: number;
  /** Keep-alive sockets available; an open loop needs enough that a stall never runs out. */
  readonly maxSockets: number;
}

/**
 * An open-loop load with evenly spaced arrivals, for the fixed-rate figures. autocannon's `-R`
 * is not that: each connection sends its share of the second as fast as it can, then waits for
 * the next second (lib/httpClient.js, `reqsMadeThisSecond`), so "1,000 req/s" is a burst at
 * saturation every second and its latencies are saturation latencies. Here request i is sent at
 * start + i/rate (timer granularity ~1 ms, late sends catch up at once), whatever earlier ones are
 * doing, and its latency runs from the moment it was written to the response's last byte.
 * Returns autocannon's result shape so both feed the same measurement code.
 */
export async function pacedLoad(options: PacedLoadOptions): Promise<LoadResult> {
  const target = new URL(options.url);
  const agent = new Agent({ keepAlive: true, maxSockets: options.maxSockets });
  const total = Math.round(options.ratePerSecond * options.durationS);
  const latencies = new Float64Array(total);
  const sentAtEpoch = new Float64Array(total);
  const body = options.body === undefined ? undefined : Buffer.from(options.body);
  const headers = body === undefined ? options.headers : { ...options.headers, 'content-length': String(body.length) };
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  const inFlight: Promise<void>[] = [];
  const send = (): Promise<void> =>
    new Promise((resolve) => {
      const sentAt = performance.now();
      const request = httpRequest(
        { agent, host: target.hostname, port: target.port, path: target.pathname, method: options.method, headers },
        (response) => {
          response.on('data', () => undefined);
          response.on('end', () => {
            const status = response.statusCode ?? 0;
            if (status >= 200 && status < 300) {
              sentAtEpoch[ok] = performance.timeOrigin + sentAt;
              latencies[ok++] = performance.now() - sentAt;
            } else non2xx += 1;
            resolve();
          });
        },
      );
      request.setTimeout(10_000, () => request.destroy(new Error('timeout')));
      request.on('error', () => {
        errors += 1;
        resolve();
      });
      request.end(body);
    });
  const started = performance.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) * options.ratePerSecond) / 1000) + 1);
    while (sent < due) {
      inFlight.push(send());
      sent += 1;
    }
    await sleep(1);
  }
  await Promise.all(inFlight);
  const durationS = (performance.now() - started) / 1000;
  agent.destroy();
  const sorted = sortedOf(latencies.subarray(0, ok));
  return {
    result: {
      duration: durationS,
      errors,
      timeouts: 0,
      non2xx,
      '2xx': ok,
      requests: { average: ok / durationS, total: sent },
      latency: { p50: percentile(sorted, 50), p99: percentile(sorted, 99) },
    },
    latenciesMs: latencies.subarray(0, ok),
    sentAtEpochMs: sentAtEpoch.subarray(0, ok),
  };
}
