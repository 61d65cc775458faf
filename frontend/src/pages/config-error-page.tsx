import type { ReactNode } from 'react';

import { CONFIG_URL } from '../config.ts';
import { PageHeading } from '../components/page-heading.tsx';

/** Shown instead of the app when /config.json is missing or invalid: what is wrong, and where. */
export function ConfigErrorPage({ problem }: { readonly problem: string }): ReactNode {
  return (
    <main className="config-error">
      <PageHeading title="Cruddur cannot start" />
      <div role="alert">
        <p>
          Its configuration, <code>{CONFIG_URL}</code>, is not usable:
        </p>
        <pre>{problem}</pre>
      </div>
      <p>Fix the file (see frontend/README.md for its fields) and reload the page.</p>
    </main>
  );
}
