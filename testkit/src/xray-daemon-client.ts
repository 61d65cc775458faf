import { createSocket } from 'node:dgram';

import { newSpanId, newXrayCompatibleTraceId, toXrayTraceId } from './trace-ids.ts';

export interface DaemonSegmentOptions {
  readonly name: string;
  readonly annotations: Record<string, string | number | boolean>;
  readonly durationMs?: number;
}

/**
 * Sends what an X-Ray SDK sends its daemon: a JSON header line, then one segment document, in
 * one UDP datagram. Resolves with the W3C form of the new trace id.
 */
export async function sendDaemonSegment(host: string, port: number, options: DaemonSegmentOptions): Promise<string> {
  const traceId = newXrayCompatibleTraceId();
  const now = Date.now() / 1000;
  const segment = {
    name: options.name,
    id: newSpanId(),
    trace_id: toXrayTraceId(traceId),
    start_time: now - (options.durationMs ?? 20) / 1000,
    end_time: now,
    http: { request: { method: 'GET', url: 'http://legacy.local/ping' }, response: { status: 200 } },
    annotations: options.annotations,
  };
  const packet = Buffer.from(`{"format": "json", "version": 1}\n${JSON.stringify(segment)}`);
  const socket = createSocket('udp4');
  try {
    await new Promise<void>((resolve, reject) => socket.send(packet, port, host, (error) => (error ? reject(error) : resolve())));
  } finally {
    socket.close();
  }
  return traceId;
}
