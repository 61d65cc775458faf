import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Listening {
  readonly server: Server;
  readonly url: string;
  close: () => Promise<void>;
}

/** Serves a request listener (an Express app, a capture server) on a free loopback port. */
export async function listen(listener: RequestListener): Promise<Listening> {
  const server = createServer(listener);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${String(port)}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** One request as the endpoint received it. */
export interface CapturedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** What a capture server answers: JSON `body` with `status` (200 unless given). */
export interface CaptureResponse {
  readonly status?: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface CaptureServer extends Listening {
  readonly requests: CapturedRequest[];
  /** Resolves once `count` requests have arrived, or rejects after `timeoutMs`. */
  waitFor: (count: number, timeoutMs?: number) => Promise<CapturedRequest[]>;
}

/** Rollbar's success shape: the default answer. */
const ROLLBAR_ACCEPTED: CaptureResponse = { body: { err: 0, result: { id: null, uuid: 'captured' } } };

/**
 * An HTTP endpoint standing where a vendor's API would be (Rollbar's item API, the X-Ray calls
 * moto lacks): it records every request and answers with `respond`'s JSON, so tests can assert
 * the exact requests a client sent.
 */
export async function captureServer(
  respond: (request: CapturedRequest) => CaptureResponse = () => ROLLBAR_ACCEPTED,
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
      const { status = 200, body, headers } = respond(captured);
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
      for (const wake of waiters.splice(0)) wake();
    });
  });
  const waitFor = async (count: number, timeoutMs = 5000): Promise<CapturedRequest[]> => {
    const deadline = Date.now() + timeoutMs;
    while (requests.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`expected ${String(count)} captured requests, got ${String(requests.length)}`);
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

/** One response of a paced run: when it was sent (ms from the run's start), its status, latency and headers. */
export interface PacedResponse {
  readonly sentAtMs: number;
  readonly status: number;
  readonly latencyMs: number;
  readonly headers: Headers;
}

export interface PacedOptions {
  readonly ratePerSecond: number;
  readonly durationMs: number;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * GETs `url` at a fixed rate for a fixed time, each request sent on schedule whether or not the
 * previous ones have answered (an open model, as real clients arrive), and resolves when every
 * one has answered. A request that fails at the network level has status 0.
 */
export async function pacedRequests(url: string, options: PacedOptions): Promise<PacedResponse[]> {
  const count = Math.round((options.ratePerSecond * options.durationMs) / 1000);
  const gapMs = 1000 / options.ratePerSecond;
  const started = performance.now();
  const pending: Promise<PacedResponse>[] = [];
  for (let i = 0; i < count; i += 1) {
    const wait = started + i * gapMs - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const sentAtMs = performance.now() - started;
    pending.push(
      fetch(url, { headers: options.headers ?? {} }).then(
        async (response) => {
          await response.arrayBuffer();
          return { sentAtMs, status: response.status, latencyMs: performance.now() - started - sentAtMs, headers: response.headers };
        },
        () => ({ sentAtMs, status: 0, latencyMs: performance.now() - started - sentAtMs, headers: new Headers() }),
      ),
    );
  }
  return Promise.all(pending);
}
