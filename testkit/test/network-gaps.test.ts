import { describe, expect, it } from 'vitest';

import { networkGaps, type ReceivedSpan } from '../src/backends.ts';

const span = (overrides: Partial<ReceivedSpan> & Pick<ReceivedSpan, 'spanId' | 'kind'>, service: string): ReceivedSpan => ({
  traceId: '6a0b0c0d1e2f30415263748596a7b8c9',
  parentSpanId: '',
  name: overrides.kind,
  statusCode: 'Unset',
  attributes: {},
  resource: { 'service.name': service },
  scope: 'test',
  ...overrides,
});

describe('networkGaps', () => {
  const submit = span({ spanId: 'a1', kind: 'Internal', name: 'submit', startTimeUnixNano: 0, endTimeUnixNano: 1e6 }, 'cruddur-frontend');
  const fetchSpan = span(
    { spanId: 'b2', parentSpanId: 'a1', kind: 'Client', name: 'HTTP POST', startTimeUnixNano: 1_000_000, endTimeUnixNano: 9_500_000 },
    'cruddur-frontend',
  );
  const server = span(
    {
      spanId: 'c3',
      parentSpanId: 'b2',
      kind: 'Server',
      name: 'POST /api/activities',
      startTimeUnixNano: 3_250_000,
      endTimeUnixNano: 8_000_000,
    },
    'cruddur-backend',
  );
  const inner = span(
    { spanId: 'd4', parentSpanId: 'c3', kind: 'Client', name: 'store', startTimeUnixNano: 4e6, endTimeUnixNano: 5e6 },
    'cruddur-backend',
  );

  it('gives the time before and after the server span of each cross-service fetch', () => {
    const gaps = networkGaps([submit, fetchSpan, server, inner]);
    expect(gaps).toHaveLength(1);
    expect(gaps[0]?.client.spanId).toBe('b2');
    expect(gaps[0]?.server.spanId).toBe('c3');
    expect(gaps[0]?.beforeMs).toBe(2.25);
    expect(gaps[0]?.afterMs).toBe(1.5);
    expect(gaps[0]?.totalMs).toBe(3.75);
  });

  it('ignores a server span of the same service and a server span that is not the client span’s child', () => {
    const sameService = { ...server, resource: { 'service.name': 'cruddur-frontend' } };
    const orphan = { ...server, parentSpanId: 'zz' };
    expect(networkGaps([fetchSpan, sameService])).toEqual([]);
    expect(networkGaps([fetchSpan, orphan])).toEqual([]);
  });
});
