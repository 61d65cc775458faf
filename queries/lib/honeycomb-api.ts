/**
 * Puts the saved queries, their query annotations and the board into a Honeycomb environment
 * through its REST API (https://api.honeycomb.io, a configuration key), idempotently:
 *
 * - a query is found by its annotation's name (`GET /1/query_annotations/{dataset}`); Honeycomb
 *   queries are immutable, so an unchanged specification is left alone and a changed one becomes
 *   a new query (`POST /1/queries/{dataset}`). An annotation's query id cannot be changed either,
 *   so the annotation is then replaced (new one created, old one deleted) under the same name;
 *   a changed description alone is a `PUT` of the annotation.
 * - the board is found by name (`GET /1/boards`) and created, or updated with `PUT` when its
 *   description or panels (query, annotation, style, in order) differ.
 *
 * A second run with nothing edited sends only reads.
 */
// The same step results as `make aws-setup` (created / updated / unchanged per resource), printed by
// the same describeResults.
import type { StepResult as SyncStep } from '../../aws/lib/resources.ts';
import type { Board, QuerySpec, SavedQuery } from './spec.ts';

export interface ApiOptions {
  /** e.g. https://api.honeycomb.io (HONEYCOMB_API_URL). */
  readonly baseUrl: string;
  /** A configuration key; sent only as the X-Honeycomb-Team header, never logged. */
  readonly apiKey: string;
  readonly dataset: string;
}

interface Annotation {
  id: string;
  name: string;
  description?: string;
  query_id: string;
}

interface BoardPanel {
  type: 'query';
  query_panel: { query_id: string; query_annotation_id: string; query_style: string };
}

interface RemoteBoard {
  id: string;
  name: string;
  description?: string;
  panels?: Array<{ type?: string; query_panel?: { query_id?: string; query_annotation_id?: string; query_style?: string } }>;
}

export class HoneycombApiError extends Error {
  override readonly name = 'HoneycombApiError';
}

class Client {
  private readonly options: ApiOptions;

  constructor(options: ApiOptions) {
    this.options = options;
  }

  async call<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.options.baseUrl.replace(/\/$/, '')}${path}`, {
      method,
      headers: { 'X-Honeycomb-Team': this.options.apiKey, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) {
      let message = text.slice(0, 300);
      try {
        const parsed = JSON.parse(text) as { error?: string; title?: string; detail?: string };
        message = parsed.error ?? parsed.detail ?? parsed.title ?? message;
      } catch {
        // not JSON: keep the text
      }
      throw new HoneycombApiError(`${method} ${path} answered ${String(response.status)}: ${message}`);
    }
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }
}

/** Absent, null and [] mean the same to Honeycomb; a scalar we do not set is Honeycomb's default. */
function sameSpec(want: QuerySpec, have: Record<string, unknown>): boolean {
  const empty = (v: unknown): boolean => v === undefined || v === null || (Array.isArray(v) && v.length === 0);
  const keys: Array<keyof QuerySpec> = [
    'calculations',
    'filters',
    'filter_combination',
    'breakdowns',
    'orders',
    'limit',
    'time_range',
    'granularity',
  ];
  return keys.every((key) => {
    const mine = want[key];
    const theirs = have[key];
    if (mine === undefined) return empty(theirs) || !Array.isArray(theirs);
    if (empty(mine) && empty(theirs)) return true;
    return JSON.stringify(mine) === JSON.stringify(theirs);
  });
}

const enc = encodeURIComponent;

/** Creates or updates every query, its annotation, then the board whose panels show them. */
export async function syncToHoneycomb(options: ApiOptions, queries: readonly SavedQuery[], board: Board): Promise<SyncStep[]> {
  const api = new Client(options);
  const ds = enc(options.dataset);
  const steps: SyncStep[] = [];
  const annotations = await api.call<Annotation[]>('GET', `/1/query_annotations/${ds}`);
  const placed = new Map<string, { queryId: string; annotationId: string }>();

  for (const q of queries) {
    const resource = `query "${q.name}"`;
    const existing = annotations.find((a) => a.name === q.name);
    const annotationBody = (queryId: string) => ({ name: q.name, description: q.description, query_id: queryId });
    if (!existing) {
      const created = await api.call<{ id: string }>('POST', `/1/queries/${ds}`, q.query);
      const annotation = await api.call<Annotation>('POST', `/1/query_annotations/${ds}`, annotationBody(created.id));
      placed.set(q.id, { queryId: created.id, annotationId: annotation.id });
      steps.push({ resource, outcome: 'created', detail: `query ${created.id}, annotation ${annotation.id}` });
      continue;
    }
    const current = await api.call<Record<string, unknown>>('GET', `/1/queries/${ds}/${enc(existing.query_id)}`);
    if (!sameSpec(q.query, current)) {
      const created = await api.call<{ id: string }>('POST', `/1/queries/${ds}`, q.query);
      const annotation = await api.call<Annotation>('POST', `/1/query_annotations/${ds}`, annotationBody(created.id));
      await api.call<unknown>('DELETE', `/1/query_annotations/${ds}/${enc(existing.id)}`);
      placed.set(q.id, { queryId: created.id, annotationId: annotation.id });
      steps.push({ resource, outcome: 'updated', detail: `specification changed: query ${existing.query_id} -> ${created.id}` });
      continue;
    }
    placed.set(q.id, { queryId: existing.query_id, annotationId: existing.id });
    if ((existing.description ?? '') === q.description) {
      steps.push({ resource, outcome: 'unchanged' });
    } else {
      await api.call<Annotation>('PUT', `/1/query_annotations/${ds}/${enc(existing.id)}`, annotationBody(existing.query_id));
      steps.push({ resource, outcome: 'updated', detail: 'description' });
    }
  }

  const panels: BoardPanel[] = board.panels.map((p) => {
    const ids = placed.get(p.query);
    if (!ids) throw new HoneycombApiError(`board panel ${p.query}: no such query`);
    return { type: 'query', query_panel: { query_id: ids.queryId, query_annotation_id: ids.annotationId, query_style: p.style } };
  });
  const desired = { name: board.name, description: board.description, type: 'flexible', layout_generation: 'auto', panels };
  const resource = `board "${board.name}"`;
  const boards = await api.call<RemoteBoard[]>('GET', '/1/boards');
  const found = boards.find((b) => b.name === board.name);
  if (!found) {
    const created = await api.call<RemoteBoard>('POST', '/1/boards', desired);
    steps.push({ resource, outcome: 'created', detail: `board ${created.id}` });
    return steps;
  }
  const current = await api.call<RemoteBoard>('GET', `/1/boards/${enc(found.id)}`);
  const currentPanels = (current.panels ?? [])
    .filter((p) => p.type === 'query')
    .map((p) => ({
      type: 'query',
      query_panel: {
        query_id: p.query_panel?.query_id,
        query_annotation_id: p.query_panel?.query_annotation_id,
        query_style: p.query_panel?.query_style ?? 'graph',
      },
    }));
  if ((current.description ?? '') === board.description && JSON.stringify(currentPanels) === JSON.stringify(panels)) {
    steps.push({ resource, outcome: 'unchanged' });
    return steps;
  }
  await api.call<RemoteBoard>('PUT', `/1/boards/${enc(found.id)}`, { id: found.id, ...desired });
  steps.push({ resource, outcome: 'updated', detail: 'panels or description' });
  return steps;
}
