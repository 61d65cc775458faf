import type { ReactNode } from 'react';

import { useLoad } from '../api/use-api.ts';
import { settle } from '../api/errors.ts';
import { ActivityFeed } from '../components/activity-feed.tsx';
import { LoadedView } from '../components/status.tsx';
import { PageHeading } from '../components/page-heading.tsx';

export function NotificationsPage(): ReactNode {
  const [feed] = useLoad('notifications', (api) => settle(api.GET('/api/activities/notifications')));
  return (
    <>
      <PageHeading title="Notifications" />
      <LoadedView loaded={feed}>{(activities) => <ActivityFeed label="Notifications" activities={activities} />}</LoadedView>
    </>
  );
}
