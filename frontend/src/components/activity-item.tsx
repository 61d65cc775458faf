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

interface PostProps {
  readonly className: string;
  readonly handle: string;
  readonly displayName?: string | undefined;
  readonly createdAt: string;
  readonly message: string;
  /** The footer: counts, expiry, links. */
  readonly children: ReactNode;
}

/** A crud or a reply. The article is named by its message, so a page (or a test) finds it by what it says. */
function Post({ className, handle, displayName, createdAt, message, children }: PostProps): ReactNode {
  const messageId = useId();
  return (
    <article className={className} aria-labelledby={messageId}>
      <header>
        <Author handle={handle} displayName={displayName} />
        <time dateTime={createdAt}>{relativeTime(createdAt)}</time>
      </header>
      <p className="message" id={messageId}>
        {message}
      </p>
      <footer>{children}</footer>
    </article>
  );
}

export function ActivityItem({ activity, linked = true }: { readonly activity: Activity; readonly linked?: boolean }): ReactNode {
  return (
    <Post
      className="activity"
      handle={activity.handle}
      displayName={activity.display_name}
      createdAt={activity.created_at}
      message={activity.message}
    >
      <Counts item={activity} />
      <span className="expires">
        expires <time dateTime={activity.expires_at}>{relativeTime(activity.expires_at)}</time>
      </span>
      {linked === false ? null : <Link to={`/@${activity.handle}/status/${activity.uuid}`}>Open crud</Link>}
    </Post>
  );
}

export function ReplyItem({ reply }: { readonly reply: Reply }): ReactNode {
  return (
    <Post className="activity reply" handle={reply.handle} createdAt={reply.created_at} message={reply.message}>
      <Counts item={reply} />
    </Post>
  );
}
