/**
 * `make traffic`: drives every route of the running stack once, including 4xx, a 5xx and
 * /rollbar/test, plus one X-Ray SDK-style segment to the daemon port, and prints each request's
 * trace id so `make traces` output can be matched by eye.
 */
import { newXrayCompatibleTraceId, traceparent } from '@cruddur/testkit/trace-ids';
import { sendDaemonSegment } from '@cruddur/testkit/xray-daemon-client';

const baseUrl = process.env.CRUDDUR_URL ?? 'http://127.0.0.1:4567';
const daemonHost = process.env.XRAY_DAEMON_HOST ?? '127.0.0.1';
const daemonPort = Number(process.env.XRAY_DAEMON_PORT ?? '2000');
const SEED_ACTIVITY = '0b8f3d7e-2c41-4a6b-9d55-1e7a9c3f6b21';

interface Step {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: string;
  readonly user?: string;
}

const steps: Step[] = [
  { method: 'GET', path: '/api/activities/home', user: 'worf' },
  { method: 'GET', path: '/api/activities/notifications' },
  { method: 'GET', path: '/api/activities/search?term=cloud' },
  { method: 'GET', path: '/api/activities/search' },
  { method: 'GET', path: '/api/activities/@andrewbrown' },
  { method: 'GET', path: '/api/activities/@' },
  { method: 'GET', path: `/api/activities/${SEED_ACTIVITY}` },
  { method: 'GET', path: '/api/activities/00000000-0000-4000-8000-000000000000' },
  { method: 'POST', path: '/api/activities', body: JSON.stringify({ message: 'Traffic from make traffic', ttl: '1-hour' }), user: 'garek' },
  { method: 'POST', path: '/api/activities', body: JSON.stringify({ message: '', ttl: '1-hour' }) },
  { method: 'POST', path: '/api/activities', body: '{"message": ' },
  { method: 'POST', path: `/api/activities/${SEED_ACTIVITY}/reply`, body: JSON.stringify({ message: 'Qapla!' }), user: 'worf' },
  { method: 'GET', path: '/api/message_groups' },
  { method: 'GET', path: '/api/messages/@worf' },
  { method: 'POST', path: '/api/messages', body: JSON.stringify({ message: 'Ready when you are', user_receiver_handle: 'worf' }) },
  { method: 'GET', path: '/rollbar/test' },
  { method: 'GET', path: '/debug/error' },
  { method: 'GET', path: '/no/such/route' },
  { method: 'GET', path: '/health' },
];

async function drive(step: Step): Promise<string> {
  const traceId = newXrayCompatibleTraceId();
  const headers: Record<string, string> = { traceparent: traceparent(traceId) };
  if (step.user !== undefined) headers['x-cruddur-user-handle'] = step.user;
  if (step.body !== undefined) headers['content-type'] = 'application/json';
  const started = performance.now();
  const response = await fetch(`${baseUrl}${step.path}`, {
    method: step.method,
    headers,
    ...(step.body === undefined ? {} : { body: step.body }),
  });
  await response.arrayBuffer();
  const elapsed = (performance.now() - started).toFixed(1).padStart(6);
  return `${String(response.status)}  ${elapsed} ms  ${traceId}  ${step.method.padEnd(4)} ${step.path}`;
}

async function sendLegacySegment(): Promise<string> {
  const traceId = await sendDaemonSegment(daemonHost, daemonPort, {
    name: 'legacy-xray-sdk-client',
    annotations: { source: 'make_traffic' },
    durationMs: 50,
  });
  return `UDP  segment  ${traceId}  -> ${daemonHost}:${String(daemonPort)} (X-Ray daemon protocol)`;
}

async function main(): Promise<void> {
  console.log(`driving ${baseUrl}\nstatus  time      trace id                          request`);
  for (const step of steps) console.log(await drive(step));
  console.log(await sendLegacySegment());
  console.log('\nnow run `make traces` (batches flush within ~2 s)');
}

main().catch((error: unknown) => {
  console.error(`traffic failed: ${error instanceof Error ? error.message : String(error)}; is the stack up (make up)?`);
  process.exit(1);
});
