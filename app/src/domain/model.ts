/** The shapes the Cruddur frontend reads; field names are part of the API contract. */

export interface Reply {
  readonly uuid: string;
  readonly reply_to_activity_uuid: string;
  readonly handle: string;
  readonly message: string;
  readonly likes_count: number;
  readonly replies_count: number;
  readonly reposts_count: number;
  readonly created_at: string;
}

export interface Activity {
  readonly uuid: string;
  readonly handle: string;
  readonly display_name?: string;
  readonly message: string;
  readonly created_at: string;
  readonly expires_at: string;
  readonly likes_count: number;
  readonly replies_count: number;
  readonly reposts_count: number;
  readonly replies: readonly Reply[];
}

export interface MessageGroup {
  readonly uuid: string;
  readonly display_name: string;
  readonly handle: string;
  readonly created_at: string;
}

export interface Message {
  readonly uuid: string;
  readonly display_name: string;
  readonly handle: string;
  readonly message: string;
  readonly created_at: string;
}

/** How long a new activity lives; the keys are what the frontend's TTL picker sends. */
export const TTL_MILLISECONDS = {
  '30-days': 30 * 24 * 3_600_000,
  '7-days': 7 * 24 * 3_600_000,
  '3-days': 3 * 24 * 3_600_000,
  '1-day': 24 * 3_600_000,
  '12-hours': 12 * 3_600_000,
  '3-hours': 3 * 3_600_000,
  '1-hour': 3_600_000,
} as const;

export type Ttl = keyof typeof TTL_MILLISECONDS;

export function isTtl(value: string): value is Ttl {
  return Object.hasOwn(TTL_MILLISECONDS, value);
}
