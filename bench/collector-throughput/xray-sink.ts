/**
 * A null X-Ray endpoint: answers every PutTraceSegments with nothing unprocessed and counts the
 * documents (GET /count). Its own process, `node xray-sink.ts <port>`, started by backends.ts.
 */
import { createServer } from 'node:http';

export function serveXraySink(port: number): void {
  let segments = 0;
  const marker = 'trace_id';
  const server = createServer((request, response) => {
    if (request.method === 'GET' && request.url === '/count') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ segments }));
      return;
    }
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      // One trace_id per segment document (the exporter sends one document per span); counting
      // the marker is far cheaper than parsing the JSON on the load core.
      const body = Buffer.concat(chunks).toString('latin1');
      for (let at = body.indexOf(marker); at !== -1; at = body.indexOf(marker, at + marker.length)) segments++;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"UnprocessedTraceSegments":[]}');
    });
  });
  server.listen(port, '127.0.0.1');
  process.once('SIGTERM', () => server.close(() => process.exit(0)));
}

if (import.meta.main) serveXraySink(Number(process.argv[2]));
