import { type ReactNode, useId } from 'react';

import type { Activity, Reply } from '../api/client.ts';
import { useApi, useLoad } from '../api/use-api.ts';
import { settle } from '../api/errors.ts';
import { MAX_REPLY_CHARS } from '../api/limits.ts';
import { ActivityItem, ReplyItem } from '../components/activity-item.tsx';
import { ComposeForm } from '../components/compose-form.tsx';
import { LoadedView } from '../components/status.tsx';
import { PageHeading } from '../components/page-heading.tsx';

function withReply(activity: Activity, reply: Reply): Activity {
  return { ...activity, replies: [...activity.replies, reply], replies_count: activity.replies_count + 1 };
}

/** One crud with its replies and a reply form, at /@handle/status/:uuid. */
export function ActivityPage({ uuid }: { readonly uuid: string }): ReactNode {
  const api = useApi();
  const repliesId = useId();
  const [loaded, update] = useLoad(`activity:${uuid}`, (client) =>
    settle(client.GET('/api/activities/{uuid}', { params: { path: { uuid } } })),
  );
  return (
    <>
      <PageHeading title="Crud" />
      <LoadedView loaded={loaded}>
        {(activity) => (
          <>
            <ActivityItem activity={activity} linked={false} />
            <section className="replies" aria-labelledby={repliesId}>
              <h2 id={repliesId}>Replies</h2>
              {activity.replies.length === 0 ? <p className="empty">No replies yet.</p> : null}
              {activity.replies.map((reply) => (
                <ReplyItem key={reply.uuid} reply={reply} />
              ))}
              <ComposeForm<Reply>
                name="Reply to this crud"
                label="Reply message"
                action="Reply"
                maxChars={MAX_REPLY_CHARS}
                send={(message) => settle(api.POST('/api/activities/{uuid}/reply', { params: { path: { uuid } }, body: { message } }))}
                onSent={(reply): void => update((current) => withReply(current, reply))}
              />
            </section>
          </>
        )}
      </LoadedView>
    </>
  );
}
