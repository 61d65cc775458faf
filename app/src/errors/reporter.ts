import type { IncomingMessage } from 'node:http';

import { trace } from '@opentelemetry/api';
import Rollbar from 'rollbar';

import type { RollbarConfig } from '../config.ts';

/** Who and what an error report is about. */
export interface ReportContext {
  readonly request?: IncomingMessage;
  readonly userHandle?: string;
}

/**
 * Where errors go. Rollbar today; the interface keeps the rest of the code free of any vendor,
 * and lets the service run with no reporter at all.
 */
export interface ErrorReporter {
  readonly enabled: boolean;
  error: (error: Error, context?: ReportContext) => void;
  warning: (message: string, context?: ReportContext) => void;
  /** Waits for queued items to be sent, at most `timeoutMs`; never rejects. */
  flush: (timeoutMs: number) => Promise<void>;
}

export const disabledReporter: ErrorReporter = {
  enabled: false,
  error: () => undefined,
  warning: () => undefined,
  flush: () => Promise.resolve(),
};

/**
 * Rollbar's own default list (`commonScrubHeaders` in the SDK), which setting the option
 * replaces rather than extends, plus the headers this service must never forward.
 */
export const SCRUBBED_HEADERS: readonly string[] = [
  'authorization',
  'www-authorization',
  'http_authorization',
  'omniauth.auth',
  'cookie',
  'oauth-access-token',
  'x-access-token',
  'x_csrf_token',
  'http_x_csrf_token',
  'x-csrf-token',
  'set-cookie',
  'x-honeycomb-team',
  'x-amz-security-token',
];

export interface RollbarReporterOptions {
  readonly rollbar: RollbarConfig & { readonly accessToken: string };
  readonly codeVersion: string;
  /** Project root, so stack frames read as paths inside the service. */
  readonly root: string;
}

/** Rollbar takes the person from `req.rollbar_person` when a request is passed. */
interface RollbarRequest extends IncomingMessage {
  rollbar_person?: { id: string };
}

export function createRollbarReporter(options: RollbarReporterOptions): ErrorReporter {
  const { rollbar: settings } = options;
  const rollbar = new Rollbar({
    accessToken: settings.accessToken,
    environment: settings.environment,
    ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
    codeVersion: options.codeVersion,
    // The server installs its own process handlers so it can flush telemetry and exit cleanly.
    captureUncaught: false,
    captureUnhandledRejections: false,
    // Rollbar's network telemetry would duplicate what OpenTelemetry records.
    autoInstrument: false,
    scrubHeaders: [...SCRUBBED_HEADERS],
    payload: { server: { root: options.root }, code_version: options.codeVersion },
  });

  const send = (level: 'error' | 'warning', subject: Error | string, context: ReportContext | undefined): void => {
    // Trace ids make an item one click away from its trace in Honeycomb or X-Ray.
    const spanContext = trace.getActiveSpan()?.spanContext();
    const custom = spanContext === undefined ? {} : { trace_id: spanContext.traceId, span_id: spanContext.spanId };
    const request = context?.request as RollbarRequest | undefined;
    if (request !== undefined && context?.userHandle !== undefined) {
      request.rollbar_person = { id: context.userHandle };
    }
    if (request === undefined) rollbar[level](subject, custom);
    else rollbar[level](subject, request, custom);
  };

  return {
    enabled: true,
    error: (error, context) => send('error', error, context),
    warning: (message, context) => send('warning', message, context),
    flush: (timeoutMs) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        timer.unref();
        rollbar.wait(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}

export function createErrorReporter(options: Omit<RollbarReporterOptions, 'rollbar'> & { rollbar: RollbarConfig }): ErrorReporter {
  const { accessToken } = options.rollbar;
  if (accessToken === undefined) return disabledReporter;
  return createRollbarReporter({ ...options, rollbar: { ...options.rollbar, accessToken } });
}
