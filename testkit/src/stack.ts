import { execFileSync } from 'node:child_process';
import path from 'node:path';

import { DockerComposeEnvironment, Wait, type StartedDockerComposeEnvironment } from 'testcontainers';

import { collectorArgs, deploymentFiles, readProfiles } from '../../otel-collector/profiles.ts';
import type { AwsAccess } from './backends.ts';
import { repoRoot } from './paths.ts';
import { freePort } from './ports.ts';
import { REGION } from './standins.ts';

/** Host ports the compose file publishes on 127.0.0.1, all overridable by environment. */
const PORT_VARIABLES = [
  'APP_PORT',
  'OTLP_GRPC_PORT',
  'OTLP_HTTP_PORT',
  'XRAY_DAEMON_PORT',
  'OTELCOL_HEALTH_PORT',
  'OTELCOL_METRICS_PORT',
  'HONEYCOMB_STANDIN_PORT',
  'ROLLBAR_STANDIN_PORT',
  'MOTO_PORT',
  'XRAY_STANDIN_PORT',
  'FRONTEND_PORT',
  'OTELCOL_BROWSER_PORT',
  'VIEWER_PORT',
] as const;
type PortVariable = (typeof PORT_VARIABLES)[number];

/** Every other variable docker-compose.yml reads, fixed to the offline defaults. */
const IMAGE_TAG = process.env.IMAGE_TAG ?? 'dev';

/**
 * The stack's images. IMAGE_TAG (the build's tag, mk/build.mk) picks a set of images built side by
 * side with another, e.g. a branch's, so two checkouts on one engine do not test each other's images.
 */
export const STACK_IMAGES = {
  APP_IMAGE: `cruddur/app:${IMAGE_TAG}`,
  COLLECTOR_IMAGE: `cruddur/otel-collector:${IMAGE_TAG}`,
  OTLP_STANDIN_IMAGE: `cruddur/otlp-standin:${IMAGE_TAG}`,
  ROLLBAR_STANDIN_IMAGE: `cruddur/rollbar-standin:${IMAGE_TAG}`,
  MOTO_IMAGE: `cruddur/moto:${IMAGE_TAG}`,
  XRAY_STANDIN_IMAGE: `cruddur/xray-standin:${IMAGE_TAG}`,
  FRONTEND_IMAGE: `cruddur/frontend:${IMAGE_TAG}`,
  VIEWER_IMAGE: `cruddur/otel-desktop-viewer:${IMAGE_TAG}`,
} as const;

const PINNED_ENVIRONMENT: Record<string, string> = {
  ...STACK_IMAGES,
  HONEYCOMB_API_KEY: 'integration-honeycomb-key',
  ROLLBAR_ACCESS_TOKEN: 'integration-rollbar-token',
  ROLLBAR_ENDPOINT: 'http://rollbar-standin:18080/api/1/item/',
  ROLLBAR_ENVIRONMENT: 'integration',
  AWS_REGION: REGION,
  AWS_ACCESS_KEY_ID: 'integration',
  AWS_SECRET_ACCESS_KEY: 'integration',
  CRUDDUR_DEBUG_ROUTES: 'true',
  DEPLOYMENT_ENVIRONMENT: 'integration',
  SERVICE_VERSION: 'integration',
  OTELCOL_MEM_LIMIT: '512m',
  OTELCOL_GOMEMLIMIT: '400MiB',
  OTELCOL_BATCH_TIMEOUT: '1s',
  HONEYCOMB_STANDIN_COUNT_ONLY: '',
  // Short batches keep the tests quick; these match the compose defaults and are pinned so a
  // developer's shell cannot lengthen them.
  OTEL_BSP_SCHEDULE_DELAY: '200',
  OTEL_BLRP_SCHEDULE_DELAY: '200',
  // Every trace unless a test asks for the rule-driven sampler (docs/sampling.md).
  OTEL_TRACES_SAMPLER: '',
  OTEL_TRACES_SAMPLER_ARG: '',
};

/**
 * The collector files of a deployment, from the profile manifest: the profile (the manifest's
 * default unless named) with every stand-in overlay it allows, as the offline stack runs it.
 */
export function offlineCollectorFiles(profileName?: string): string[] {
  return deploymentFiles(profileName ?? readProfiles().defaultProfile, 'all');
}

/** Compose v2 when the plugin is there, else the standalone v1 that scripts/compose.sh installs. */
function composeExecutable(): { standalone: true } | undefined {
  try {
    execFileSync('docker', ['compose', 'version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return { standalone: true };
  }
}

export interface Stack {
  readonly projectName: string;
  readonly ports: Record<PortVariable, number>;
  readonly appUrl: string;
  /** The web front end, at the origin the API and the collector allow (localhost, not 127.0.0.1). */
  readonly frontendUrl: string;
  readonly honeycombUrl: string;
  readonly rollbarUrl: string;
  /** The trace viewer's UI (otel-desktop-viewer; fed when the profile loads viewer.yaml). */
  readonly viewerUrl: string;
  readonly aws: AwsAccess;
  /** Recreates the collector with another set of config files (repository-relative); the rest keeps running. */
  reconfigureCollector: (files: readonly string[]) => Promise<void>;
  down: () => Promise<void>;
}

export interface StackOptions {
  /** Compose project name prefix, the pid is appended (default `cruddur-it`). */
  readonly projectPrefix?: string;
  /** Overrides of the pinned environment, e.g. canary credentials (ports and OTELCOL_ARGS stay the stack's). */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * The real docker-compose.yml, with the `local` profile (every vendor a stand-in), started
 * through Testcontainers from the images `make images` built. Host ports are free ones, so a
 * developer's own `make up` stack can keep running beside the tests.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const ports = Object.fromEntries(await Promise.all(PORT_VARIABLES.map(async (name) => [name, await freePort()] as const))) as Record<
    PortVariable,
    number
  >;
  const projectName = `${options.projectPrefix ?? 'cruddur-it'}-${process.pid}`;
  // Testcontainers passes the whole shell environment to compose; everything the compose file
  // reads is pinned here so a developer's real tokens or image overrides never reach the test.
  const environment = (configs: readonly string[]): Record<string, string> => ({
    ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)])),
    ...PINNED_ENVIRONMENT,
    // The page, the API and the browser endpoint as the browser sees them: the free host ports.
    FRONTEND_URL: `http://localhost:${String(ports.FRONTEND_PORT)}`,
    BACKEND_URL: `http://localhost:${String(ports.APP_PORT)}`,
    FRONTEND_OTLP_TRACES_ENDPOINT: `http://localhost:${String(ports.OTELCOL_BROWSER_PORT)}/v1/traces`,
    ...options.env,
    OTELCOL_ARGS: collectorArgs(configs).join(' '),
  });
  const collectorFiles = offlineCollectorFiles();
  const executable = composeExecutable();
  const compose = (configs: readonly string[]): DockerComposeEnvironment =>
    new DockerComposeEnvironment(repoRoot, 'docker-compose.yml')
      .withProjectName(projectName)
      .withProfiles('local')
      .withEnvironment(environment(configs))
      .withDefaultWaitStrategy(Wait.forHealthCheck())
      .withStartupTimeout(120_000)
      .withClientOptions(executable ? { executable } : {});

  let started: StartedDockerComposeEnvironment;
  try {
    started = await compose(collectorFiles).up();
  } catch (error) {
    // A failed start (a health check that never passes) must not leave containers behind.
    execFileSync(path.join(repoRoot, 'scripts/compose.sh'), ['--profile', 'local', 'down', '-v', '--remove-orphans'], {
      env: { ...process.env, ...environment(collectorFiles), COMPOSE_PROJECT_NAME: projectName },
      stdio: 'ignore',
    });
    throw error;
  }
  return {
    projectName,
    ports,
    appUrl: `http://127.0.0.1:${ports.APP_PORT}`,
    frontendUrl: `http://localhost:${ports.FRONTEND_PORT}`,
    honeycombUrl: `http://127.0.0.1:${ports.HONEYCOMB_STANDIN_PORT}`,
    rollbarUrl: `http://127.0.0.1:${ports.ROLLBAR_STANDIN_PORT}`,
    viewerUrl: `http://127.0.0.1:${ports.VIEWER_PORT}`,
    aws: { endpoint: `http://127.0.0.1:${ports.MOTO_PORT}`, region: REGION, accessKeyId: 'standin', secretAccessKey: 'standin' },
    async reconfigureCollector(files) {
      started = await compose(files).up(['otel-collector']);
    },
    async down() {
      await started.down({ removeVolumes: true });
    },
  };
}

// ---- the agent -> gateway tier (compose profile `gateway`) ------------------------------------

export interface GatewayStack {
  readonly projectName: string;
  /** The agent's OTLP/HTTP endpoint on the host. */
  readonly agentHttpUrl: string;
  readonly honeycombUrl: string;
  readonly aws: AwsAccess;
  /** The CloudWatch Logs / X-Ray OTLP stand-in (aws mode), where the agent writes its logs directly. */
  readonly awsOtlpUrl: string;
  /** The X-Ray control-plane stand-in the agent's sampling proxy relays to, and the key pair it checks. */
  readonly xrayControl: AwsAccess;
  /** The agent's X-Ray daemon port on the host (UDP segments, TCP sampling proxy). */
  readonly agentDaemonPort: number;
  down: () => Promise<void>;
}

export interface GatewayStackOptions {
  /** Compose project name prefix, the pid is appended (default `cruddur-gw`). */
  readonly projectPrefix?: string;
  /** Overrides of the pinned environment, e.g. GATEWAY_* policy variables or GATEWAY_REPLICAS. */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * The compose profile `gateway` (GATEWAY_REPLICAS gateways behind one agent that resolves them
 * through Docker's DNS) with the Honeycomb stand-in and moto, through Testcontainers, on free
 * 127.0.0.1 ports. The collector files are the `gateway` and `agent` profiles, each with its
 * stand-ins (the agent's logs go to the aws-otlp stand-in directly).
 */
export async function startGatewayStack(options: GatewayStackOptions = {}): Promise<GatewayStack> {
  const ports = {
    HONEYCOMB_STANDIN_PORT: await freePort(),
    MOTO_PORT: await freePort(),
    AGENT_OTLP_GRPC_PORT: await freePort(),
    AGENT_OTLP_HTTP_PORT: await freePort(),
    AWS_OTLP_STANDIN_PORT: await freePort(),
    XRAY_STANDIN_PORT: await freePort(),
    AGENT_XRAY_DAEMON_PORT: await freePort({ udp: true }),
  };
  const projectName = `${options.projectPrefix ?? 'cruddur-gw'}-${process.pid}`;
  const environment: Record<string, string> = {
    ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)])),
    ...PINNED_ENVIRONMENT,
    OTELCOL_ARGS: 'unused',
    OTELCOL_GATEWAY_ARGS: collectorArgs(deploymentFiles('gateway', 'all')).join(' '),
    OTELCOL_AGENT_ARGS: collectorArgs(deploymentFiles('agent', 'all')).join(' '),
    ...options.env,
  };
  const executable = composeExecutable();
  const compose = new DockerComposeEnvironment(repoRoot, 'docker-compose.yml')
    .withProjectName(projectName)
    .withProfiles('local', 'gateway')
    .withEnvironment(environment)
    .withDefaultWaitStrategy(Wait.forHealthCheck())
    .withStartupTimeout(120_000)
    .withClientOptions(executable ? { executable } : {});
  const services = ['honeycomb-standin', 'moto', 'xray-standin', 'aws-otlp-standin', 'gateway', 'otel-agent'];
  let started: StartedDockerComposeEnvironment;
  try {
    started = await compose.up(services);
  } catch (error) {
    execFileSync(
      path.join(repoRoot, 'scripts/compose.sh'),
      ['--profile', 'local', '--profile', 'gateway', 'down', '-v', '--remove-orphans'],
      {
        env: { ...process.env, ...environment, COMPOSE_PROJECT_NAME: projectName },
        stdio: 'ignore',
      },
    );
    throw error;
  }
  return {
    projectName,
    agentHttpUrl: `http://127.0.0.1:${String(ports.AGENT_OTLP_HTTP_PORT)}`,
    honeycombUrl: `http://127.0.0.1:${String(ports.HONEYCOMB_STANDIN_PORT)}`,
    aws: { endpoint: `http://127.0.0.1:${String(ports.MOTO_PORT)}`, region: REGION, accessKeyId: 'standin', secretAccessKey: 'standin' },
    awsOtlpUrl: `http://127.0.0.1:${String(ports.AWS_OTLP_STANDIN_PORT)}`,
    xrayControl: {
      endpoint: `http://127.0.0.1:${String(ports.XRAY_STANDIN_PORT)}`,
      region: REGION,
      accessKeyId: environment.AWS_ACCESS_KEY_ID ?? '',
      secretAccessKey: environment.AWS_SECRET_ACCESS_KEY ?? '',
    },
    agentDaemonPort: ports.AGENT_XRAY_DAEMON_PORT,
    async down() {
      await started.down({ removeVolumes: true });
    },
  };
}
