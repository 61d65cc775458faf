import type { ReactNode } from 'react';

import type { ApiClient } from './client.ts';
import { ApiContext } from './use-api.ts';

export function ApiProvider({ client, children }: { readonly client: ApiClient; readonly children: ReactNode }): ReactNode {
  return <ApiContext value={client}>{children}</ApiContext>;
}
