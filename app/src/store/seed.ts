import { DAY_MS, HOUR_MS } from '../domain/time.ts';

/**
 * The mock data the original backend served. Times are offsets from "now" so the feed always
 * reads "2 days ago", whenever the process started.
 */
export interface SeedReply {
  readonly uuid: string;
  readonly handle: string;
  readonly message: string;
  readonly likesCount: number;
  readonly ageMs: number;
}

export interface SeedActivity {
  readonly uuid: string;
  readonly handle: string;
  readonly message: string;
  readonly ageMs: number;
  readonly expiresInMs: number;
  readonly likesCount: number;
  readonly repostsCount: number;
  readonly replies: readonly SeedReply[];
}

export interface SeedMessage {
  readonly uuid: string;
  readonly senderHandle: string;
  readonly receiverHandle: string;
  readonly message: string;
  readonly ageMs: number;
}

export interface SeedMessageGroup {
  readonly uuid: string;
  readonly handle: string;
  readonly ageMs: number;
}

export const HOME_SEED: readonly SeedActivity[] = [
  {
    uuid: '0b8f3d7e-2c41-4a6b-9d55-1e7a9c3f6b21',
    handle: 'andrewbrown',
    message: 'Cloud is very fun!',
    ageMs: 2 * DAY_MS,
    expiresInMs: 5 * DAY_MS,
    likesCount: 5,
    repostsCount: 0,
    replies: [
      {
        uuid: '5d2e9a14-7b3c-4f08-a6e1-93c4b7d20f5a',
        handle: 'worf',
        message: 'This post has no honor!',
        likesCount: 0,
        ageMs: 2 * DAY_MS,
      },
    ],
  },
  {
    uuid: 'c47a1e90-5f26-4d3b-8e72-6a9d0b4c1f38',
    handle: 'worf',
    message: 'I am out of prune juice',
    ageMs: 7 * DAY_MS,
    expiresInMs: 9 * DAY_MS,
    likesCount: 0,
    repostsCount: 0,
    replies: [],
  },
  {
    uuid: '9e6b2f53-a8d1-4c97-b034-7f1e5d8a2c64',
    handle: 'garek',
    message: 'My dear doctor, I am just simple tailor',
    ageMs: HOUR_MS,
    expiresInMs: 12 * HOUR_MS,
    likesCount: 0,
    repostsCount: 0,
    replies: [],
  },
];

export const NOTIFICATIONS_SEED: readonly SeedActivity[] = [
  {
    uuid: 'f2a7c9d4-3e81-4b56-9a0f-c5d8e1b7a362',
    handle: 'coco',
    message: 'I am white unicorn',
    ageMs: 2 * DAY_MS,
    expiresInMs: 5 * DAY_MS,
    likesCount: 5,
    repostsCount: 0,
    replies: [
      {
        uuid: '3b9d6e21-8c4f-4a17-b2e5-d7f0a9c8e416',
        handle: 'worf',
        message: 'This post has no honor!',
        likesCount: 0,
        ageMs: 2 * DAY_MS,
      },
    ],
  },
];

export const MESSAGE_GROUPS_SEED: readonly SeedMessageGroup[] = [
  { uuid: '24b95582-9e7b-4e0a-9ad1-639773ab7552', handle: 'andrewbrown', ageMs: 7 * DAY_MS },
  { uuid: '417c360e-c4e6-4fce-873b-d2d71469b4ac', handle: 'worf', ageMs: 7 * DAY_MS },
];

export const MESSAGES_SEED: readonly SeedMessage[] = [
  {
    uuid: '4e81ddb3-5768-4dc5-9ab8-e6bd2d3bbd4b',
    senderHandle: 'worf',
    receiverHandle: 'andrewbrown',
    message: 'Is the deployment ready, Commander?',
    ageMs: 3 * DAY_MS,
  },
  {
    uuid: '66e12864-8c26-4c3a-9658-95a10f8fea67',
    senderHandle: 'andrewbrown',
    receiverHandle: 'worf',
    message: 'Only once every trace reaches every backend.',
    ageMs: 3 * DAY_MS - HOUR_MS,
  },
];
