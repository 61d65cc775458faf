import type { operations } from './schema.d.ts';

/**
 * Input limits of app/openapi.yaml that the generated types cannot carry (maxLength, enum order);
 * test/api-schema.test.ts reads the document and holds these to it.
 */
export const MAX_ACTIVITY_CHARS = 280;
export const MAX_REPLY_CHARS = 1024;
export const MAX_MESSAGE_CHARS = 1024;

export type Ttl = operations['createActivity']['requestBody']['content']['application/json']['ttl'];

const TTL_LABELS: Readonly<Record<Ttl, string>> = {
  '30-days': '30 days',
  '7-days': '7 days',
  '3-days': '3 days',
  '1-day': '1 day',
  '12-hours': '12 hours',
  '3-hours': '3 hours',
  '1-hour': '1 hour',
};

/** The seven expiry choices, longest first, as the contract lists them. */
export const TTL_CHOICES: readonly { readonly value: Ttl; readonly label: string }[] = (Object.keys(TTL_LABELS) as Ttl[]).map((value) => ({
  value,
  label: TTL_LABELS[value],
}));

export const DEFAULT_TTL: Ttl = '7-days';

/** Characters as the service counts them: code points (an emoji is one). */
export function characterCount(text: string): number {
  // Not graphemes (Intl.Segmenter), which the rule suggests: the contract's maxLength counts code points.
  // biome-ignore lint/nursery/noMisusedSpread: code points are what the service counts.
  return [...text].length;
}
