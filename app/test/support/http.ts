import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Listening {
  readonly server: Server;
  readonly url: string;
  close(): Promise<void>;
}

/** Serves a request listener (an Express app, a capture server) on a free loopback port. */
export async function listen(listener: RequestListener): Promise<Listening> {
  const server = createServer(listener);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface CapturedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface CaptureServer extends Listening {
  readonly requests: CapturedRequest[];
  /** Resolves once `count` requests have arrived, or rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<CapturedRequest[]>;
}

/** Records every request and answers with `respond`'s JSON (Rollbar's success shape by default). */
export async function captureServer(
  respond: (request: CapturedRequest) => unknown = () => ({ err: 0, result: { id: null, uuid: 'captured' } }),
): Promise<CaptureServer> {
  const requests: CapturedRequest[] = [];
  const waiters: Array<() => void> = [];
  const listening = await listen((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const captured: CapturedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(captured);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(respond(captured)));
      for (const wake of waiters.splice(0)) wake();
    });
  });
  const waitFor = async (count: number, timeoutMs = 5_000): Promise<CapturedRequest[]> => {
    const deadline = Date.now() + timeoutMs;
    while (requests.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`expected ${count} captured requests, got ${requests.length}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return requests;
  };
  return { ...listening, requests, waitFor };
}
