import { type CaptureResponse, type CaptureServer, type CapturedRequest, captureServer } from '@cruddur/testkit/http';

/**
 * Stands where Honeycomb's REST API would (queries, query annotations, boards), as
 * aws/test/fake-xray.ts does for X-Ray: it records every request and keeps just enough state to
 * answer the reads the way Honeycomb does (queries immutable with generated ids, annotations and
 * boards by id, 401 for a wrong key). The tests assert the requests, which is what Honeycomb acts on.
 */
export interface FakeHoneycombApi extends CaptureServer {
  readonly queries: Map<string, Record<string, unknown>>;
  readonly annotations: Map<string, { id: string; name: string; description: string; query_id: string }>;
  readonly boards: Map<string, Record<string, unknown> & { id: string; name: string }>;
  /** Each request as "METHOD path". */
  readonly sequence: (from?: number) => string[];
  readonly bodies: (method: string, pathPrefix: string) => unknown[];
}

export async function startFakeHoneycombApi(key: string, dataset: string): Promise<FakeHoneycombApi> {
  const queries = new Map<string, Record<string, unknown>>();
  const annotations = new Map<string, { id: string; name: string; description: string; query_id: string }>();
  const boards = new Map<string, Record<string, unknown> & { id: string; name: string }>();
  let next = 0;
  const newId = (prefix: string): string => {
    next += 1;
    return `${prefix}${String(next)}`;
  };
  const notFound: CaptureResponse = { status: 404, body: { error: 'not found' } };

  const server = await captureServer((req: CapturedRequest): CaptureResponse => {
    if (req.headers['x-honeycomb-team'] !== key) return { status: 401, body: { error: 'unknown API key - check your credentials' } };
    const body = (req.body === '' ? {} : JSON.parse(req.body)) as Record<string, unknown>;
    const parts = req.path.split('/').slice(1); // ['1', resource, ...]
    const [version, resource, a, b] = parts;
    if (version !== '1') return notFound;
    // Queries and annotations live in a dataset (/1/queries/{dataset}/{id}); boards do not (/1/boards/{id}).
    const scoped = resource === 'queries' || resource === 'query_annotations';
    if (scoped && a !== dataset) return notFound;
    const id = (scoped ? b : a) ?? '';
    switch (`${req.method} ${resource ?? ''}${id === '' ? '' : '/:id'}`) {
      case 'POST queries': {
        const created = newId('q');
        queries.set(created, body);
        return { body: { id: created, ...body } };
      }
      case 'GET queries/:id': {
        const q = queries.get(id);
        return q ? { body: { id, ...q } } : notFound;
      }
      case 'GET query_annotations':
        return { body: [...annotations.values()] };
      case 'POST query_annotations': {
        const ann = {
          id: newId('a'),
          name: String(body.name),
          description: String(body.description ?? ''),
          query_id: String(body.query_id),
        };
        annotations.set(ann.id, ann);
        return { status: 201, body: ann };
      }
      case 'PUT query_annotations/:id': {
        const ann = annotations.get(id);
        if (!ann) return notFound;
        Object.assign(ann, { name: String(body.name), description: String(body.description ?? '') });
        return { body: ann };
      }
      case 'DELETE query_annotations/:id':
        return annotations.delete(id) ? { status: 204, body: null } : notFound;
      case 'GET boards':
        return { body: [...boards.values()] };
      case 'POST boards': {
        const board = { ...body, id: newId('b'), name: String(body.name) };
        boards.set(board.id, board);
        return { status: 201, body: board };
      }
      case 'GET boards/:id': {
        const board = boards.get(id);
        return board ? { body: board } : notFound;
      }
      case 'PUT boards/:id': {
        if (!boards.has(id)) return notFound;
        const board = { ...body, id, name: String(body.name) };
        boards.set(board.id, board);
        return { body: board };
      }
      default:
        return notFound;
    }
  });
  return {
    ...server,
    queries,
    annotations,
    boards,
    sequence: (from = 0) => server.requests.slice(from).map((r) => `${r.method} ${r.path}`),
    bodies: (method, prefix) =>
      server.requests.filter((r) => r.method === method && r.path.startsWith(prefix)).map((r) => JSON.parse(r.body) as unknown),
  };
}
