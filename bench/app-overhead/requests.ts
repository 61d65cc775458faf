/** The measured requests: the same two endpoints, body and user for every variant and load shape. */
import type { AutocannonOptions, PacedLoadOptions } from '../lib/load.ts';
import type { EndpointName } from './results.ts';

export const BENCH_USER = 'worf';
export const POST_BODY = JSON.stringify({ message: 'bench: a crud of ordinary length', ttl: '1-hour' });
/** Keep-alive sockets for pacedLoad: enough that a stall of tens of ms never runs out of them. */
export const PACED_SOCKETS = 64;

function endpointRequest(
  port: number,
  endpoint: EndpointName,
): { url: string; method: 'GET' | 'POST'; headers: Record<string, string>; body?: string } {
  return endpoint === 'GET /api/activities/home'
    ? { url: `http://127.0.0.1:${String(port)}/api/activities/home`, method: 'GET', headers: { 'x-cruddur-user-handle': BENCH_USER } }
    : {
        url: `http://127.0.0.1:${String(port)}/api/activities`,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-cruddur-user-handle': BENCH_USER },
        body: POST_BODY,
      };
}

/** One benchmarked endpoint, evenly paced at `ratePerSecond`. */
export function pacedOptions(port: number, endpoint: EndpointName, ratePerSecond: number, durationS: number): PacedLoadOptions {
  return { ...endpointRequest(port, endpoint), ratePerSecond, durationS, maxSockets: PACED_SOCKETS };
}

/** One benchmarked endpoint at saturation (autocannon, closed loop). */
export function loadOptions(port: number, endpoint: EndpointName, connections: number, duration: number): AutocannonOptions {
  return { ...endpointRequest(port, endpoint), connections, duration };
}
