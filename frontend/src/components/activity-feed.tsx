import type { ReactNode } from 'react';

import type { Activity } from '../api/client.ts';
import { ActivityItem } from './activity-item.tsx';

export function ActivityFeed({ activities, label }: { readonly activities: readonly Activity[]; readonly label: string }): ReactNode {
  if (activities.length === 0) return <p className="empty">Nothing here yet.</p>;
  return (
    <section className="feed" aria-label={label}>
      {activities.map((activity) => (
        <ActivityItem key={activity.uuid} activity={activity} />
      ))}
    </section>
  );
}
