import type { ReactNode } from 'react';

import type { Loaded } from '../api/use-api.ts';

export function ErrorNotice({ problem }: { readonly problem: string }): ReactNode {
  return (
    <p className="error" role="alert">
      {problem}
    </p>
  );
}

/** The loading and failed states every page shares; `children` renders the data once it is there. */
export function LoadedView<T>({ loaded, children }: { readonly loaded: Loaded<T>; readonly children: (data: T) => ReactNode }): ReactNode {
  switch (loaded.state) {
    case 'loading':
      return (
        <p className="loading" role="status">
          Loading…
        </p>
      );
    case 'failed':
      return <ErrorNotice problem={loaded.problem} />;
    case 'ready':
      return children(loaded.data);
  }
}
