import { AWSXRayRemoteSampler } from '@opentelemetry/sampler-aws-xray';
import type { Resource } from '@opentelemetry/resources';
import type { Sampler } from '@opentelemetry/sdk-trace';
import { z } from 'zod';

import { ConfigError } from '../config.ts';

/** Where ADOT's `xray` sampler looks when no endpoint is given: the collector's sampling proxy. */
export const DEFAULT_XRAY_SAMPLING_ENDPOINT = 'http://localhost:2000';
/** Rules are fetched every 5 minutes unless told (the sampler's own default); targets every 10 s. */
export const DEFAULT_RULES_POLLING_INTERVAL_S = 300;
/** The sampler ignores (and replaces with 300) any interval under 10 s; refused here instead. */
const MIN_RULES_POLLING_INTERVAL_S = 10;
const TRAILING_SLASHES = /\/+$/;

export interface XRaySamplerSettings {
  readonly endpoint: string;
  readonly pollingIntervalS: number;
}

const argSchema = z.object({
  endpoint: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as http://localhost:2000' })
    .default(DEFAULT_XRAY_SAMPLING_ENDPOINT),
  polling_interval: z.coerce
    .number({ error: 'must be a whole number of seconds' })
    .int({ error: 'must be a whole number of seconds' })
    .min(MIN_RULES_POLLING_INTERVAL_S, { error: `must be at least ${String(MIN_RULES_POLLING_INTERVAL_S)} seconds` })
    .default(DEFAULT_RULES_POLLING_INTERVAL_S),
});

/**
 * `OTEL_TRACES_SAMPLER_ARG` for `OTEL_TRACES_SAMPLER=xray`, in ADOT's form:
 * `endpoint=http://localhost:2000,polling_interval=300` (either key optional). An unknown key or
 * a bad value is a ConfigError naming it: a typo must not silently sample by the default.
 */
export function parseXRaySamplerArg(arg: string | undefined): XRaySamplerSettings {
  const pairs: Record<string, string> = {};
  const problems: string[] = [];
  for (const part of (arg ?? '').split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    const key = (eq === -1 ? part : part.slice(0, eq)).trim();
    if (eq === -1 || !(key in argSchema.shape)) {
      problems.push(`  OTEL_TRACES_SAMPLER_ARG: "${key}" is not one of endpoint=<url>, polling_interval=<seconds>`);
      continue;
    }
    pairs[key] = part.slice(eq + 1).trim();
  }
  const parsed = argSchema.safeParse(pairs);
  if (!parsed.success) {
    problems.push(...parsed.error.issues.map((issue) => `  OTEL_TRACES_SAMPLER_ARG ${issue.path.join('.')}: ${issue.message}`));
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(`invalid configuration:\n${problems.join('\n')}`);
  return { endpoint: parsed.data.endpoint.replace(TRAILING_SLASHES, ''), pollingIntervalS: parsed.data.polling_interval };
}

export interface ChosenSampler {
  readonly sampler: Sampler;
  /** Stops the rule and target pollers (on shutdown; they are unref'd, so they never hold the process open). */
  readonly stop: () => void;
  readonly description: string;
}

/**
 * The sampler `OTEL_TRACES_SAMPLER` asks for, when it is one NodeSDK does not know itself.
 *
 * `xray`: X-Ray centralized sampling, @opentelemetry/sampler-aws-xray's AWSXRayRemoteSampler,
 * parent-based (a sampled caller's trace stays whole, an unsampled one stays out). It asks the
 * endpoint (the collector's X-Ray proxy, which signs and relays to X-Ray) for the rules every
 * polling interval and for this process's reservoir quota every 10 s (or the Interval X-Ray
 * answers). Deciding is local and synchronous: an unreachable endpoint never delays or fails a
 * request. Until rules arrive, it samples by the local fallback, 1 per second plus 5 %.
 *
 * Anything else (unset: every trace, the development default) is NodeSDK's business: undefined.
 * The resource must carry the final service.name: rules match on it.
 */
export function samplerFromEnvironment(environment: NodeJS.ProcessEnv, resource: Resource): ChosenSampler | undefined {
  const name = (environment.OTEL_TRACES_SAMPLER ?? '').trim().toLowerCase();
  if (name !== 'xray') return undefined;
  const settings = parseXRaySamplerArg(environment.OTEL_TRACES_SAMPLER_ARG);
  const sampler = new AWSXRayRemoteSampler({ resource, endpoint: settings.endpoint, pollingInterval: settings.pollingIntervalS });
  return {
    sampler,
    stop: () => sampler.stopPollers(),
    description: `xray (endpoint ${settings.endpoint}, rules every ${String(settings.pollingIntervalS)} s)`,
  };
}
