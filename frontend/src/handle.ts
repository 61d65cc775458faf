/** The acting user: the API's default when no handle header is sent (there is no sign-in yet). */
export const CURRENT_USER = 'andrewbrown';

/** The handle of an `@handle` path segment, or undefined for any other segment. */
export function handleOf(segment: string | undefined): string | undefined {
  if (segment === undefined || !segment.startsWith('@') || segment.length === 1) return undefined;
  return segment.slice(1);
}
