/**
 * Shared by the stall diagnostic's server preload (loop-monitor.ts) and its runner
 * (fixed-rate-stalls.ts), so both sides measure a stall the same way. No side effects at import.
 */
import { performance } from 'node:perf_hooks';

/** Something that happened at `at` (epoch ms) and lasted `ms`. */
export interface Interval {
  readonly at: number;
  readonly ms: number;
  readonly kind?: string;
  /** GC entries: old space in use right after the pause, and new space's size. */
  readonly oldUsedMb?: number;
  readonly newSizeMb?: number;
}

const TICK_MS = 2;
const LATE_MS = 5;

/**
 * Appends to `stalls` every time a 2 ms interval timer fires more than 5 ms late: the event loop
 * (or the whole process) was held up that long. Returns a function that stops watching.
 */
export function watchLoop(stalls: Interval[]): () => void {
  let expected = performance.now() + TICK_MS;
  const timer = setInterval(() => {
    const now = performance.now();
    if (now - expected > LATE_MS) stalls.push({ at: performance.timeOrigin + expected, ms: now - expected });
    expected = now + TICK_MS;
  }, TICK_MS);
  timer.unref();
  return () => clearInterval(timer);
}
