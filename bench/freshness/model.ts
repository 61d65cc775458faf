/** The timer model: what the batching timers alone give, which the measured figures are compared with. */
import type { BackendModel, BackendName, CollectorStage, FreshnessModel, FreshnessSettings } from './results.ts';

/** q-quantile (q >= 0.5) of U(0,a) + U(0,b), independent, a, b >= 0. */
export function uniformSumQuantile(a: number, b: number, q: number): number {
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  if (lo === 0) return q * hi;
  const tail = 1 - q;
  // Upper triangle of the trapezoid: P(S > s) = (a + b - s)^2 / (2ab) for s >= hi.
  const s = lo + hi - Math.sqrt(2 * lo * hi * tail);
  if (s >= hi) return s;
  // Flat middle: P(S > s) = (hi + lo/2 - s) / hi.
  return hi + lo / 2 - tail * hi;
}

export function appDelayMs(settings: FreshnessSettings, backend: BackendName): number {
  return backend === 'xray' ? settings.appBspScheduleDelayMs : settings.appBlrpScheduleDelayMs;
}

/**
 * App: a span/record waits U(0, D) (the timer starts with the first item of a batch). Collector:
 * a batch processor adds U(0, T) (free-running timer, phase independent of the app's); a queue
 * batcher adds the whole T when the app exports less often than T (each export opens its own
 * batch), else about U(0, T). Worst case D + T either way.
 */
export function backendModel(appDelay: number, stage: CollectorStage): BackendModel {
  const t = stage.kind === 'none' ? 0 : stage.timeoutMs;
  const quantile = (q: number): number =>
    stage.kind === 'queue batcher' && appDelay >= t ? t + q * appDelay : uniformSumQuantile(appDelay, t, q);
  return { p50Ms: quantile(0.5), p95Ms: quantile(0.95), worstMs: appDelay + t };
}

export function timerModel(settings: FreshnessSettings): FreshnessModel {
  return {
    xray: backendModel(appDelayMs(settings, 'xray'), settings.collector.xray),
    cloudwatch: backendModel(appDelayMs(settings, 'cloudwatch'), settings.collector.cloudwatch),
  };
}
