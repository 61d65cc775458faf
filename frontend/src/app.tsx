import type { ReactNode } from 'react';
import { BrowserRouter, Route, Routes, useParams } from 'react-router';

import type { ApiClient } from './api/client.ts';
import { ApiProvider } from './api/context.tsx';
import { Layout } from './components/layout.tsx';
import { handleOf } from './handle.ts';
import { ActivityPage } from './pages/activity-page.tsx';
import { ConversationPage } from './pages/conversation-page.tsx';
import { HomePage } from './pages/home-page.tsx';
import { MessageGroupsPage } from './pages/message-groups-page.tsx';
import { NotFoundPage } from './pages/not-found-page.tsx';
import { NotificationsPage } from './pages/notifications-page.tsx';
import { SearchPage } from './pages/search-page.tsx';
import { UserFeedPage } from './pages/user-feed-page.tsx';

/**
 * React Router matches whole segments only, so `/@worf` is matched as `/:who` and this checks the
 * `@`: `/worf` is not a profile but a page that does not exist.
 */
function ByHandle({ page }: { readonly page: (handle: string, uuid: string | undefined) => ReactNode }): ReactNode {
  const { who, uuid } = useParams();
  const handle = handleOf(who);
  return handle === undefined ? <NotFoundPage /> : page(handle, uuid);
}

export function AppRoutes(): ReactNode {
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route index={true} element={<HomePage />} />
        <Route path="notifications" element={<NotificationsPage />} />
        <Route path="search" element={<SearchPage />} />
        <Route path="messages" element={<MessageGroupsPage />} />
        <Route path="messages/:who" element={<ByHandle page={(handle) => <ConversationPage key={handle} handle={handle} />} />} />
        <Route path=":who" element={<ByHandle page={(handle) => <UserFeedPage key={handle} handle={handle} />} />} />
        <Route
          path=":who/status/:uuid"
          element={<ByHandle page={(_handle, uuid) => (uuid === undefined ? <NotFoundPage /> : <ActivityPage key={uuid} uuid={uuid} />)} />}
        />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}

export function App({ client }: { readonly client: ApiClient }): ReactNode {
  return (
    <ApiProvider client={client}>
      <BrowserRouter>
        <AppRoutes />
      </BrowserRouter>
    </ApiProvider>
  );
}
