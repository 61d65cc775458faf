import { describe, expect, it } from 'vitest';

import { countOf, relativeTime } from '../src/components/format.ts';

const now = new Date('2026-11-27T12:00:00.000Z');

describe('format', () => {
  it('says how long ago or how far ahead, in the largest whole unit', () => {
    expect(relativeTime('2026-11-25T12:00:00.000+00:00', now)).toBe('2 days ago');
    expect(relativeTime('2026-11-28T00:00:00.000+00:00', now)).toBe('in 12 hours');
    expect(relativeTime('2026-11-27T11:59:30.000+00:00', now)).toBe('30 seconds ago');
    expect(relativeTime('2026-11-20T12:00:00.000+00:00', now)).toBe('last week');
  });

  it('counts in the singular for one', () => {
    expect(countOf(1, 'reply', 'replies')).toBe('1 reply');
    expect(countOf(0, 'reply', 'replies')).toBe('0 replies');
    expect(countOf(2, 'like', 'likes')).toBe('2 likes');
  });
});
