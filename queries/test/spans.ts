import type { ReceivedSpan } from '@cruddur/testkit/backends';

/** What every test evaluates at: an epoch second that is a whole minute. */
export const NOW = 1_800_000_000;

let counter = 0;
const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

export interface SpanInput {
  /** Seconds before NOW the span started. */
  readonly ago: number;
  readonly ms: number;
  readonly name?: string;
  readonly parent?: string;
  readonly status?: 'Unset' | 'Ok' | 'Error';
  /** Server without a parent, Internal with one, unless given (a server span with a remote parent). */
  readonly kind?: 'Server' | 'Internal' | 'Client';
  readonly attributes?: Record<string, unknown>;
}

/** A span as the Honeycomb stand-in reports it, with the duration and start chosen by the test. */
export function span(input: SpanInput): ReceivedSpan {
  counter += 1;
  const start = (NOW - input.ago) * 1e9;
  return {
    traceId: hex(counter, 32),
    spanId: hex(counter, 16),
    parentSpanId: input.parent ?? '',
    name: input.name ?? 'GET /api/activities/home',
    kind: input.kind ?? (input.parent === undefined ? 'Server' : 'Internal'),
    statusCode: input.status ?? 'Unset',
    startTimeUnixNano: start,
    endTimeUnixNano: start + input.ms * 1e6,
    attributes: input.attributes ?? {},
    resource: { 'service.name': 'cruddur-backend' },
    scope: 'test',
  };
}
