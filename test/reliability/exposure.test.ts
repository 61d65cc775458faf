import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startStack, type Stack } from '@cruddur/testkit/stack';
import { exec, inspectContainer, projectContainers, type ProjectContainer } from '@cruddur/testkit/docker';

// What of the compose stack can be reached from where. The real docker-compose.yml (profile
// local) from the built images, via testkit/src/stack.ts on free host ports:
//   - every published port is bound to 127.0.0.1, and the set of published ports is exactly the
//     documented one (a new one must be added here, consciously);
//   - zpages (55679), pprof (1777) and the X-Ray spool's loopback receiver (4319) are not
//     published and refuse connections from another container on the compose network; zpages
//     and pprof do answer on loopback inside the collector (so the refusal is the bind address
//     at work, not the extension being off).

/** Container port → service, as docker-compose.yml documents them (all on 127.0.0.1). */
const DOCUMENTED_PUBLISHED = [
  'app 4567/tcp',
  'otel-collector 4317/tcp',
  'otel-collector 4318/tcp',
  'otel-collector 2000/udp',
  'otel-collector 2000/tcp',
  'otel-collector 13133/tcp',
  'otel-collector 8888/tcp',
  'frontend 3000/tcp',
  // The page's telemetry endpoint: nginx in front of the collector's browser receiver.
  'frontend 4328/tcp',
  'honeycomb-standin 14318/tcp',
  'rollbar-standin 18080/tcp',
  'moto 5000/tcp',
  'xray-standin 5100/tcp',
  // The local trace viewer's UI only (its OTLP ports stay on the compose network).
  'trace-viewer 8000/tcp',
].sort();

/** A TCP connect from inside the app container (Node is its only tool): open, refused or timeout. */
const PROBE = `const s=require('net').connect({host:process.argv[1],port:+process.argv[2]});
s.setTimeout(3000);s.on('connect',()=>{console.log('open');s.destroy()});
s.on('timeout',()=>{console.log('timeout');s.destroy()});s.on('error',e=>console.log(e.code==='ECONNREFUSED'?'refused':e.code))`;

let stack: Stack;
let containers: ProjectContainer[];
const figures: string[] = [];

function container(service: string): ProjectContainer {
  const found = containers.find((c) => c.service === service);
  if (found === undefined) throw new Error(`no ${service} container in ${stack.projectName}`);
  return found;
}

async function probeFromApp(host: string, port: number): Promise<string> {
  const { output } = await exec(container('app').id, ['node', '-e', PROBE, host, String(port)]);
  return output.trim();
}

beforeAll(async () => {
  stack = await startStack({ projectPrefix: 'cruddur-rel' });
  containers = await projectContainers(stack.projectName);
});

afterAll(async () => {
  if (figures.length > 0) console.log(`exposure figures (${stack.projectName}):\n  ${figures.join('\n  ')}`);
  await stack?.down();
});

describe('published ports', () => {
  it('are exactly the documented ones, each bound to 127.0.0.1 only', async () => {
    expect(containers.map((c) => c.service).sort()).toEqual([
      'app',
      'frontend',
      'honeycomb-standin',
      'moto',
      'otel-collector',
      'rollbar-standin',
      'trace-viewer',
      'xray-standin',
    ]);
    const published: string[] = [];
    for (const c of containers) {
      const inspect = await inspectContainer(c.id);
      for (const [port, bindings] of Object.entries(inspect.NetworkSettings.Ports)) {
        if (bindings === null || bindings.length === 0) continue; // EXPOSEd, not published
        published.push(`${c.service} ${port}`);
        for (const binding of bindings) {
          expect(binding.HostIp, `${c.service} ${port} -> ${binding.HostIp}:${binding.HostPort}`).toBe('127.0.0.1');
          figures.push(`${c.service} ${port} -> ${binding.HostIp}:${binding.HostPort}`);
        }
      }
      // What compose asked for, too: a binding with an empty HostIp would mean all interfaces.
      for (const [port, bindings] of Object.entries(inspect.HostConfig.PortBindings ?? {})) {
        for (const binding of bindings) expect(binding.HostIp, `${c.service} ${port} requested binding`).toBe('127.0.0.1');
      }
    }
    expect(published.sort()).toEqual(DOCUMENTED_PUBLISHED);
    expect(published.some((p) => p.endsWith(' 55679/tcp') || p.endsWith(' 1777/tcp') || p.endsWith(' 4319/tcp'))).toBe(false);
  });
});

describe('collector diagnostics (zpages :55679, pprof :1777)', () => {
  it('the probe works: from the app container the collector receivers and health check are reachable', async () => {
    expect(await probeFromApp('otel-collector', 4317)).toBe('open');
    expect(await probeFromApp('otel-collector', 4318)).toBe('open');
    expect(await probeFromApp('otel-collector', 13_133)).toBe('open');
  });

  it.each([
    ['zpages', 55_679],
    ['pprof', 1777],
    // The second hop of xray.yaml: only the collector's own spool exporter may feed awsxray.
    ['X-Ray spool receiver', 4319],
  ] as const)('%s refuses connections from another container on the compose network', async (name, port) => {
    const answer = await probeFromApp('otel-collector', port);
    expect(answer).toBe('refused');
    figures.push(`${name} :${port} from the app container: ${answer}`);
  });

  it.each([
    ['zpages', 'http://127.0.0.1:55679/debug/servicez'],
    ['pprof', 'http://127.0.0.1:1777/debug/pprof/'],
  ] as const)('%s does answer on loopback inside the collector container', async (_name, url) => {
    const { code, output } = await exec(container('otel-collector').id, ['/httpprobe', url]);
    expect(code, output).toBe(0);
  });
});
