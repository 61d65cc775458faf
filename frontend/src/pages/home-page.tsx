import type { ReactNode } from 'react';

import type { Activity } from '../api/client.ts';
import { useLoad } from '../api/use-api.ts';
import { settle } from '../api/errors.ts';
import { ActivityFeed } from '../components/activity-feed.tsx';
import { CrudForm } from '../components/crud-form.tsx';
import { LoadedView } from '../components/status.tsx';
import { PageHeading } from '../components/page-heading.tsx';

export function HomePage(): ReactNode {
  const [feed, update] = useLoad('home', (api) => settle(api.GET('/api/activities/home')));
  const prepend = (activity: Activity): void => update((activities) => [activity, ...activities]);
  return (
    <>
      <PageHeading title="Home" />
      <CrudForm onCreated={prepend} />
      <LoadedView loaded={feed}>{(activities) => <ActivityFeed label="Home feed" activities={activities} />}</LoadedView>
    </>
  );
}
