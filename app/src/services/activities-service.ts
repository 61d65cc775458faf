import { trace } from '@opentelemetry/api';
import { TTL_MILLISECONDS, isTtl, type Activity, type Reply } from '../domain/model.ts';
import { isoWithOffset, type Clock } from '../domain/time.ts';
import type { Logger } from '../logging/logger.ts';
import type { MemoryStore } from '../store/memory-store.ts';
import { NotFoundError, ValidationError } from './errors.ts';
import { requireMessage, requireText } from './rules.ts';

export const ACTIVITY_MAX_CHARACTERS = 280;
export const REPLY_MAX_CHARACTERS = 1024;

// Tracer names are part of the contract: dashboards built on the Flask version filter by them.
const homeTracer = trace.getTracer('home.activities');
const userTracer = trace.getTracer('user.activities');

export interface CreateActivityInput {
  readonly handle: string | undefined;
  readonly message: string | undefined;
  readonly ttl: string | undefined;
}

export interface CreateReplyInput {
  readonly activityUuid: string | undefined;
  readonly handle: string | undefined;
  readonly message: string | undefined;
}

export interface ActivitiesServiceOptions {
  readonly store: MemoryStore;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** Feed and posting rules. Knows nothing of HTTP. */
export class ActivitiesService {
  private readonly store: MemoryStore;
  private readonly clock: Clock;
  private readonly logger: Logger;

  constructor(options: ActivitiesServiceOptions) {
    this.store = options.store;
    this.clock = options.clock;
    this.logger = options.logger;
  }

  home(): Activity[] {
    this.logger.info('home activities requested');
    return homeTracer.startActiveSpan('home-activities-mock-data', (span) => {
      try {
        const now = this.clock.now();
        const activities = this.store.listActivities('home');
        span.setAttributes({ 'app.now': isoWithOffset(now), 'app.result_length': activities.length });
        return activities;
      } finally {
        span.end();
      }
    });
  }

  notifications(): Activity[] {
    return this.store.listActivities('notifications');
  }

  search(term: string | undefined): Activity[] {
    const needle = requireText(term, 'search_term_blank').toLocaleLowerCase();
    return this.store.listActivities('home').filter((activity) => activity.message.toLocaleLowerCase().includes(needle));
  }

  userFeed(handle: string | undefined): Activity[] {
    const owner = requireText(handle, 'blank_user_handle');
    // The Flask version recorded this as the X-Ray subsegment `mock-data` with metadata `now`
    // and `results-size`; the same names keep old queries working, the app.* twins match home.
    return userTracer.startActiveSpan('mock-data', (span) => {
      try {
        const now = isoWithOffset(this.clock.now());
        const activities = this.store.listActivities('home').filter((activity) => activity.handle === owner);
        span.setAttributes({
          now,
          'results-size': activities.length,
          'app.now': now,
          'app.result_length': activities.length,
          'app.feed_handle': owner,
        });
        return activities;
      } finally {
        span.end();
      }
    });
  }

  show(uuid: string): Activity {
    const activity = this.store.findActivity(uuid);
    if (activity === undefined) throw new NotFoundError('activity', uuid);
    return activity;
  }

  create(input: CreateActivityInput): Activity {
    const message = requireMessage(input.message, ACTIVITY_MAX_CHARACTERS);
    const handle = requireText(input.handle, 'user_handle_blank');
    const lifetime = requireText(input.ttl, 'ttl_blank');
    if (!isTtl(lifetime)) throw new ValidationError('ttl_invalid');
    const createdAt = this.clock.now();
    const activity = this.store.insertActivity({
      handle,
      message,
      createdAt,
      expiresAt: new Date(createdAt.getTime() + TTL_MILLISECONDS[lifetime]),
    });
    this.logger.info({ 'app.activity_uuid': activity.uuid, 'app.ttl': lifetime }, 'activity created');
    return activity;
  }

  reply(input: CreateReplyInput): Reply {
    const message = requireMessage(input.message, REPLY_MAX_CHARACTERS);
    const handle = requireText(input.handle, 'user_handle_blank');
    const activityUuid = requireText(input.activityUuid, 'activity_uuid_blank');
    const reply = this.store.insertReply(activityUuid, {
      handle,
      message,
      createdAt: this.clock.now(),
    });
    if (reply === undefined) throw new NotFoundError('activity', activityUuid);
    this.logger.info({ 'app.activity_uuid': reply.reply_to_activity_uuid, 'app.reply_uuid': reply.uuid }, 'reply created');
    return reply;
  }
}
