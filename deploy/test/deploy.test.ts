import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { repoRoot, toolsDir } from '@cruddur/testkit/paths';
import { deploymentFiles } from '../../otel-collector/profiles.ts';
import { generatedFiles, ROLES, type Role, ssmParameterName } from '../generate.ts';

// The deployment files: up to date with their generator, embedding exactly the collector config
// files of the agent and gateway profiles, and valid for the platforms' own validators, offline.

const venv = path.join(toolsDir, 'deploy-venv/bin');
const rel = (file: string): string => path.join(repoRoot, file);
const readText = (file: string): string => fs.readFileSync(rel(file), 'utf8');
const run = (command: string, args: string[]) => spawnSync(path.join(venv, command), args, { cwd: repoRoot, encoding: 'utf8' });
const ROLE_NAMES = Object.keys(ROLES) as Role[];

interface Container {
  name: string;
  command?: string[];
  args?: string[];
  env?: Array<{ name: string; value?: string }>;
  ports?: Array<{ name?: string; containerPort: number; protocol?: string }>;
  readinessProbe?: { exec?: { command: string[] } };
  livenessProbe?: { exec?: { command: string[] } };
}
interface K8sDoc {
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  spec?: { template?: { spec: { containers: Container[] } } };
}
interface EcsContainer {
  name: string;
  entryPoint?: string[];
  command?: string[];
  environment?: Array<{ name: string; value: string }>;
  portMappings?: Array<{ containerPort: number; protocol?: string }>;
  secrets?: Array<{ name: string; valueFrom: string }>;
  dependsOn?: Array<{ containerName: string; condition: string }>;
  essential?: boolean;
  healthCheck?: { command: string[] };
}

describe('generated files', () => {
  it.each(Object.entries(generatedFiles()))('%s is what deploy/generate.ts writes (run it after a config change)', (file, content) => {
    expect(readText(file)).toBe(content);
  });
});

describe('no drift: the configs embedded are the files in otel-collector/config, in profile order', () => {
  const k8s = parseAllDocuments(readText('deploy/k8s/cruddur.yaml')).map((d) => d.toJS() as K8sDoc);
  const cfn = JSON.parse(readText('deploy/ecs/cloudformation.json')) as {
    Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  };

  it.each(ROLE_NAMES)('Kubernetes, %s: ConfigMap data and the container arguments', (role) => {
    const files = deploymentFiles(ROLES[role].profile, []);
    const cm = k8s.find((d) => d.kind === 'ConfigMap' && d.metadata.name === `cruddur-otel-${role}`);
    expect(Object.keys(cm?.data ?? {})).toEqual(files.map((f) => path.basename(f)));
    for (const f of files) expect(cm?.data?.[path.basename(f)], f).toBe(readText(f));
    const containers = k8s.filter((d) => d.kind === 'Deployment').flatMap((d) => d.spec?.template?.spec.containers ?? []);
    const collector = containers.find((c) => c.name === `otel-${role}`);
    expect(collector?.command).toEqual([ROLES[role].binary]);
    expect(collector?.args).toEqual(files.map((f) => `--config=/etc/cruddur/otel/${path.basename(f)}`));
    // Probed from inside the container: the agent's health_check listens on loopback only.
    for (const probe of [collector?.readinessProbe, collector?.livenessProbe]) {
      expect(probe?.exec?.command).toEqual(['/httpprobe', 'http://127.0.0.1:13133/']);
    }
  });

  it.each(ROLE_NAMES)('ECS, %s: SSM parameters hold the files; the task reads them in profile order', (role) => {
    const files = deploymentFiles(ROLES[role].profile, []);
    const params = Object.values(cfn.Resources).filter((r) => r.Type === 'AWS::SSM::Parameter');
    for (const f of files) {
      const param = params.find((p) => p.Properties.Name === ssmParameterName(role, path.basename(f)));
      expect(param?.Properties.Value, f).toBe(readText(f));
    }
    const td = JSON.parse(readText(`deploy/ecs/task-definition-${role === 'agent' ? 'app' : 'gateway'}.json`)) as {
      containerDefinitions: EcsContainer[];
    };
    const collector = td.containerDefinitions.find((c) => c.name === `otel-${role}`);
    expect(collector?.essential).toBe(true);
    expect(collector?.entryPoint).toEqual([ROLES[role].binary]);
    expect(collector?.healthCheck?.command).toEqual(['CMD', '/httpprobe', 'http://127.0.0.1:13133/']);
    const envOf = (arg: string): string => arg.replace('--config=env:', '');
    const fromSsm = (collector?.command ?? []).map((arg) => collector?.secrets?.find((s) => s.name === envOf(arg))?.valueFrom ?? '');
    expect(fromSsm.map((arn) => arn.replace(/^arn:aws:ssm:[^:]+:\d+:parameter/, ''))).toEqual(
      files.map((f) => ssmParameterName(role, path.basename(f))),
    );
  });

  it('ECS: the app container starts once its agent is HEALTHY', () => {
    const td = JSON.parse(readText('deploy/ecs/task-definition-app.json')) as { containerDefinitions: EcsContainer[] };
    expect(td.containerDefinitions.find((c) => c.name === 'app')?.dependsOn).toEqual([
      { containerName: 'otel-agent', condition: 'HEALTHY' },
    ]);
  });
});

describe('logs keep their direct path: the agent writes CloudWatch Logs, the gateway has no log file', () => {
  const cfn = JSON.parse(readText('deploy/ecs/cloudformation.json')) as {
    Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  };
  interface Statement {
    Action: string[];
    Resource: string | string[];
  }

  it('the agent carries cloudwatch-otlp.yaml and its signer; the gateway neither log file', () => {
    expect(deploymentFiles(ROLES.agent.profile, [])).toEqual(
      expect.arrayContaining(['otel-collector/config/aws-sigv4.yaml', 'otel-collector/config/cloudwatch-otlp.yaml']),
    );
    for (const f of [
      'otel-collector/config/cloudwatch.yaml',
      'otel-collector/config/cloudwatch-otlp.yaml',
      'otel-collector/config/honeycomb-logs.yaml',
    ]) {
      expect(deploymentFiles(ROLES.gateway.profile, [])).not.toContain(f);
    }
  });

  it("the app task's role (the agent's) may put log events into the group the agent writes", () => {
    const td = JSON.parse(readText('deploy/ecs/task-definition-app.json')) as {
      containerDefinitions: Array<{ name: string; environment?: Array<{ name: string; value: string }> }>;
    };
    const env = td.containerDefinitions.find((c) => c.name === 'otel-agent')?.environment ?? [];
    const group = env.find((e) => e.name === 'CLOUDWATCH_LOG_GROUP')?.value;
    expect(group).toBe('cruddur');
    expect(env.find((e) => e.name === 'AWS_REGION')?.value).toBe('us-east-1');
    const role = cfn.Resources.CollectorTaskRole?.Properties as { Policies: Array<{ PolicyDocument: { Statement: Statement[] } }> };
    const statements = role.Policies.flatMap((p) => p.PolicyDocument.Statement);
    const put = statements.find((st) => st.Action.includes('logs:PutLogEvents'));
    expect(put?.Resource).toBe(`arn:aws:logs:*:*:log-group:${String(group)}:log-stream:*`);
  });
});

describe('the app samples by the X-Ray rules through its own agent (issue #18: the deployment files use it)', () => {
  const k8s = parseAllDocuments(readText('deploy/k8s/cruddur.yaml')).map((d) => d.toJS() as K8sDoc);
  const appTask = JSON.parse(readText('deploy/ecs/task-definition-app.json')) as { containerDefinitions: EcsContainer[] };
  const envMap = (env: ReadonlyArray<{ name: string; value?: string }> | undefined): Record<string, string | undefined> =>
    Object.fromEntries((env ?? []).map((e) => [e.name, e.value]));

  /** The app's sampler settings and, next to it, what its agent sidecar runs and declares. */
  interface Platform {
    readonly appEnv: Record<string, string | undefined>;
    readonly agentEnv: Record<string, string | undefined>;
    readonly agentPorts: ReadonlyArray<{ port: number; protocol: string }>;
    /** The config files the agent loads, by file name. */
    readonly agentConfigs: readonly string[];
  }
  const k8sApp = k8s.find((d) => d.kind === 'Deployment' && d.metadata.name === 'cruddur-app')?.spec?.template?.spec.containers ?? [];
  const k8sAgent = k8sApp.find((c) => c.name === 'otel-agent');
  const ecsAgent = appTask.containerDefinitions.find((c) => c.name === 'otel-agent');
  const PLATFORMS: Record<string, Platform> = {
    // Kubernetes: containers of one pod share its network namespace.
    Kubernetes: {
      appEnv: envMap(k8sApp.find((c) => c.name === 'app')?.env),
      agentEnv: envMap(k8sAgent?.env),
      agentPorts: (k8sAgent?.ports ?? []).map((p) => ({ port: p.containerPort, protocol: (p.protocol ?? 'TCP').toLowerCase() })),
      agentConfigs: (k8sAgent?.args ?? []).map((a) => path.basename(a)),
    },
    // ECS awsvpc: containers of one task share its network namespace.
    ECS: {
      appEnv: envMap(appTask.containerDefinitions.find((c) => c.name === 'app')?.environment),
      agentEnv: envMap(ecsAgent?.environment),
      agentPorts: (ecsAgent?.portMappings ?? []).map((p) => ({ port: p.containerPort, protocol: p.protocol ?? 'tcp' })),
      agentConfigs: (ecsAgent?.command ?? []).map((arg) =>
        path.basename(ecsAgent?.secrets?.find((sec) => sec.name === arg.replace('--config=env:', ''))?.valueFrom ?? ''),
      ),
    },
  };
  /** OTEL_TRACES_SAMPLER_ARG in ADOT's form, `endpoint=<url>,polling_interval=<s>`. */
  const samplerArg = (env: Record<string, string | undefined>): Record<string, string> =>
    Object.fromEntries((env.OTEL_TRACES_SAMPLER_ARG ?? '').split(',').map((kv) => kv.split('=', 2) as [string, string]));

  it('the agent profile runs the X-Ray daemon role (awsxray receiver with its sampling proxy)', () => {
    expect(deploymentFiles(ROLES.agent.profile, [])).toContain('xray-daemon/daemon.yaml');
  });

  it.each(Object.keys(PLATFORMS))(
    '%s: the app samples with OTEL_TRACES_SAMPLER=xray from an endpoint its own agent serves and declares',
    (platform) => {
      const { appEnv, agentEnv, agentPorts, agentConfigs } = PLATFORMS[platform] as Platform;
      expect(appEnv.OTEL_TRACES_SAMPLER).toBe('xray');
      const arg = samplerArg(appEnv);
      expect(Object.keys(arg).sort()).toEqual(['endpoint', 'polling_interval']);
      expect(Number(arg.polling_interval)).toBeGreaterThanOrEqual(10);
      const url = new URL(arg.endpoint ?? '');
      // Loopback: the proxy is unauthenticated, so only the app's own task / pod reaches it.
      expect(url.hostname).toBe('127.0.0.1');
      expect(agentConfigs).toContain('daemon.yaml');
      expect(agentEnv.XRAY_DAEMON_HOST).toBe('127.0.0.1');
      expect(agentEnv.XRAY_DAEMON_PORT).toBe(url.port);
      // TCP: the sampling proxy the endpoint names; UDP: segments from X-Ray SDK clients.
      expect(agentPorts).toContainEqual({ port: Number(url.port), protocol: 'tcp' });
      expect(agentPorts).toContainEqual({ port: Number(url.port), protocol: 'udp' });
    },
  );

  it("the app task's role (the agent's, which signs the proxied calls) holds X-Ray's sampling actions", () => {
    const cfn = JSON.parse(readText('deploy/ecs/cloudformation.json')) as {
      Resources: Record<string, { Properties: { Policies?: Array<{ PolicyDocument: { Statement: Array<{ Action: string[] }> } }> } }>;
    };
    const actions = (cfn.Resources.CollectorTaskRole?.Properties.Policies ?? []).flatMap((p) =>
      p.PolicyDocument.Statement.flatMap((st) => st.Action),
    );
    expect(actions).toEqual(
      expect.arrayContaining(['xray:GetSamplingRules', 'xray:GetSamplingTargets', 'xray:GetSamplingStatisticSummaries']),
    );
    expect(JSON.parse(readText('deploy/ecs/task-definition-app.json')).taskRoleArn).toMatch(/role\/cruddur-collector-task$/);
  });
});

// Each validator starts a Python interpreter twice; cfn-lint takes ~10 s a run on a busy machine.
const VALIDATOR_TIMEOUT_MS = 90_000;

describe('offline validators (deploy-venv: cfn-lint, botocore, kubernetes-validate with bundled schemas)', () => {
  const broken = (name: string, content: string): string => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-')), name);
    fs.writeFileSync(file, content);
    return file;
  };

  it(
    'kubernetes-validate --strict accepts the manifests and rejects a wrong field',
    () => {
      const ok = run('kubernetes-validate', ['--strict', '--quiet', 'deploy/k8s/cruddur.yaml']);
      expect(ok.stdout + ok.stderr).toBe('');
      expect(ok.status).toBe(0);
      const bad = run('kubernetes-validate', [
        '--strict',
        broken('bad.yaml', readText('deploy/k8s/cruddur.yaml').replace('replicas: 3', 'replicas: three')),
      ]);
      expect(bad.status).not.toBe(0);
      expect(bad.stdout + bad.stderr).toMatch(/replicas/);
    },
    VALIDATOR_TIMEOUT_MS,
  );

  it(
    'cfn-lint accepts the CloudFormation template and rejects an unknown property',
    () => {
      const ok = run('cfn-lint', ['deploy/ecs/cloudformation.json']);
      expect(ok.stdout + ok.stderr).toBe('');
      expect(ok.status).toBe(0);
      const bad = run('cfn-lint', [
        broken('bad.json', readText('deploy/ecs/cloudformation.json').replace('"DesiredCount"', '"DesiredCont"')),
      ]);
      expect(bad.status).not.toBe(0);
      expect(bad.stdout).toMatch(/DesiredCont/);
    },
    VALIDATOR_TIMEOUT_MS,
  );

  it(
    "botocore's RegisterTaskDefinition shape accepts both task definitions and rejects a wrong type",
    () => {
      const files = ['deploy/ecs/task-definition-app.json', 'deploy/ecs/task-definition-gateway.json'];
      const ok = run('python', ['deploy/validate-task-definition.py', ...files]);
      expect(ok.status, ok.stdout + ok.stderr).toBe(0);
      const bad = run('python', [
        'deploy/validate-task-definition.py',
        broken('bad.json', readText(files[0] ?? '').replace('"essential": true', '"essential": "yes"')),
      ]);
      expect(bad.status).toBe(1);
      expect(bad.stdout).toMatch(/essential/);
    },
    VALIDATOR_TIMEOUT_MS,
  );
});
