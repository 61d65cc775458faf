import createClient, { type Client } from 'openapi-fetch';

import type { components, paths } from './schema.d.ts';

/** Typed access to the Cruddur API: paths, parameters and bodies come from app/openapi.yaml. */
export type ApiClient = Client<paths>;

export type Activity = components['schemas']['Activity'];
export type Reply = components['schemas']['Reply'];
export type MessageGroup = components['schemas']['MessageGroup'];
export type Message = components['schemas']['Message'];

export interface ApiClientOptions {
  /** The API's origin, from config.json's backendUrl. */
  readonly baseUrl: string;
  /** Tests pass a fake backend; by default the page's fetch. */
  readonly fetch?: (request: Request) => Promise<Response>;
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  // globalThis.fetch is looked up at every call, not captured once: the browser telemetry wraps
  // it to add the fetch span and the traceparent header.
  const fetchRequest = options.fetch ?? ((request: Request): Promise<Response> => globalThis.fetch(request));
  return createClient<paths>({ baseUrl: options.baseUrl.replace(/\/+$/, ''), fetch: fetchRequest });
}
