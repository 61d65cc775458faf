/**
 * The backends the collector exports to, all on the load core: the Honeycomb stand-in and moto
 * for X-Ray (and CloudWatch), from the test kit, and the null X-Ray endpoint (xray-sink.ts).
 */
import path from 'node:path';

import { freePort } from '@cruddur/testkit/ports';
import { waitForHttp } from '@cruddur/testkit/processes';
import {
  startHoneycomb as startHoneycombStandin,
  startMoto as startMotoStandin,
  type Honeycomb,
  type Moto,
} from '@cruddur/testkit/standins';

import { startProc, track, type Proc } from './processes.ts';
import { LOAD_CPU, LOG_DIR, SINK_CPU } from './settings.ts';

export type { Honeycomb, Moto } from '@cruddur/testkit/standins';

/** moto keeps every segment in memory: the steps reset it, so its cost per call stays stable. */
export async function startMoto(): Promise<Moto> {
  const moto = await startMotoStandin({ cpu: LOAD_CPU, logDir: LOG_DIR });
  track(moto.proc);
  return moto;
}

/** The stand-in records spans for its report; a small record bounds its memory under load. */
export async function startHoneycomb(): Promise<Honeycomb> {
  const honeycomb = await startHoneycombStandin({ cpu: LOAD_CPU, logDir: LOG_DIR, recordLimit: 1000 });
  track(honeycomb.proc);
  return honeycomb;
}

/** A null X-Ray endpoint: answers every PutTraceSegments with nothing unprocessed and counts the
 * documents. It runs as a process of its own (xray-sink.ts), pinned like the other
 * stand-ins, so its CPU is measured apart from the runner's. */
export interface XraySink {
  readonly proc: Proc;
  readonly url: string;
  segments: () => Promise<number>;
}

export async function startXraySink(): Promise<XraySink> {
  const port = await freePort();
  const proc = startProc('xray-sink', SINK_CPU, process.execPath, [path.join(import.meta.dirname, 'xray-sink.ts'), String(port)]);
  const url = `http://127.0.0.1:${String(port)}`;
  await waitForHttp(proc, `${url}/count`);
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
