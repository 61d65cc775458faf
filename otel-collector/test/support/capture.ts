import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as an AWS endpoint would have received it. */
export interface Captured {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface CaptureServer {
  url: string;
  requests: Captured[];
  close(): Promise<void>;
}

/**
 * A local HTTP server standing where an AWS API endpoint would be, for the calls moto does not
 * implement (X-Ray sampling rules and groups). It records every request and answers with what
 * respond() returns, so tests can assert the exact signed requests a client sends.
 */
export interface CaptureResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export async function startCapture(respond: (req: Captured) => CaptureResponse): Promise<CaptureServer> {
  const requests: Captured[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const captured: Captured = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(captured);
      const { status, body, headers } = respond(captured);
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
