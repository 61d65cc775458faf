import type { ReactNode } from 'react';

import type { Message } from '../api/client.ts';
import { useApi, useLoad } from '../api/use-api.ts';
import { settle } from '../api/errors.ts';
import { MAX_MESSAGE_CHARS } from '../api/limits.ts';
import { ComposeForm } from '../components/compose-form.tsx';
import { LoadedView } from '../components/status.tsx';
import { relativeTime } from '../components/format.ts';
import { PageHeading } from '../components/page-heading.tsx';

/** The messages with one user and a send form, at /messages/@handle. */
export function ConversationPage({ handle }: { readonly handle: string }): ReactNode {
  const api = useApi();
  const [loaded, update] = useLoad(`conversation:${handle}`, (client) =>
    settle(client.GET('/api/messages/@{handle}', { params: { path: { handle } } })),
  );
  return (
    <>
      <PageHeading title={`Conversation with @${handle}`} />
      <LoadedView loaded={loaded}>
        {(messages) =>
          messages.length === 0 ? (
            <p className="empty">No messages yet.</p>
          ) : (
            <ol className="messages" aria-label="Messages">
              {messages.map((message) => (
                <li key={message.uuid}>
                  <strong>{message.display_name}</strong> <span className="handle">@{message.handle}</span>{' '}
                  <time dateTime={message.created_at}>{relativeTime(message.created_at)}</time>
                  <p className="message">{message.message}</p>
                </li>
              ))}
            </ol>
          )
        }
      </LoadedView>
      <ComposeForm<Message>
        name="Send a message"
        label="Message"
        action="Send"
        maxChars={MAX_MESSAGE_CHARS}
        send={(message) => settle(api.POST('/api/messages', { body: { message, user_receiver_handle: handle } }))}
        onSent={(sent): void => update((messages) => [...messages, sent])}
      />
    </>
  );
}
