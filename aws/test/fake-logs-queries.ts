import type { IncomingHttpHeaders } from 'node:http';
import { type CapturedRequest, type Listening, listen } from '@cruddur/testkit/http';

/**
 * moto implements CloudWatch Logs but not its query definitions (PutQueryDefinition,
 * DescribeQueryDefinitions), and one SDK client has one endpoint. This stands in front of moto:
 * it answers the two query-definition operations itself, keeping the definitions by id the way
 * CloudWatch Logs does, records them, and forwards every other operation to moto unchanged.
 */
export interface FakeLogsQueries extends Listening {
  readonly definitions: Map<string, { queryDefinitionId: string; name: string; queryString: string; logGroupNames: string[] }>;
  /** The query-definition requests, in order. */
  readonly requests: CapturedRequest[];
  /** Their operations (the X-Amz-Target's action), in order. */
  readonly operations: (from?: number) => string[];
}

const action = (headers: IncomingHttpHeaders): string => String(headers['x-amz-target'] ?? '').replace(/^Logs_20140328\./, '');

export async function startFakeLogsQueries(motoUrl: string): Promise<FakeLogsQueries> {
  const definitions: FakeLogsQueries['definitions'] = new Map();
  const requests: CapturedRequest[] = [];
  let next = 0;
  const json = (status: number, body: unknown, type?: string) => ({
    status,
    headers: { 'content-type': 'application/x-amz-json-1.1', ...(type === undefined ? {} : { 'x-amzn-errortype': type }) },
    body: JSON.stringify(body),
  });

  const answer = (op: string, body: Record<string, unknown>) => {
    if (op === 'DescribeQueryDefinitions') {
      const prefix = String(body.queryDefinitionNamePrefix ?? '');
      return json(200, { queryDefinitions: [...definitions.values()].filter((d) => d.name.startsWith(prefix)) });
    }
    const id = body.queryDefinitionId === undefined ? undefined : String(body.queryDefinitionId);
    if (id !== undefined && !definitions.has(id))
      return json(400, { message: 'Query definition does not exist' }, 'ResourceNotFoundException');
    next += 1;
    const definition = {
      queryDefinitionId: id ?? `00000000-0000-4000-8000-${String(next).padStart(12, '0')}`,
      name: String(body.name),
      queryString: String(body.queryString),
      logGroupNames: (body.logGroupNames as string[] | undefined) ?? [],
    };
    definitions.set(definition.queryDefinitionId, definition);
    return json(200, { queryDefinitionId: definition.queryDefinitionId });
  };

  const listening = await listen((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const op = action(req.headers);
      if (op === 'PutQueryDefinition' || op === 'DescribeQueryDefinitions') {
        requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
        const out = answer(op, (body === '' ? {} : JSON.parse(body)) as Record<string, unknown>);
        res.writeHead(out.status, out.headers);
        res.end(out.body);
        return;
      }
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(
          ([k, v]) => typeof v === 'string' && k !== 'host' && k !== 'content-length' && k !== 'connection',
        ),
      ) as Record<string, string>;
      fetch(`${motoUrl}${req.url ?? '/'}`, { method: req.method ?? 'POST', headers, ...(body === '' ? {} : { body }) })
        .then(async (response) => {
          const text = await response.text();
          const skip = new Set(['content-length', 'transfer-encoding', 'connection', 'content-encoding']);
          res.writeHead(response.status, Object.fromEntries([...response.headers.entries()].filter(([k]) => !skip.has(k))));
          res.end(text);
        })
        .catch((err: unknown) => {
          res.writeHead(502);
          res.end(String(err));
        });
    });
  });
  return { ...listening, definitions, requests, operations: (from = 0) => requests.slice(from).map((r) => action(r.headers)) };
}
