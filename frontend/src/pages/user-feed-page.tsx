import type { ReactNode } from 'react';

import { useLoad } from '../api/use-api.ts';
import { settle } from '../api/errors.ts';
import { ActivityFeed } from '../components/activity-feed.tsx';
import { LoadedView } from '../components/status.tsx';
import { PageHeading } from '../components/page-heading.tsx';

/** A user's cruds, at /@handle. */
export function UserFeedPage({ handle }: { readonly handle: string }): ReactNode {
  const [feed] = useLoad(`user:${handle}`, (api) => settle(api.GET('/api/activities/@{handle}', { params: { path: { handle } } })));
  return (
    <>
      <PageHeading title={`@${handle}`} />
      <LoadedView loaded={feed}>{(activities) => <ActivityFeed label={`Cruds by @${handle}`} activities={activities} />}</LoadedView>
    </>
  );
}
