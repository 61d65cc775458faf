import { z } from 'zod';

import packageJson from '../package.json';

/**
 * The service's configuration, read from the environment once at start-up and validated, so a
 * typo fails the boot with a clear message instead of surfacing as odd behaviour later.
 * Standard OpenTelemetry variables (`OTEL_*`) are read by the SDK itself and are not repeated here.
 */
export interface AppConfig {
  readonly port: number;
  readonly host: string;
  readonly corsOrigins: readonly string[];
  readonly serviceVersion: string;
  readonly deploymentEnvironment: string;
  readonly logLevel: LogLevel;
  readonly requestBodyLimit: string;
  readonly shutdownTimeoutMs: number;
  /** How long a failed telemetry export is retried before the batch is dropped. */
  readonly telemetryRetryMaxElapsedMs: number;
  readonly debugRoutes: boolean;
  readonly rollbar: RollbarConfig;
}

export interface RollbarConfig {
  /** Absent means Rollbar is off; the SDK is then never constructed. */
  readonly accessToken: string | undefined;
  /** Item API base, e.g. `https://api.rollbar.com/api/1/`; overridable for a stand-in. */
  readonly endpoint: string | undefined;
  readonly environment: string;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Trimmed; parseConfig has already dropped empty variables. */
const optionalString = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

const optionalUrl = optionalString.pipe(z.url({ protocol: /^https?$/ }).optional());

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .optional()
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const environmentSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(4567),
  HOST: z.string().min(1).default('0.0.0.0'),
  FRONTEND_URL: optionalUrl,
  SERVICE_VERSION: optionalString,
  DEPLOYMENT_ENVIRONMENT: optionalString,
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  REQUEST_BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, 'must look like 16kb or 1mb')
    .default('16kb'),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  // Below OTEL_BSP_EXPORT_TIMEOUT / OTEL_BLRP_EXPORT_TIMEOUT (30 s), which bound one export call.
  TELEMETRY_RETRY_MAX_ELAPSED_MS: z.coerce.number().int().min(0).max(120_000).default(25_000),
  CRUDDUR_DEBUG_ROUTES: booleanFlag,
  ROLLBAR_ACCESS_TOKEN: optionalString,
  ROLLBAR_ENDPOINT: optionalUrl,
  ROLLBAR_ENVIRONMENT: optionalString,
});

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Builds the configuration from an environment map. Error messages name the variable and the
 * rule it broke, never the value: a malformed secret must not end up in a crash log.
 */
export function parseConfig(environment: NodeJS.ProcessEnv): AppConfig {
  // Compose passes `VAR: "${VAR}"` through as "": an empty variable means "use the default".
  const present = Object.fromEntries(Object.entries(environment).filter(([, value]) => value !== undefined && value.trim() !== ''));
  const parsed = environmentSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid configuration:\n${problems.join('\n')}`);
  }
  const env = parsed.data;
  const deploymentEnvironment = env.DEPLOYMENT_ENVIRONMENT ?? 'development';
  return {
    port: env.PORT,
    host: env.HOST,
    // Only the front end's origin: the browser sends the tracing headers from there. The
    // original also listed BACKEND_URL, but a request from the backend's own origin is
    // same-origin and needs no allowance, so listing it only widens what CORS trusts.
    corsOrigins: env.FRONTEND_URL === undefined ? [] : [toOrigin(env.FRONTEND_URL)],
    serviceVersion: env.SERVICE_VERSION ?? packageJson.version,
    deploymentEnvironment,
    logLevel: env.LOG_LEVEL,
    requestBodyLimit: env.REQUEST_BODY_LIMIT,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    telemetryRetryMaxElapsedMs: env.TELEMETRY_RETRY_MAX_ELAPSED_MS,
    debugRoutes: env.CRUDDUR_DEBUG_ROUTES,
    rollbar: {
      accessToken: env.ROLLBAR_ACCESS_TOKEN,
      endpoint: env.ROLLBAR_ENDPOINT,
      environment: env.ROLLBAR_ENVIRONMENT ?? deploymentEnvironment,
    },
  };
}

/** Browsers send `Origin` without a path or trailing slash; compare like with like. */
function toOrigin(url: string): string {
  return new URL(url).origin;
}

let loaded: AppConfig | undefined;

/**
 * The process-wide configuration. The telemetry bootstrap and the server share it (same module
 * instance), so the environment is parsed exactly once per process.
 */
export function loadConfig(): AppConfig {
  loaded ??= parseConfig(process.env);
  return loaded;
}
