/**
 * The running SDK, shared between the preloaded bootstrap and the server's shutdown path (both
 * load this module from the same place, so they see the same instance).
 */
export interface TelemetryHandle {
  shutdown: () => Promise<void>;
}

let active: TelemetryHandle | undefined;

export function setActiveTelemetry(handle: TelemetryHandle): void {
  active = handle;
}

/**
 * Flushes and stops the SDK, waiting at most `timeoutMs`. Never rejects: an unreachable
 * collector must cost a bounded delay at shutdown, not a hang or a crash.
 */
export async function shutdownTelemetry(timeoutMs: number): Promise<'flushed' | 'timed-out' | 'failed' | 'inactive'> {
  if (active === undefined) return 'inactive';
  const handle = active;
  active = undefined;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timed-out'>((resolve) => {
    timer = setTimeout(() => resolve('timed-out'), timeoutMs);
    timer.unref();
  });
  try {
    return await Promise.race([handle.shutdown().then(() => 'flushed' as const), timeout]);
  } catch {
    return 'failed';
  } finally {
    clearTimeout(timer);
  }
}
