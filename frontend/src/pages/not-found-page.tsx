import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { PageHeading } from '../components/page-heading.tsx';

export function NotFoundPage(): ReactNode {
  return (
    <>
      <PageHeading title="Page not found" />
      <p>
        There is nothing at this address. <Link to="/">Go to the home feed</Link>.
      </p>
    </>
  );
}
