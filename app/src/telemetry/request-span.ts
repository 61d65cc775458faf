import { context, trace, type Span } from '@opentelemetry/api';
import { getRPCMetadata } from '@opentelemetry/core';

/**
 * The span of the whole HTTP request (the SERVER span), even while a child span is active.
 * The HTTP instrumentation stores it in the context as RPC metadata; without an SDK this
 * returns undefined and callers do nothing.
 */
export function requestSpan(): Span | undefined {
  return getRPCMetadata(context.active())?.span ?? trace.getActiveSpan();
}
