import { type SubmitEvent, type ReactNode, useId } from 'react';
import { useSearchParams } from 'react-router';

import { useLoad } from '../api/use-api.ts';
import { settle } from '../api/errors.ts';
import { ActivityFeed } from '../components/activity-feed.tsx';
import { LoadedView } from '../components/status.tsx';
import { PageHeading } from '../components/page-heading.tsx';

function SearchResults({ term }: { readonly term: string }): ReactNode {
  const [results] = useLoad(`search:${term}`, (api) => settle(api.GET('/api/activities/search', { params: { query: { term } } })));
  return <LoadedView loaded={results}>{(activities) => <ActivityFeed label="Search results" activities={activities} />}</LoadedView>;
}

/** Cruds whose message holds a term, at /search?term=… (the term lives in the URL, so results can be linked). */
export function SearchPage(): ReactNode {
  const [params, setParams] = useSearchParams();
  const term = params.get('term');
  const inputId = useId();
  const submit = (event: SubmitEvent<HTMLFormElement>): void => {
    event.preventDefault();
    const value = new FormData(event.currentTarget).get('term');
    setParams({ term: typeof value === 'string' ? value : '' });
  };
  return (
    <>
      <PageHeading title="Search" />
      <search aria-label="Search cruds">
        <form onSubmit={submit}>
          <label htmlFor={inputId}>Search term</label>
          <input id={inputId} name="term" type="search" defaultValue={term ?? ''} />
          <button type="submit">Search</button>
        </form>
      </search>
      {term === null ? null : <SearchResults term={term} />}
    </>
  );
}
