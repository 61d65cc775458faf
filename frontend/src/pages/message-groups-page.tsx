import type { ReactNode } from 'react';
import { Link } from 'react-router';

import { useLoad } from '../api/use-api.ts';
import { settle } from '../api/errors.ts';
import { LoadedView } from '../components/status.tsx';
import { relativeTime } from '../components/format.ts';
import { PageHeading } from '../components/page-heading.tsx';

/** The acting user's conversations, at /messages. */
export function MessageGroupsPage(): ReactNode {
  const [groups] = useLoad('message-groups', (api) => settle(api.GET('/api/message_groups')));
  return (
    <>
      <PageHeading title="Messages" />
      <LoadedView loaded={groups}>
        {(list) =>
          list.length === 0 ? (
            <p className="empty">No conversations yet.</p>
          ) : (
            <ul className="groups" aria-label="Conversations">
              {list.map((group) => (
                <li key={group.uuid}>
                  <Link to={`/messages/@${group.handle}`}>
                    <strong>{group.display_name}</strong> <span className="handle">@{group.handle}</span>
                  </Link>{' '}
                  <time dateTime={group.created_at}>{relativeTime(group.created_at)}</time>
                </li>
              ))}
            </ul>
          )
        }
      </LoadedView>
    </>
  );
}
