/**
 * The deployment files of the agent -> gateway tier, generated from otel-collector/profiles.yaml
 * and the config files it names, so the collector configs they embed can never drift from
 * otel-collector/config (deploy/test/deploy.test.ts regenerates and compares):
 *   deploy/k8s/cruddur.yaml                 Kubernetes: ConfigMaps, app Deployment with the agent
 *                                           sidecar, gateway Deployment + headless Service, PDBs
 *   deploy/ecs/task-definition-app.json     ECS RegisterTaskDefinition input (Fargate): app + agent
 *   deploy/ecs/task-definition-gateway.json the gateway task
 *   deploy/ecs/cloudformation.json          SSM parameters (the configs), Cloud Map namespace and
 *                                           service, roles, both task definitions and services
 *
 *   node deploy/generate.ts          write the files
 *   node deploy/generate.ts --check  exit 1 when a file differs from what would be generated
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { stringify } from 'yaml';

import { deploymentFiles } from '../otel-collector/profiles.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const read = (rel: string): string => fs.readFileSync(path.join(root, rel), 'utf8');

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** The two collector roles a deployment runs, and the binary each runs on. */
export const ROLES = {
  agent: { profile: 'agent', binary: '/otelcol-cruddur-agent' },
  gateway: { profile: 'gateway', binary: '/otelcol-cruddur' },
} as const;
export type Role = keyof typeof ROLES;

/** The role's config files (repository-relative, merge order) and their contents. */
export function roleConfigs(role: Role): Array<{ file: string; key: string; content: string }> {
  return deploymentFiles(ROLES[role].profile, []).map((file) => ({ file, key: path.basename(file), content: read(file) }));
}

const GATEWAY_REPLICAS = 3;
const IMAGE = { app: 'cruddur/app:1.0.0', collector: 'cruddur/otel-collector:1.0.0' };
const OTLP = 4317;
const HEALTH = 13_133;
const APP_PORT = 4567;
/** The X-Ray daemon role in the agent (xray-daemon/daemon.yaml): UDP segments, TCP sampling proxy. */
const XRAY_DAEMON = 2000;
/**
 * The app samples by the X-Ray rules (docs/sampling.md): @opentelemetry/sampler-aws-xray polls
 * its agent's sampling proxy, which signs and relays to X-Ray with the task role. 127.0.0.1, not
 * localhost (which may try [::1] first), and reachable because the app and its agent share the
 * task's / pod's network namespace.
 */
export const SAMPLING_ENDPOINT = `http://127.0.0.1:${String(XRAY_DAEMON)}`;

/** The app container's environment, the same on both platforms. */
const appEnvironment = (): Array<{ name: string; value: string }> =>
  Object.entries({
    PORT: String(APP_PORT),
    OTEL_SERVICE_NAME: 'cruddur-backend',
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${String(OTLP)}`,
    OTEL_TRACES_SAMPLER: 'xray',
    OTEL_TRACES_SAMPLER_ARG: `endpoint=${SAMPLING_ENDPOINT},polling_interval=300`,
  }).map(([name, value]) => ({ name, value }));

// The collector's environment in both platforms: listen on every interface only where another
// task/pod reaches it (the gateway); the agent shares the app's network namespace. The agent
// writes the logs (cloudwatch-otlp.yaml: region and log group); the gateway only X-Ray traces.
// The daemon role's sampling proxy is unauthenticated and signs whatever reaches it with the task
// role, so it listens on the loopback only (XRAY_DAEMON_HOST): the app in the same task / pod
// reaches it, nothing else on the network does.
const collectorEnv = (role: Role): Record<string, string> =>
  role === 'agent'
    ? {
        OTELCOL_LISTEN_HOST: '127.0.0.1',
        OTELCOL_GATEWAY_PORT: String(OTLP),
        AWS_REGION: 'us-east-1',
        CLOUDWATCH_LOG_GROUP: 'cruddur',
        XRAY_DAEMON_HOST: '127.0.0.1',
        XRAY_DAEMON_PORT: String(XRAY_DAEMON),
      }
    : { OTELCOL_LISTEN_HOST: '0.0.0.0', AWS_REGION: 'us-east-1' };

// ---- Kubernetes ---------------------------------------------------------------------------

const K8S_NS = 'cruddur';
const GATEWAY_HOST_K8S = `cruddur-gateway.${K8S_NS}.svc.cluster.local`;

// The image's own probe inside the container: the agent's health_check listens on loopback only
// (OTELCOL_LISTEN_HOST=127.0.0.1), which a kubelet httpGet to the pod IP would not reach.
const healthProbe = (initialDelaySeconds: number) => ({
  exec: { command: ['/httpprobe', `http://127.0.0.1:${String(HEALTH)}/`] },
  initialDelaySeconds,
  periodSeconds: 10,
  timeoutSeconds: 3,
  failureThreshold: 3,
});

function k8sCollectorContainer(role: Role) {
  const env = { ...collectorEnv(role), ...(role === 'agent' ? { OTELCOL_GATEWAY_HOST: GATEWAY_HOST_K8S } : {}) };
  return {
    name: role === 'agent' ? 'otel-agent' : 'otel-gateway',
    image: IMAGE.collector,
    command: [ROLES[role].binary],
    args: roleConfigs(role).map((c) => `--config=/etc/cruddur/otel/${c.key}`),
    env: [
      ...Object.entries(env).map(([name, value]) => ({ name, value })),
      ...(role === 'gateway'
        ? [{ name: 'HONEYCOMB_API_KEY', valueFrom: { secretKeyRef: { name: 'cruddur-honeycomb', key: 'api-key' } } }]
        : []),
    ],
    ports:
      role === 'gateway'
        ? [{ name: 'otlp-grpc', containerPort: OTLP, protocol: 'TCP' }]
        : [
            { name: 'xray-daemon', containerPort: XRAY_DAEMON, protocol: 'UDP' },
            { name: 'xray-sampling', containerPort: XRAY_DAEMON, protocol: 'TCP' },
          ],
    // Agent: a sidecar next to a small app; gateway: tail sampling holds traces for decision_wait.
    resources:
      role === 'agent'
        ? { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } }
        : { requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } },
    readinessProbe: healthProbe(2),
    livenessProbe: healthProbe(10),
    volumeMounts: [
      { name: 'otel-config', mountPath: '/etc/cruddur/otel', readOnly: true },
      { name: 'otel-storage', mountPath: '/var/lib/otelcol/file_storage' },
    ],
    securityContext: { runAsNonRoot: true, runAsUser: 10_001, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false },
  };
}

const configMap = (role: Role) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: `cruddur-otel-${role}`, namespace: K8S_NS, labels: { 'app.kubernetes.io/part-of': 'cruddur' } },
  data: Object.fromEntries(roleConfigs(role).map((c) => [c.key, c.content])),
});

const volumes = (role: Role) => [
  { name: 'otel-config', configMap: { name: `cruddur-otel-${role}` } },
  { name: 'otel-storage', emptyDir: { sizeLimit: '1Gi' } },
];

export function kubernetesDocuments(): unknown[] {
  const labels = (name: string) => ({ 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': 'cruddur' });
  const app = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'cruddur-app', namespace: K8S_NS, labels: labels('cruddur-app') },
    spec: {
      replicas: 2,
      selector: { matchLabels: labels('cruddur-app') },
      template: {
        metadata: { labels: labels('cruddur-app') },
        spec: {
          containers: [
            {
              name: 'app',
              image: IMAGE.app,
              ports: [{ name: 'http', containerPort: APP_PORT, protocol: 'TCP' }],
              env: appEnvironment(),
              resources: { requests: { cpu: '250m', memory: '192Mi' }, limits: { cpu: '1', memory: '256Mi' } },
              readinessProbe: { httpGet: { path: '/health', port: APP_PORT }, periodSeconds: 10 },
              livenessProbe: { httpGet: { path: '/health', port: APP_PORT }, initialDelaySeconds: 10, periodSeconds: 10 },
              securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false },
            },
            k8sCollectorContainer('agent'),
          ],
          volumes: volumes('agent'),
        },
      },
    },
  };
  const gateway = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'cruddur-gateway', namespace: K8S_NS, labels: labels('cruddur-gateway') },
    spec: {
      replicas: GATEWAY_REPLICAS,
      selector: { matchLabels: labels('cruddur-gateway') },
      template: {
        metadata: { labels: labels('cruddur-gateway') },
        spec: { terminationGracePeriodSeconds: 30, containers: [k8sCollectorContainer('gateway')], volumes: volumes('gateway') },
      },
    },
  };
  // Headless: DNS answers with every ready gateway pod's address, which is what the agents'
  // dns resolver needs (a ClusterIP would hide the pods behind one virtual address).
  const headless = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'cruddur-gateway', namespace: K8S_NS, labels: labels('cruddur-gateway') },
    spec: {
      clusterIP: 'None',
      selector: labels('cruddur-gateway'),
      ports: [{ name: 'otlp-grpc', port: OTLP, targetPort: OTLP, protocol: 'TCP' }],
    },
  };
  const pdb = (name: string, minAvailable: number) => ({
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name, namespace: K8S_NS },
    spec: { minAvailable, selector: { matchLabels: labels(name) } },
  });
  const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: K8S_NS } };
  return [
    namespace,
    configMap('agent'),
    configMap('gateway'),
    app,
    gateway,
    headless,
    pdb('cruddur-gateway', GATEWAY_REPLICAS - 1),
    pdb('cruddur-app', 1),
  ];
}

// ---- ECS (Fargate) ------------------------------------------------------------------------

const ECS_ACCOUNT = '123456789012';
const ECS_REGION = 'us-east-1';
const CLOUD_MAP_NAMESPACE = 'cruddur.local';
/** The SSM parameter holding one config file of a role. */
export const ssmParameterName = (role: Role, key: string): string => `/cruddur/otelcol/${role}/${key}`;
const configEnvName = (i: number): string => `OTELCOL_CONFIG_${String(i)}`;

/** One ECS task definition (RegisterTaskDefinition input, camelCase as the API takes it). */
export function taskDefinition(role: Role, arn: (kind: 'parameter' | 'role', name: string) => string): Record<string, Json> {
  const configs = roleConfigs(role);
  const env = { ...collectorEnv(role), ...(role === 'agent' ? { OTELCOL_GATEWAY_HOST: `gateway.${CLOUD_MAP_NAMESPACE}` } : {}) };
  const collector: Record<string, Json> = {
    name: role === 'agent' ? 'otel-agent' : 'otel-gateway',
    image: IMAGE.collector,
    essential: true,
    entryPoint: [ROLES[role].binary],
    // Each config file arrives in its own environment variable, read from its SSM parameter at
    // task start; the collector merges them in the profile's order through the env provider.
    command: configs.map((_, i) => `--config=env:${configEnvName(i)}`),
    secrets: [
      ...configs.map((c, i) => ({ name: configEnvName(i), valueFrom: arn('parameter', ssmParameterName(role, c.key)) })),
      ...(role === 'gateway' ? [{ name: 'HONEYCOMB_API_KEY', valueFrom: arn('parameter', '/cruddur/honeycomb/api-key') }] : []),
    ],
    environment: Object.entries(env).map(([name, value]) => ({ name, value })),
    portMappings:
      role === 'gateway'
        ? [{ containerPort: OTLP, protocol: 'tcp' }]
        : [
            { containerPort: XRAY_DAEMON, protocol: 'udp' },
            { containerPort: XRAY_DAEMON, protocol: 'tcp' },
          ],
    healthCheck: {
      command: ['CMD', '/httpprobe', `http://127.0.0.1:${String(HEALTH)}/`],
      interval: 10,
      timeout: 3,
      retries: 3,
      startPeriod: 10,
    },
    logConfiguration: {
      logDriver: 'awslogs',
      options: { 'awslogs-group': '/ecs/cruddur', 'awslogs-region': ECS_REGION, 'awslogs-stream-prefix': role },
    },
  };
  const app: Record<string, Json> = {
    name: 'app',
    image: IMAGE.app,
    essential: true,
    portMappings: [{ containerPort: APP_PORT, protocol: 'tcp' }],
    environment: appEnvironment(),
    // The app starts only once its agent answers health_check: no span is exported into nothing.
    dependsOn: [{ containerName: 'otel-agent', condition: 'HEALTHY' }],
    logConfiguration: {
      logDriver: 'awslogs',
      options: { 'awslogs-group': '/ecs/cruddur', 'awslogs-region': ECS_REGION, 'awslogs-stream-prefix': 'app' },
    },
  };
  return {
    family: `cruddur-${role === 'agent' ? 'app' : 'gateway'}`,
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: role === 'agent' ? '512' : '1024',
    memory: role === 'agent' ? '1024' : '2048',
    // The collector's least-privilege policy (aws/json/collector-iam-policy.json) is the task role's.
    taskRoleArn: arn('role', 'cruddur-collector-task'),
    executionRoleArn: arn('role', 'cruddur-task-execution'),
    containerDefinitions: role === 'agent' ? [app, collector] : [collector],
  };
}

const staticArn = (kind: 'parameter' | 'role', name: string): string =>
  kind === 'parameter' ? `arn:aws:ssm:${ECS_REGION}:${ECS_ACCOUNT}:parameter${name}` : `arn:aws:iam::${ECS_ACCOUNT}:role/${name}`;

/** camelCase API shapes to CloudFormation's PascalCase properties (options maps keep their keys). */
function pascal(value: Json, keepKeys = false): Json {
  if (Array.isArray(value)) return value.map((v) => pascal(v));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [keepKeys ? k : k.charAt(0).toUpperCase() + k.slice(1), pascal(v, k === 'options')]),
  );
}

export function cloudFormation(): Record<string, Json> {
  const cfnArn = (kind: 'parameter' | 'role', name: string): Json =>
    kind === 'parameter'
      ? { 'Fn::Sub': `arn:aws:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${name}` }
      : { 'Fn::GetAtt': [name === 'cruddur-collector-task' ? 'CollectorTaskRole' : 'TaskExecutionRole', 'Arn'] };
  const resources: Record<string, Json> = {};
  const logicalId = (role: Role, key: string): string =>
    `Config${role.charAt(0).toUpperCase()}${role.slice(1)}${key.replace(/\.yaml$/, '').replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase())}`;
  for (const role of Object.keys(ROLES) as Role[]) {
    for (const c of roleConfigs(role)) {
      resources[logicalId(role, c.key)] = {
        Type: 'AWS::SSM::Parameter',
        Properties: {
          Name: ssmParameterName(role, c.key),
          Type: 'String',
          // Standard parameters hold 4 KB; base.yaml is larger.
          Tier: Buffer.byteLength(c.content) > 4096 ? 'Advanced' : 'Standard',
          Value: c.content,
          Description: `Cruddur collector (${role}): ${c.file}`,
        },
      };
    }
  }
  const policy = JSON.parse(read('aws/json/collector-iam-policy.json')) as Json;
  const assume = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
  };
  resources.CollectorTaskRole = {
    Type: 'AWS::IAM::Role',
    Properties: {
      RoleName: 'cruddur-collector-task',
      AssumeRolePolicyDocument: assume,
      Policies: [{ PolicyName: 'cruddur-collector', PolicyDocument: policy }],
    },
  };
  resources.TaskExecutionRole = {
    Type: 'AWS::IAM::Role',
    Properties: {
      RoleName: 'cruddur-task-execution',
      AssumeRolePolicyDocument: assume,
      ManagedPolicyArns: ['arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy'],
      Policies: [
        {
          PolicyName: 'cruddur-collector-config',
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: ['ssm:GetParameters'],
                Resource: ['/cruddur/otelcol/*', '/cruddur/honeycomb/api-key'].map((name) => cfnArn('parameter', name)),
              },
            ],
          },
        },
      ],
    },
  };
  resources.LogGroup = { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: '/ecs/cruddur', RetentionInDays: 14 } };
  // Cloud Map: a private DNS namespace; the gateway service registers one A record per task,
  // which is what the agents' dns resolver reads (gateway.cruddur.local).
  resources.Namespace = {
    Type: 'AWS::ServiceDiscovery::PrivateDnsNamespace',
    Properties: { Name: CLOUD_MAP_NAMESPACE, Vpc: { Ref: 'VpcId' } },
  };
  resources.GatewayDiscovery = {
    Type: 'AWS::ServiceDiscovery::Service',
    Properties: {
      Name: 'gateway',
      NamespaceId: { Ref: 'Namespace' },
      DnsConfig: { RoutingPolicy: 'MULTIVALUE', DnsRecords: [{ Type: 'A', TTL: 5 }] },
      HealthCheckCustomConfig: { FailureThreshold: 1 },
    },
  };
  for (const role of Object.keys(ROLES) as Role[]) {
    const td = taskDefinition(role, cfnArn);
    const name = role === 'agent' ? 'App' : 'Gateway';
    resources[`${name}TaskDefinition`] = {
      Type: 'AWS::ECS::TaskDefinition',
      DependsOn: roleConfigs(role).map((c) => logicalId(role, c.key)),
      Properties: pascal(td),
    };
    resources[`${name}Service`] = {
      Type: 'AWS::ECS::Service',
      Properties: {
        Cluster: { Ref: 'Cluster' },
        ServiceName: `cruddur-${name.toLowerCase()}`,
        LaunchType: 'FARGATE',
        DesiredCount: role === 'agent' ? 2 : GATEWAY_REPLICAS,
        TaskDefinition: { Ref: `${name}TaskDefinition` },
        DeploymentConfiguration: { MinimumHealthyPercent: role === 'agent' ? 50 : 66, MaximumPercent: 200 },
        NetworkConfiguration: {
          AwsvpcConfiguration: { Subnets: { Ref: 'Subnets' }, SecurityGroups: [{ Ref: 'SecurityGroup' }], AssignPublicIp: 'DISABLED' },
        },
        ...(role === 'gateway' ? { ServiceRegistries: [{ RegistryArn: { 'Fn::GetAtt': ['GatewayDiscovery', 'Arn'] } }] } : {}),
      },
    };
  }
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: 'Cruddur on ECS Fargate: app tasks with the collector agent sidecar, and the gateway tier behind Cloud Map.',
    Parameters: {
      Cluster: { Type: 'String', Description: 'ECS cluster name' },
      VpcId: { Type: 'AWS::EC2::VPC::Id' },
      Subnets: { Type: 'List<AWS::EC2::Subnet::Id>' },
      SecurityGroup: { Type: 'AWS::EC2::SecurityGroup::Id', Description: 'allows 4317/tcp between the tasks and 4567/tcp to the app' },
    },
    Resources: resources,
  };
}

export function generatedFiles(): Record<string, string> {
  const banner = '# Generated by deploy/generate.ts from otel-collector/profiles.yaml and otel-collector/config: do not edit.\n';
  return {
    'deploy/k8s/cruddur.yaml':
      banner +
      kubernetesDocuments()
        .map((d) => stringify(d, { lineWidth: 0 }))
        .join('---\n'),
    'deploy/ecs/task-definition-app.json': `${JSON.stringify(taskDefinition('agent', staticArn), null, 2)}\n`,
    'deploy/ecs/task-definition-gateway.json': `${JSON.stringify(taskDefinition('gateway', staticArn), null, 2)}\n`,
    'deploy/ecs/cloudformation.json': `${JSON.stringify(cloudFormation(), null, 2)}\n`,
  };
}

if (import.meta.main) {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const [rel, content] of Object.entries(generatedFiles())) {
    const file = path.join(root, rel);
    const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
    if (current === content) continue;
    if (check) {
      process.stderr.write(`${rel} is stale: run node deploy/generate.ts\n`);
      stale += 1;
    } else {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
      process.stdout.write(`wrote ${rel}\n`);
    }
  }
  process.exitCode = stale > 0 ? 1 : 0;
}
