import { createContext, useContext, useEffect, useRef, useState } from 'react';

import type { ApiClient } from './client.ts';
import type { Outcome } from './errors.ts';

/** The API client of the page (context.tsx provides it; tests provide one on a fake backend). */
export const ApiContext = createContext<ApiClient | undefined>(undefined);

export function useApi(): ApiClient {
  const client = useContext(ApiContext);
  if (client === undefined) throw new Error('useApi needs an <ApiProvider>');
  return client;
}

export type Loaded<T> =
  | { readonly state: 'loading' }
  | { readonly state: 'failed'; readonly problem: string }
  | { readonly state: 'ready'; readonly data: T };

/**
 * Loads once per key (what the page shows: its path and query): `load` runs when the key
 * changes, and an answer for a key the page has left is dropped. `update` edits the loaded data in
 * place (a new crud prepended to the feed) without asking the server again.
 */
export function useLoad<T>(key: string, load: (client: ApiClient) => Promise<Outcome<T>>): [Loaded<T>, (change: (data: T) => T) => void] {
  const client = useApi();
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading' });
  // `load` is a fresh closure on every render; the key says when what it reads has changed.
  const loadRef = useRef(load);
  loadRef.current = load;
  // biome-ignore lint/correctness/useExhaustiveDependencies: the key stands for what `load` reads (see above).
  useEffect(() => {
    let current = true;
    setLoaded({ state: 'loading' });
    void loadRef.current(client).then((outcome) => {
      if (!current) return;
      setLoaded(outcome.ok ? { state: 'ready', data: outcome.data } : { state: 'failed', problem: outcome.problem });
    });
    return (): void => {
      current = false;
    };
  }, [client, key]);
  const update = (change: (data: T) => T): void => {
    setLoaded((previous) => (previous.state === 'ready' ? { state: 'ready', data: change(previous.data) } : previous));
  };
  return [loaded, update];
}
