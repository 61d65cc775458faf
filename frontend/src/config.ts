import { z } from 'zod';

/**
 * The runtime configuration, fetched once from /config.json when the page starts (the same build
 * runs in dev, in the stack and anywhere else; only that file changes). Validated here and only
 * here: a bad file stops the app with a page that says what is wrong, never a half-configured app.
 */
const httpUrl = z.url({ protocol: /^https?$/, error: (issue) => (issue.input === undefined ? 'is missing' : 'must be an http(s) URL') });

export const TelemetryConfigSchema = z.strictObject({
  /** Start browser tracing at all. */
  enabled: z.boolean(),
  /** The collector's browser OTLP/HTTP traces endpoint (never a vendor's). */
  collectorUrl: httpUrl,
  /** service.name of the browser's spans. */
  serviceName: z.string().trim().min(1, 'must not be blank'),
});

export const AppConfigSchema = z.strictObject({
  /** Origin (and optional base path) of the Cruddur API. */
  backendUrl: httpUrl,
  telemetry: TelemetryConfigSchema,
});

export type TelemetryConfig = z.infer<typeof TelemetryConfigSchema>;
export type AppConfig = z.infer<typeof AppConfigSchema>;

export type ConfigResult = { readonly ok: true; readonly config: AppConfig } | { readonly ok: false; readonly problem: string };

export interface LoadConfigOptions {
  /** Where the file is served; the app's own origin by default. */
  readonly url?: string;
  /** The fetch to use (tests pass their own). */
  readonly fetch?: typeof globalThis.fetch;
}

export const CONFIG_URL = '/config.json';

/** Parses an already-read document: the problem names every field that is wrong. */
export function parseConfig(document: unknown): ConfigResult {
  const parsed = AppConfigSchema.safeParse(document);
  if (parsed.success) return { ok: true, config: parsed.data };
  return { ok: false, problem: z.prettifyError(parsed.error) };
}

export async function loadConfig(options: LoadConfigOptions = {}): Promise<ConfigResult> {
  const url = options.url ?? CONFIG_URL;
  const fetchConfig = options.fetch ?? globalThis.fetch;
  let response: Response;
  try {
    response = await fetchConfig(url, { cache: 'no-store', headers: { accept: 'application/json' } });
  } catch (cause) {
    return { ok: false, problem: `${url} could not be fetched (${cause instanceof Error ? cause.message : String(cause)}).` };
  }
  if (!response.ok) return { ok: false, problem: `${url} answered HTTP ${response.status}.` };
  let document: unknown;
  try {
    document = await response.json();
  } catch {
    return { ok: false, problem: `${url} is not valid JSON.` };
  }
  return parseConfig(document);
}
