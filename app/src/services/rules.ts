import { ValidationError } from './errors.ts';

/*
 * Each check returns the value it vouches for, or throws the contract's error key. Calling them
 * in sequence gives the contract's precedence for free: message errors, then handle errors,
 * then the rest.
 */

/** Length as a person counts it: an emoji is one character, not two UTF-16 units. */
export function characterCount(value: string): number {
  let count = 0;
  for (const _ of value) count += 1;
  return count;
}

/** A required text field, trimmed. */
export function requireText(value: string | undefined, blankKey: string): string {
  const trimmed = value?.trim() ?? '';
  if (trimmed === '') throw new ValidationError(blankKey);
  return trimmed;
}

/** A message body, kept as typed (line breaks and spacing are the author's). */
export function requireMessage(value: string | undefined, maxCharacters: number): string {
  if (value === undefined || value.trim() === '') throw new ValidationError('message_blank');
  if (characterCount(value) > maxCharacters) throw new ValidationError('message_exceed_max_chars');
  return value;
}
