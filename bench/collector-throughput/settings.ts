/** The collector-throughput knobs (environment variables, described in main.ts) and fixed conditions. */
import path from 'node:path';

import { envList, envNumber } from '../lib/env.ts';
import { OUT_DIR } from '../lib/paths.ts';
import { COLLECTOR_THROUGHPUT_JSON, CONFIG_NAMES } from './results.ts';

export const QUICK = process.env.BENCH_QUICK === '1';
export const STEPS = (process.env.BENCH_STEPS ?? (QUICK ? '2500,10000,20000' : '2500,5000,10000,15000,20000,30000,40000,50000,60000'))
  .split(',')
  .map((value) => Number(value.trim()))
  .filter((value) => Number.isFinite(value) && value > 0);
export const STEP_S = envNumber('BENCH_STEP_SECONDS', QUICK ? 5 : 20);
export const DRAIN_S = envNumber('BENCH_DRAIN_SECONDS', QUICK ? 10 : 30);
/** A rate is only sustained if the exporters kept up: what is left when the load stops (at most a
 * batch flush interval and the requests in flight) must be gone within this. A queue that needs
 * longer was growing: the step "passed" only for as long as the queue had room. */
export const KEPT_UP_S = envNumber('BENCH_KEPT_UP_SECONDS', 5);
export const WARMUP_S = QUICK ? 2 : 5;
export const STOP_AFTER = envNumber('BENCH_STOP_AFTER', 2);
export const PROFILE = (process.env.BENCH_PROFILE ?? '1') === '1';
export const PROFILE_S = QUICK ? 4 : 12;
export const OUTPUT = path.resolve(process.env.BENCH_OUTPUT ?? COLLECTOR_THROUGHPUT_JSON);
export const SELECTED = envList('BENCH_CONFIGS', CONFIG_NAMES);

export const COLLECTOR_CPU = '1';
export const LOAD_CPU = '0';
/** Where the null X-Ray endpoint runs: with the other stand-ins unless told otherwise (a diagnostic). */
export const SINK_CPU = process.env.BENCH_SINK_CPU ?? LOAD_CPU;
/** telemetrygen's --rate is spans/s per worker, paced by a limiter with burst 1, so every late
 * wake-up is rate lost: at 500/s per worker and a busy load core it missed 10k/s by 6-11%. Many
 * slow workers keep the loss small. */
export const MAX_RATE_PER_WORKER = envNumber('BENCH_WORKER_RATE', 100);
/** --child-spans 1: two spans per trace, as the app's request span + its one domain span. */
export const CHILD_SPANS = 1;
export const SPANS_PER_TRACE = 1 + CHILD_SPANS;
/** The JS SDK's default export batch, as the app sends. */
export const CLIENT_BATCH = 512;
export const SAMPLE_MS = 500;
export const RATE_TOLERANCE = 0.05;
export const GO = process.env.GO ?? 'go';
export const LOG_DIR = path.join(OUT_DIR, 'collector-throughput');
