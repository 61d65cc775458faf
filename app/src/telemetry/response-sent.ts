import type { Span, TimeInput } from '@opentelemetry/api';
import { type IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';

/**
 * The HTTP instrumentation's `responseHook` for SERVER spans: the span ends when the handler handed
 * the whole response to Node (`res.end()` was called), not when Node later emits `close`.
 *
 * The instrumentation ends the server span on the response's `close` event, so that a client that
 * gave up still ends it. `close` comes some event-loop turns after the bytes left, later still when
 * the loop is busy, and even `prefinish` (emitted inside `res.end()`) can come after them: measured
 * on the compose stack, `res.end()` wrote the headers and body to the socket and only reached
 * `prefinish` 3-19 ms later, while chromium had already read the whole response (docs/frontend.md,
 * "The network gap"). So the end time is taken as `res.end()` is entered: no byte of the
 * response's last write can reach the client before it, and for a response sent in one piece
 * (every route of this API) it is the moment the response was sent. The span still ends on
 * `close` (a client that gave up before the response has no `res.end()`: its span ends then, as
 * before); only its end time changes.
 */
export function endServerSpanWhenSent(span: Span, response: IncomingMessage | ServerResponse): void {
  if (!(response instanceof ServerResponse)) return;
  let sentAt: number | undefined;
  const endResponse = response.end;
  response.end = function end(this: ServerResponse, ...args: unknown[]) {
    sentAt ??= performance.now();
    return Reflect.apply(endResponse, this, args) as ServerResponse;
  } as typeof response.end;
  const endSpan = span.end.bind(span);
  // A performance.now() value: the SDK converts it with the same offset as the span's start time.
  span.end = (endTime?: TimeInput): void => endSpan(endTime ?? sentAt);
}
