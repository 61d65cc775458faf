import type { Message, MessageGroup } from '../domain/model.ts';
import type { Clock } from '../domain/time.ts';
import type { Logger } from '../logging/logger.ts';
import type { MemoryStore } from '../store/memory-store.ts';
import { requireMessage, requireText } from './rules.ts';

export const MESSAGE_MAX_CHARACTERS = 1024;

export interface SendMessageInput {
  readonly senderHandle: string | undefined;
  readonly receiverHandle: string | undefined;
  readonly message: string | undefined;
}

export interface MessagesServiceOptions {
  readonly store: MemoryStore;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** Direct messages between two users. Knows nothing of HTTP. */
export class MessagesService {
  private readonly store: MemoryStore;
  private readonly clock: Clock;
  private readonly logger: Logger;

  constructor(options: MessagesServiceOptions) {
    this.store = options.store;
    this.clock = options.clock;
    this.logger = options.logger;
  }

  groups(handle: string): MessageGroup[] {
    return this.store.listMessageGroups(handle);
  }

  // `reciever` is misspelt in the contract's error keys; the frontend matches on them.
  conversation(handle: string, otherHandle: string | undefined): Message[] {
    const other = requireText(otherHandle, 'user_reciever_handle_blank');
    return this.store.listConversation(handle, other);
  }

  send(input: SendMessageInput): Message {
    const message = requireMessage(input.message, MESSAGE_MAX_CHARACTERS);
    const senderHandle = requireText(input.senderHandle, 'user_sender_handle_blank');
    const receiverHandle = requireText(input.receiverHandle, 'user_reciever_handle_blank');
    const sent = this.store.insertMessage({ senderHandle, receiverHandle, message, createdAt: this.clock.now() });
    this.logger.info({ 'app.message_uuid': sent.uuid, 'app.receiver_handle': receiverHandle }, 'message sent');
    return sent;
  }
}
