import { randomBytes } from 'node:crypto';

/**
 * A W3C trace id X-Ray also accepts: the first 8 hex digits are the epoch seconds of now (X-Ray
 * rejects segments whose trace id is more than 30 days old), the other 24 are random.
 */
export function newXrayCompatibleTraceId(now = Date.now()): string {
  const epoch = Math.floor(now / 1000)
    .toString(16)
    .padStart(8, '0');
  return `${epoch}${randomBytes(12).toString('hex')}`;
}

export function newSpanId(): string {
  return randomBytes(8).toString('hex');
}

/** `1-5759e988-bd862e3fe1be46a994272793`: how X-Ray writes the same trace id. */
export function toXrayTraceId(traceId: string): string {
  return `1-${traceId.slice(0, 8)}-${traceId.slice(8)}`;
}

/** `5759e988bd862e3fe1be46a994272793`: the W3C form of an X-Ray trace id (the inverse of `toXrayTraceId`). */
export function fromXrayTraceId(xrayTraceId: string): string {
  return xrayTraceId.split('-').slice(1).join('');
}

export function traceparent(traceId: string, spanId = newSpanId()): string {
  return `00-${traceId}-${spanId}-01`;
}

/** The trace a response belongs to, from its `Server-Timing: traceparent;desc="00-…-…-flags"` header. */
export function fromServerTiming(header: string | null): { traceId: string; spanId: string; sampled: boolean } | undefined {
  const match = SERVER_TIMING_TRACEPARENT.exec(header ?? '');
  if (match === null) return undefined;
  const [, traceId = '', spanId = '', flags = '00'] = match;
  return { traceId, spanId, sampled: (Number.parseInt(flags, 16) & 1) === 1 };
}
const SERVER_TIMING_TRACEPARENT = /traceparent;desc="00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})"/;
