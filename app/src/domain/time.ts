/** A clock is injected wherever "now" matters, so tests can pin it. */
export interface Clock {
  now: () => Date;
}

export const systemClock: Clock = { now: () => new Date() };

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/**
 * ISO-8601 with an explicit offset and milliseconds (`2023-02-25T18:39:27.123+00:00`), the
 * format the Flask backend produced and the frontend parses.
 */
export function isoWithOffset(date: Date): string {
  return date.toISOString().replace('Z', '+00:00');
}
