/**
 * The backends the collector exports to, all on the load core: the Honeycomb stand-in, moto for
 * X-Ray (and CloudWatch), and the null X-Ray endpoint (xray-sink.ts).
 */
import path from 'node:path';

import { honeycombStandin, motoServer } from '../../otel-collector/test/support/paths.ts';
import { freePort } from '../lib/process.ts';
import { baseEnv, startProc, waitHttp, type Proc } from './processes.ts';
import { HONEYCOMB_KEY, LOAD_CPU, SINK_CPU } from './settings.ts';

/** A stand-in process; its CPU is measured per step. */
interface Backend {
  readonly proc: Proc;
}

/** A stand-in that keeps what it receives: cleared before every step. */
interface RecordingBackend extends Backend {
  reset(): Promise<void>;
}

/** An HTTP call whose answer is not needed, only that it completed. */
async function call(url: string, method: string): Promise<void> {
  await (await fetch(url, { method })).arrayBuffer();
}

export interface Moto extends RecordingBackend {
  readonly url: string;
}

export async function startMoto(): Promise<Moto> {
  const port = await freePort();
  const proc = startProc('moto', LOAD_CPU, motoServer, ['-H', '127.0.0.1', '-p', String(port)], baseEnv());
  const url = `http://127.0.0.1:${String(port)}`;
  await waitHttp(proc, `${url}/moto-api/`);
  return {
    proc,
    url,
    // moto keeps every segment in memory; a fresh store per step keeps its cost per call stable.
    reset: () => call(`${url}/moto-api/reset`, 'POST'),
  };
}

export interface Honeycomb extends RecordingBackend {
  readonly grpcEndpoint: string;
}

export async function startHoneycomb(): Promise<Honeycomb> {
  const grpcPort = await freePort();
  const httpPort = await freePort();
  // -limit: the stand-in records spans for its report; a small record bounds its memory.
  const proc = startProc('honeycomb-standin', LOAD_CPU, honeycombStandin, ['-grpc-addr', `127.0.0.1:${String(grpcPort)}`, '-http-addr', `127.0.0.1:${String(httpPort)}`, '-limit', '1000'], {
    ...baseEnv(),
    HONEYCOMB_API_KEY: HONEYCOMB_KEY,
  });
  const httpUrl = `http://127.0.0.1:${String(httpPort)}`;
  await waitHttp(proc, `${httpUrl}/healthz`);
  return {
    proc,
    grpcEndpoint: `127.0.0.1:${String(grpcPort)}`,
    reset: () => call(`${httpUrl}/standin/received`, 'DELETE'),
  };
}

/** A null X-Ray endpoint: answers every PutTraceSegments with nothing unprocessed and counts the
 * documents. It runs as a process of its own (xray-sink.ts), pinned like the other
 * stand-ins, so its CPU is measured apart from the runner's. */
export interface XraySink extends Backend {
  readonly url: string;
  segments(): Promise<number>;
}

export async function startXraySink(): Promise<XraySink> {
  const port = await freePort();
  const proc = startProc('xray-sink', SINK_CPU, process.execPath, [path.join(import.meta.dirname, 'xray-sink.ts'), String(port)], baseEnv());
  const url = `http://127.0.0.1:${String(port)}`;
  await waitHttp(proc, `${url}/count`);
  return {
    proc,
    url,
    async segments() {
      const body = (await (await fetch(`${url}/count`)).json()) as { segments: number };
      return body.segments;
    },
  };
}

export interface Backends {
  readonly honeycomb: Honeycomb;
  readonly moto: Moto;
  readonly sink: XraySink;
}
