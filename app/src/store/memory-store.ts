import { randomUUID } from 'node:crypto';

import type { Activity, Message, MessageGroup, Reply } from '../domain/model.ts';
import { isoWithOffset, type Clock } from '../domain/time.ts';
import { displayNameOf } from '../domain/users.ts';
import { HOME_SEED, MESSAGE_GROUPS_SEED, MESSAGES_SEED, NOTIFICATIONS_SEED, type SeedActivity } from './seed.ts';

export type Feed = 'home' | 'notifications';

/**
 * A point in time. Seed data "floats": it keeps its age relative to now, as the original mock
 * data did; what users create is fixed at the moment it was created.
 */
interface Instant {
  readonly ms: number;
  readonly floating: boolean;
}

interface ReplyRecord {
  readonly uuid: string;
  readonly handle: string;
  readonly message: string;
  readonly likesCount: number;
  readonly createdAt: Instant;
}

interface ActivityRecord {
  readonly uuid: string;
  readonly feed: Feed;
  readonly handle: string;
  readonly message: string;
  readonly createdAt: Instant;
  readonly expiresAt: Instant;
  readonly likesCount: number;
  readonly repostsCount: number;
  readonly replies: ReplyRecord[];
}

interface MessageRecord {
  readonly uuid: string;
  readonly senderHandle: string;
  readonly receiverHandle: string;
  readonly message: string;
  readonly createdAt: Instant;
}

interface MessageGroupRecord {
  readonly uuid: string;
  readonly handle: string;
  readonly createdAt: Instant;
}

export interface NewActivity {
  readonly handle: string;
  readonly message: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
}

export interface NewReply {
  readonly handle: string;
  readonly message: string;
  readonly createdAt: Date;
}

export interface NewMessage {
  readonly senderHandle: string;
  readonly receiverHandle: string;
  readonly message: string;
  readonly createdAt: Date;
}

/**
 * In-memory store for the life of the process. Every read returns fresh plain objects, so callers
 * can never mutate stored state by accident.
 */
export class MemoryStore {
  private readonly clock: Clock;
  private readonly epochMs: number;
  private readonly activities = new Map<string, ActivityRecord>();
  private readonly messages: MessageRecord[] = [];
  private readonly messageGroups: MessageGroupRecord[] = [];

  constructor(clock: Clock) {
    this.clock = clock;
    this.epochMs = clock.now().getTime();
    for (const seed of HOME_SEED) this.addSeedActivity(seed, 'home');
    for (const seed of NOTIFICATIONS_SEED) this.addSeedActivity(seed, 'notifications');
    for (const group of MESSAGE_GROUPS_SEED) {
      this.messageGroups.push({ uuid: group.uuid, handle: group.handle, createdAt: this.floating(group.ageMs) });
    }
    for (const message of MESSAGES_SEED) {
      this.messages.push({ ...message, createdAt: this.floating(message.ageMs) });
    }
  }

  /** Activities of a feed, newest first. */
  listActivities(feed: Feed): Activity[] {
    return this.sortedNewestFirst([...this.activities.values()].filter((record) => record.feed === feed));
  }

  findActivity(uuid: string): Activity | undefined {
    const record = this.activities.get(uuid);
    return record === undefined ? undefined : this.toActivity(record);
  }

  insertActivity(input: NewActivity): Activity {
    const record: ActivityRecord = {
      uuid: randomUUID(),
      feed: 'home',
      handle: input.handle,
      message: input.message,
      createdAt: fixed(input.createdAt),
      expiresAt: fixed(input.expiresAt),
      likesCount: 0,
      repostsCount: 0,
      replies: [],
    };
    this.activities.set(record.uuid, record);
    return this.toActivity(record);
  }

  /** Adds a reply to an existing activity; undefined when there is no such activity. */
  insertReply(activityUuid: string, input: NewReply): Reply | undefined {
    const parent = this.activities.get(activityUuid);
    if (parent === undefined) return undefined;
    const record: ReplyRecord = {
      uuid: randomUUID(),
      handle: input.handle,
      message: input.message,
      likesCount: 0,
      createdAt: fixed(input.createdAt),
    };
    parent.replies.push(record);
    return this.toReply(record, parent.uuid);
  }

  /** The seeded groups, then one group per new conversation partner of `handle`. */
  listMessageGroups(handle: string): MessageGroup[] {
    const groups = [...this.messageGroups];
    const known = new Set(groups.map((group) => group.handle));
    for (const message of this.messages) {
      const partner = partnerOf(message, handle);
      if (partner !== undefined && !known.has(partner)) {
        known.add(partner);
        // A new conversation's group is identified by the message that started it.
        groups.push({ uuid: message.uuid, handle: partner, createdAt: message.createdAt });
      }
    }
    return groups.map((group) => ({
      uuid: group.uuid,
      display_name: displayNameOf(group.handle) ?? group.handle,
      handle: group.handle,
      created_at: this.iso(group.createdAt),
    }));
  }

  /** Messages exchanged between two users, oldest first as a chat reads. */
  listConversation(handle: string, otherHandle: string): Message[] {
    return this.messages
      .filter((message) => partnerOf(message, handle) === otherHandle)
      .sort((a, b) => this.resolve(a.createdAt) - this.resolve(b.createdAt))
      .map((message) => this.toMessage(message));
  }

  insertMessage(input: NewMessage): Message {
    const record: MessageRecord = {
      uuid: randomUUID(),
      senderHandle: input.senderHandle,
      receiverHandle: input.receiverHandle,
      message: input.message,
      createdAt: fixed(input.createdAt),
    };
    this.messages.push(record);
    return this.toMessage(record);
  }

  private addSeedActivity(seed: SeedActivity, feed: Feed): void {
    this.activities.set(seed.uuid, {
      uuid: seed.uuid,
      feed,
      handle: seed.handle,
      message: seed.message,
      createdAt: this.floating(seed.ageMs),
      // Expiry lies in the future: a negative age.
      expiresAt: this.floating(-seed.expiresInMs),
      likesCount: seed.likesCount,
      repostsCount: seed.repostsCount,
      replies: seed.replies.map((reply) => ({
        uuid: reply.uuid,
        handle: reply.handle,
        message: reply.message,
        likesCount: reply.likesCount,
        createdAt: this.floating(reply.ageMs),
      })),
    });
  }

  private floating(ageMs: number): Instant {
    return { ms: this.epochMs - ageMs, floating: true };
  }

  private resolve(instant: Instant): number {
    return instant.floating ? instant.ms + (this.clock.now().getTime() - this.epochMs) : instant.ms;
  }

  private iso(instant: Instant): string {
    return isoWithOffset(new Date(this.resolve(instant)));
  }

  private sortedNewestFirst(records: ActivityRecord[]): Activity[] {
    return records
      .map((record) => ({ record, at: this.resolve(record.createdAt) }))
      .sort((a, b) => b.at - a.at)
      .map(({ record }) => this.toActivity(record));
  }

  private toActivity(record: ActivityRecord): Activity {
    const displayName = displayNameOf(record.handle);
    return {
      uuid: record.uuid,
      handle: record.handle,
      ...(displayName === undefined ? {} : { display_name: displayName }),
      message: record.message,
      created_at: this.iso(record.createdAt),
      expires_at: this.iso(record.expiresAt),
      likes_count: record.likesCount,
      replies_count: record.replies.length,
      reposts_count: record.repostsCount,
      replies: record.replies.map((reply) => this.toReply(reply, record.uuid)),
    };
  }

  private toReply(record: ReplyRecord, parentUuid: string): Reply {
    return {
      uuid: record.uuid,
      reply_to_activity_uuid: parentUuid,
      handle: record.handle,
      message: record.message,
      likes_count: record.likesCount,
      replies_count: 0,
      reposts_count: 0,
      created_at: this.iso(record.createdAt),
    };
  }

  private toMessage(record: MessageRecord): Message {
    return {
      uuid: record.uuid,
      display_name: displayNameOf(record.senderHandle) ?? record.senderHandle,
      handle: record.senderHandle,
      message: record.message,
      created_at: this.iso(record.createdAt),
    };
  }
}

function fixed(date: Date): Instant {
  return { ms: date.getTime(), floating: false };
}

function partnerOf(message: MessageRecord, handle: string): string | undefined {
  if (message.senderHandle === handle) return message.receiverHandle;
  if (message.receiverHandle === handle) return message.senderHandle;
  return undefined;
}
