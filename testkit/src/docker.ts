import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

/*
 * A compose project seen through the docker CLI: read-only views (inspect, logs, exec, save) for
 * the secrets and exposure tests, and `docker(...)` for the faults the outage tests inject.
 */

const run = promisify(execFile);
const BIG = 256 * 1024 * 1024;

export interface ProjectContainer {
  readonly id: string;
  readonly name: string;
  readonly service: string;
  readonly image: string;
}

export async function projectContainers(projectName: string): Promise<ProjectContainer[]> {
  const { stdout } = await run('docker', [
    'ps',
    '-a',
    '--filter',
    `label=com.docker.compose.project=${projectName}`,
    '--format',
    '{{.ID}}\t{{.Names}}\t{{.Label "com.docker.compose.service"}}\t{{.Image}}',
  ]);
  return stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [id = '', name = '', service = '', image = ''] = line.split('\t');
      return { id, name, service, image };
    });
}

/** The id of a compose service's container in a project. */
export async function serviceContainerId(projectName: string, service: string): Promise<string> {
  const container = (await projectContainers(projectName)).find((candidate) => candidate.service === service);
  if (container === undefined) throw new Error(`no ${service} container in ${projectName}`);
  return container.id;
}

/** The parts of `docker inspect` (container) these tests read. */
export interface ContainerInspect {
  readonly State: { readonly Running: boolean; readonly OOMKilled: boolean; readonly ExitCode: number };
  readonly RestartCount: number;
  /** The arguments the container's command runs with (after the entrypoint). */
  readonly Args: readonly string[];
  readonly Config: { readonly Image: string };
  readonly NetworkSettings: { readonly Ports: Record<string, Array<{ HostIp: string; HostPort: string }> | null> };
  readonly HostConfig: { readonly PortBindings: Record<string, Array<{ HostIp: string; HostPort: string }>> | null };
}

export async function inspectContainer(id: string): Promise<ContainerInspect> {
  const { stdout } = await run('docker', ['inspect', id], { maxBuffer: BIG });
  const [first] = JSON.parse(stdout) as ContainerInspect[];
  if (first === undefined) throw new Error(`docker inspect ${id} returned nothing`);
  return first;
}

/** The container's address on its compose network (reachable from the Linux host). */
export async function containerIp(id: string): Promise<string> {
  const { stdout } = await run('docker', ['inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}', id]);
  const ip = stdout.trim().split(' ')[0] ?? '';
  if (ip === '') throw new Error(`container ${id} has no network address`);
  return ip;
}

/** Both streams of a container's log. */
export async function containerLogs(id: string): Promise<string> {
  const { stdout, stderr } = await run('docker', ['logs', id], { maxBuffer: BIG });
  return stdout + stderr;
}

/** `docker <args>` with its exit status and output, never throwing on a non-zero status. */
async function outcome(args: readonly string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run('docker', args, { maxBuffer: BIG });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

export const exec = (id: string, command: readonly string[]): Promise<{ code: number; output: string }> =>
  outcome(['exec', id, ...command]);

/** A throwaway container of `image` with `environment`, run to its exit (a start-up check's verdict). */
export const runOnce = (image: string, environment: Readonly<Record<string, string>>): Promise<{ code: number; output: string }> =>
  outcome(['run', '--rm', ...Object.entries(environment).flatMap(([name, value]) => ['-e', `${name}=${value}`]), image]);

/** What an image carries besides its files: environment, labels, and every build step. */
export async function imageMetadata(image: string): Promise<string> {
  const [{ stdout: inspect }, { stdout: history }] = await Promise.all([
    run('docker', ['image', 'inspect', image], { maxBuffer: BIG }),
    run('docker', ['history', '--no-trunc', '--format', '{{.CreatedBy}}', image], { maxBuffer: BIG }),
  ]);
  return `${inspect}\n${history}`;
}

/**
 * Streams `docker save IMAGE` (every layer's files, uncompressed tar, plus the image config) and
 * reports which needles occur anywhere in it, and how many bytes were searched. Chunks overlap by
 * the longest needle so a match across a chunk boundary is not missed.
 */
export async function searchImageTar(image: string, needles: readonly string[]): Promise<{ found: string[]; bytes: number }> {
  const patterns = needles.map((n) => Buffer.from(n));
  const overlap = Math.max(...patterns.map((p) => p.length)) - 1;
  const found = new Set<string>();
  let bytes = 0;
  let tail = Buffer.alloc(0);
  const child = spawn('docker', ['save', image], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    const window = Buffer.concat([tail, chunk]);
    patterns.forEach((pattern, i) => {
      if (window.includes(pattern)) found.add(needles[i] ?? '');
    });
    tail = window.subarray(Math.max(0, window.length - overlap));
  }
  const code = await new Promise<number | null>((resolve) =>
    child.exitCode === null ? child.once('exit', resolve) : resolve(child.exitCode),
  );
  if (code !== 0) throw new Error(`docker save ${image} exited ${code}: ${stderr}`);
  return { found: [...found], bytes };
}

/** `docker <args>`: the faults the outage tests inject (kill, start, stop, pause, unpause). */
export async function docker(...args: string[]): Promise<void> {
  await run('docker', args);
}

/**
 * A container's memory as its cgroup accounts it (read on the host, cgroup v1 or v2): what the
 * kernel compares with the limit. `anonBytes` is what only an OOM kill can take back; `fileBytes`
 * is page cache (e.g. pages of bbolt's memory-mapped queue files), which the kernel reclaims at
 * the limit instead of killing, once written back.
 */
export interface ContainerMemory {
  readonly limitBytes: number;
  readonly usageBytes: number;
  readonly anonBytes: number;
  readonly fileBytes: number;
  readonly fileMappedBytes: number;
  readonly dirtyBytes: number;
  /** OOM kills in the cgroup so far (v1 reports it from kernel 4.13 on). */
  readonly oomKills: number;
}

function cgroupDir(id: string): string {
  const candidates = [
    `/sys/fs/cgroup/memory/docker/${id}`,
    `/sys/fs/cgroup/memory/system.slice/docker-${id}.scope`,
    `/sys/fs/cgroup/system.slice/docker-${id}.scope`,
    `/sys/fs/cgroup/docker/${id}`,
  ];
  const found = candidates.find((dir) => fs.existsSync(dir));
  if (found === undefined) throw new Error(`no memory cgroup for container ${id} (looked in ${candidates.join(', ')})`);
  return found;
}

function keyValues(text: string): Map<string, number> {
  return new Map(
    text
      .split('\n')
      .filter((line) => line.includes(' '))
      .map((line) => {
        const [key = '', value = ''] = line.split(' ');
        return [key, Number(value)];
      }),
  );
}

/** `id` is the full container id (`docker inspect`'s Id, or `serviceContainerId`'s, expanded here). */
export async function containerMemory(id: string): Promise<ContainerMemory> {
  const fullId = id.length === 64 ? id : (await run('docker', ['inspect', '--format', '{{.Id}}', id])).stdout.trim();
  const dir = cgroupDir(fullId);
  const read = (file: string): string => fs.readFileSync(path.join(dir, file), 'utf8');
  if (fs.existsSync(path.join(dir, 'memory.limit_in_bytes'))) {
    const stat = keyValues(read('memory.stat'));
    return {
      limitBytes: Number(read('memory.limit_in_bytes')),
      usageBytes: Number(read('memory.usage_in_bytes')),
      anonBytes: stat.get('total_rss') ?? 0,
      fileBytes: stat.get('total_cache') ?? 0,
      fileMappedBytes: stat.get('total_mapped_file') ?? 0,
      dirtyBytes: (stat.get('total_dirty') ?? 0) + (stat.get('total_writeback') ?? 0),
      oomKills: keyValues(read('memory.oom_control')).get('oom_kill') ?? 0,
    };
  }
  const stat = keyValues(read('memory.stat'));
  const max = read('memory.max').trim();
  return {
    limitBytes: max === 'max' ? Number.POSITIVE_INFINITY : Number(max),
    usageBytes: Number(read('memory.current')),
    anonBytes: stat.get('anon') ?? 0,
    fileBytes: stat.get('file') ?? 0,
    fileMappedBytes: stat.get('file_mapped') ?? 0,
    dirtyBytes: (stat.get('file_dirty') ?? 0) + (stat.get('file_writeback') ?? 0),
    oomKills: keyValues(read('memory.events')).get('oom_kill') ?? 0,
  };
}
