import { ExportResultCode, type ExportResult } from '@opentelemetry/core';

/**
 * What span and log-record exporters have in common; the decorator works for both.
 */
export interface BatchExporter<Item> {
  export: (items: Item[], resultCallback: (result: ExportResult) => void) => void;
  shutdown: () => Promise<void>;
  forceFlush?: () => Promise<void>;
}

export interface RetryOptions {
  /** Give up on a batch after this long; keep it below OTEL_BSP_EXPORT_TIMEOUT (30 s by default). */
  readonly maxElapsedMs: number;
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Injected in tests. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

/**
 * gRPC status codes worth another try: the collector is restarting or unreachable (UNAVAILABLE),
 * slow (DEADLINE_EXCEEDED), refusing under memory pressure (RESOURCE_EXHAUSTED, which its
 * memory_limiter returns), or the call was cut (ABORTED, CANCELLED).
 */
const RETRYABLE_GRPC_CODES = new Set([1, 4, 8, 10, 14]);

function isRetryable(error: Error | undefined): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' && RETRYABLE_GRPC_CODES.has(code);
}

/**
 * Retries a failed export with exponential backoff until it succeeds or `maxElapsedMs` runs out.
 *
 * Why: OTel JS's gRPC exporter reports every gRPC error as a plain failure, so its own retry
 * logic never runs for gRPC, and the batch processor drops the batch. During a collector restart
 * (seconds, plus gRPC's reconnect backoff) every batch would be lost. With this, the batch
 * processor's bounded queue holds new spans while one batch keeps retrying: a sidecar restart
 * costs memory for a while, not data.
 */
export class RetryingExporter<Item> implements BatchExporter<Item> {
  private readonly inner: BatchExporter<Item>;
  private readonly options: RetryOptions;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private stopped = false;
  private readonly wakeUps = new Set<() => void>();

  constructor(inner: BatchExporter<Item>, options: RetryOptions) {
    this.inner = inner;
    this.options = options;
    this.initialBackoffMs = options.initialBackoffMs ?? 500;
    this.maxBackoffMs = options.maxBackoffMs ?? 5000;
    this.now = options.now ?? Date.now;
    this.sleep =
      options.sleep ??
      ((ms) =>
        new Promise<void>((resolve) => {
          // Shutdown wakes sleepers so a pending retry never holds the process open.
          const wake = (): void => {
            clearTimeout(timer);
            this.wakeUps.delete(wake);
            resolve();
          };
          const timer = setTimeout(wake, ms);
          timer.unref();
          this.wakeUps.add(wake);
        }));
  }

  export(items: Item[], resultCallback: (result: ExportResult) => void): void {
    void this.exportWithRetry(items).then(resultCallback);
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    for (const wake of [...this.wakeUps]) wake();
    await this.inner.shutdown();
  }

  async forceFlush(): Promise<void> {
    await this.inner.forceFlush?.();
  }

  private async exportWithRetry(items: Item[]): Promise<ExportResult> {
    const deadline = this.now() + this.options.maxElapsedMs;
    let backoff = this.initialBackoffMs;
    let result = await this.attempt(items);
    while (this.worthRetrying(result)) {
      const wait = Math.min(backoff * (0.8 + Math.random() * 0.4), this.maxBackoffMs);
      if (this.now() + wait > deadline) break;
      await this.sleep(wait);
      // shutdown() may have run while we slept.
      if (this.stopped) break;
      backoff = Math.min(backoff * 2, this.maxBackoffMs);
      result = await this.attempt(items);
    }
    return result;
  }

  private attempt(items: Item[]): Promise<ExportResult> {
    return new Promise<ExportResult>((resolve) => {
      this.inner.export(items, resolve);
    });
  }

  private worthRetrying(result: ExportResult): boolean {
    return result.code !== ExportResultCode.SUCCESS && !this.stopped && isRetryable(result.error);
  }
}
