import type { ReactNode } from 'react';

/** A page's h1 and the document title with it (React 19 hoists <title> into the head). */
export function PageHeading({ title }: { readonly title: string }): ReactNode {
  return (
    <>
      <title>{`${title} · Cruddur`}</title>
      <h1>{title}</h1>
    </>
  );
}
