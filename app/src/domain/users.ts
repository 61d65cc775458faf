/** Display names of the known users; anyone else posts under their bare handle. */
const DISPLAY_NAMES: ReadonlyMap<string, string> = new Map([
  ['andrewbrown', 'Andrew Brown'],
  ['worf', 'Worf'],
  ['garek', 'Garek'],
  ['coco', 'Coco'],
]);

/** The acting user when a request names none, as in the original backend. */
export const DEFAULT_USER_HANDLE = 'andrewbrown';

export function displayNameOf(handle: string): string | undefined {
  return DISPLAY_NAMES.get(handle);
}
