import type { operations } from './schema.d.ts';

/** The 422 body of one operation is a one-key array; this is the union of its keys. */
type UnprocessableKey<Operation extends keyof operations> = operations[Operation]['responses'] extends {
  422: { content: { 'application/json': (infer Key)[] } };
}
  ? Key
  : never;

/** Every validation key any operation of app/openapi.yaml can answer. */
export type ValidationKey = { [Operation in keyof operations]: UnprocessableKey<Operation> }[keyof operations];

/**
 * The one place a validation key becomes words. Keyed by the contract's union, so a key added to
 * app/openapi.yaml (after `npm run generate:api`) fails the type check until it has a sentence.
 */
export const VALIDATION_MESSAGES: Readonly<Record<ValidationKey, string>> = {
  message_blank: 'Write something first: a blank message cannot be sent.',
  message_exceed_max_chars: 'That is too long: shorten it to the character limit and try again.',
  user_handle_blank: 'Cruddur could not tell who you are. Reload the page and try again.',
  user_sender_handle_blank: 'Cruddur could not tell who is sending this. Reload the page and try again.',
  user_reciever_handle_blank: 'Choose who the message is for.',
  ttl_blank: 'Choose how long the crud should stay up.',
  ttl_invalid: 'That expiry is not one of the choices: pick one from the list.',
  activity_uuid_blank: 'There is no crud to reply to.',
  search_term_blank: 'Type something to search for.',
  blank_user_handle: 'That profile address has no handle in it.',
};

export const UNREACHABLE_MESSAGE = 'The Cruddur service could not be reached. Check your connection and try again.';

function isValidationKey(key: string): key is ValidationKey {
  return Object.hasOwn(VALIDATION_MESSAGES, key);
}

/** Words for a failed answer: a 422 key's sentence, the server's own detail for 4xx bodies, else the status. */
export function describeFailure(status: number, body: unknown): string {
  if (status === 422 && Array.isArray(body)) {
    const key: unknown = body[0];
    if (typeof key === 'string') {
      return isValidationKey(key) ? VALIDATION_MESSAGES[key] : `The service refused this (${key}).`;
    }
  }
  if (status === 404) return 'That could not be found. It may have expired.';
  if (typeof body === 'object' && body !== null && 'detail' in body && typeof body.detail === 'string') return body.detail;
  return `Something went wrong (HTTP ${status}). Try again.`;
}

export type Outcome<T> = { readonly ok: true; readonly data: T } | { readonly ok: false; readonly problem: string };

/** What openapi-fetch resolves to, as far as the outcome needs it. */
interface FetchAnswer<T> {
  readonly data?: T;
  readonly error?: unknown;
  readonly response: Response;
}

/** Settles an API call into data or a sentence for the user. */
export async function settle<T>(request: Promise<FetchAnswer<T>>): Promise<Outcome<T>> {
  let answer: FetchAnswer<T>;
  try {
    answer = await request;
  } catch {
    return { ok: false, problem: UNREACHABLE_MESSAGE };
  }
  if (answer.response.ok && answer.data !== undefined) return { ok: true, data: answer.data };
  return { ok: false, problem: describeFailure(answer.response.status, answer.error) };
}
