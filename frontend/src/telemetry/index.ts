/**
 * The browser's telemetry: one bootstrap, called once by main.tsx before the first render.
 *
 * OpenTelemetry JS for the web is still on its 2.x line (sdk-trace-web, context-zone and
 * instrumentation-user-interaction have no 3.x release), so this package pins that line with
 * api 1.9.x; it is its own npm package, so that api never hoists over the backend's 1.10.
 *
 * What it records: the document load, every fetch to the API, and clicks and form submits.
 * A fetch to the API carries `traceparent`, so the backend's server span is a child of the
 * browser's fetch span and one trace holds submit → fetch → server span → the domain spans.
 * Trace ids come from the X-Ray id generator (the first 8 hex digits are the epoch seconds),
 * so X-Ray accepts the browser's traces like the backend's. Spans go over OTLP/HTTP to the
 * collector's browser endpoint only: never to a vendor, never with a vendor key.
 *
 * main.tsx imports this module dynamically, only when config.json enables telemetry: Vite
 * builds it as its own chunk, so a page with telemetry off downloads none of it.
 *
 * Context: StackContextManager, not zone.js. Measured with esbuild (minified, gzip -9): the
 * telemetry adds 27.0 kB with it and 40.3 kB with ZoneContextManager + zone.js, over the 40 kB
 * budget. Without zones a span is the active context only while code runs synchronously, so
 * the API client issues its fetch in the same tick as the click or submit handler (api.ts).
 */
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { AWSXRayIdGenerator } from '@opentelemetry/id-generator-aws-xray';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { DocumentLoadInstrumentation } from '@opentelemetry/instrumentation-document-load';
import { FetchInstrumentation } from '@opentelemetry/instrumentation-fetch';
import { UserInteractionInstrumentation } from '@opentelemetry/instrumentation-user-interaction';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, StackContextManager, WebTracerProvider } from '@opentelemetry/sdk-trace-web';

import type { TelemetryConfig } from '../config.ts';

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The URLs that get `traceparent`: the backend's origin and nothing else. A string entry of
 * propagateTraceHeaderCorsUrls must equal the whole URL, so this is a RegExp anchored on the
 * origin followed by a path, a query or the end (http://api:4567 must not match http://api:45670).
 */
export function backendUrlPattern(backendUrl: string): RegExp {
  return new RegExp(`^${escapeRegExp(new URL(backendUrl).origin)}(?:[/?#]|$)`);
}

let started = false;

export function startTelemetry(options: TelemetryConfig, backendUrl: string): void {
  if (!options.enabled || started) return;
  started = true;
  const provider = new WebTracerProvider({
    resource: resourceFromAttributes({
      'service.name': options.serviceName,
      'service.namespace': 'cruddur',
      'telemetry.distro.name': 'cruddur-frontend',
    }),
    idGenerator: new AWSXRayIdGenerator(),
    spanProcessors: [
      // A page makes a few spans per action: export within a second, in one request.
      new BatchSpanProcessor(new OTLPTraceExporter({ url: options.collectorUrl }), {
        scheduledDelayMillis: 1000,
        maxQueueSize: 2048,
        maxExportBatchSize: 512,
      }),
    ],
  });
  provider.register({ contextManager: new StackContextManager(), propagator: new W3CTraceContextPropagator() });
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new DocumentLoadInstrumentation(),
      new FetchInstrumentation({
        propagateTraceHeaderCorsUrls: [backendUrlPattern(backendUrl)],
        // The exporter's own requests are not the page's.
        ignoreUrls: [new RegExp(`^${escapeRegExp(options.collectorUrl)}`)],
        // Each fetch's PerformanceResourceTiming (the API sends Timing-Allow-Origin) becomes the
        // span's network events; clearing them afterwards keeps the browser's buffer from filling.
        clearTimingResources: true,
      }),
      new UserInteractionInstrumentation({ eventNames: ['click', 'submit'] }),
    ],
  });
  // What is still queued when the tab is hidden or closed would be lost: send it now (the
  // exporter's fetch uses keepalive, so it outlives the page).
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') void provider.forceFlush();
  });
}
