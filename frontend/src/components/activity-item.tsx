import { type ReactNode, useId } from 'react';
import { Link } from 'react-router';

import type { Activity, Reply } from '../api/client.ts';
import { countOf, relativeTime } from './format.ts';

function Counts({ item }: { readonly item: Activity | Reply }): ReactNode {
  return (
    <ul className="counts" aria-label="Counts">
      <li>{countOf(item.replies_count, 'reply', 'replies')}</li>
      <li>{countOf(item.reposts_count, 'repost', 'reposts')}</li>
      <li>{countOf(item.likes_count, 'like', 'likes')}</li>
    </ul>
  );
}

function Author({ handle, displayName }: { readonly handle: string; readonly displayName?: string | undefined }): ReactNode {
  return (
    <Link className="author" to={`/@${handle}`}>
      {displayName === undefined ? null : <strong>{displayName}</strong>} <span className="handle">@{handle}</span>
    </Link>
  );
}

/** One crud. The article is named by its message, so a page (or a test) finds it by what it says. */
export function ActivityItem({ activity, linked = true }: { readonly activity: Activity; readonly linked?: boolean }): ReactNode {
  const messageId = useId();
  return (
    <article className="activity" aria-labelledby={messageId}>
      <header>
        <Author handle={activity.handle} displayName={activity.display_name} />
        <time dateTime={activity.created_at}>{relativeTime(activity.created_at)}</time>
      </header>
      <p className="message" id={messageId}>
        {activity.message}
      </p>
      <footer>
        <Counts item={activity} />
        <span className="expires">
          expires <time dateTime={activity.expires_at}>{relativeTime(activity.expires_at)}</time>
        </span>
        {linked === false ? null : <Link to={`/@${activity.handle}/status/${activity.uuid}`}>Open crud</Link>}
      </footer>
    </article>
  );
}

export function ReplyItem({ reply }: { readonly reply: Reply }): ReactNode {
  const messageId = useId();
  return (
    <article className="activity reply" aria-labelledby={messageId}>
      <header>
        <Author handle={reply.handle} />
        <time dateTime={reply.created_at}>{relativeTime(reply.created_at)}</time>
      </header>
      <p className="message" id={messageId}>
        {reply.message}
      </p>
      <footer>
        <Counts item={reply} />
      </footer>
    </article>
  );
}
