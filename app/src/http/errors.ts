import { SpanStatusCode } from '@opentelemetry/api';
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';

import type { ErrorReporter } from '../errors/reporter.ts';
import type { Logger } from '../logging/logger.ts';
import { NotFoundError, ValidationError } from '../services/errors.ts';
import { requestSpan } from '../telemetry/request-span.ts';

/** A client error the HTTP layer itself detects (malformed body, wrong media type, ...). */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly status: number;
  readonly key: string;
  readonly detail: string;

  constructor(status: number, key: string, detail: string) {
    super(detail);
    this.status = status;
    this.key = key;
    this.detail = detail;
  }
}

export interface ErrorBody {
  readonly error: string;
  readonly detail: string;
}

function sendError(res: Response, status: number, key: string, detail: string): void {
  requestSpan()?.setAttribute('app.error_key', key);
  res.status(status).json({ error: key, detail } satisfies ErrorBody);
}

/** body-parser's failures carry a `type`; map each to a stable key and a sentence. */
const BODY_PARSER_ERRORS: Readonly<Record<string, { status: number; key: string; detail: string }>> = {
  'entity.parse.failed': { status: 400, key: 'invalid_json', detail: 'The request body is not valid JSON.' },
  'entity.too.large': { status: 413, key: 'payload_too_large', detail: 'The request body is larger than allowed.' },
  'encoding.unsupported': { status: 415, key: 'unsupported_encoding', detail: 'The request body encoding is not supported.' },
  'charset.unsupported': { status: 415, key: 'unsupported_charset', detail: 'The request body charset is not supported; use utf-8.' },
  'request.aborted': { status: 400, key: 'request_aborted', detail: 'The request body was cut short.' },
  'request.size.invalid': { status: 400, key: 'invalid_body_size', detail: 'The request body length does not match Content-Length.' },
  'stream.encoding.set': { status: 400, key: 'invalid_body', detail: 'The request body could not be read.' },
};

interface ClientErrorLike {
  readonly type?: unknown;
  readonly status?: unknown;
  readonly statusCode?: unknown;
}

function clientStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { status, statusCode } = error as ClientErrorLike;
  const code = typeof status === 'number' ? status : typeof statusCode === 'number' ? statusCode : undefined;
  return code !== undefined && code >= 400 && code < 500 ? code : undefined;
}

export function notFound(): RequestHandler {
  return (req, res) => {
    sendError(res, 404, 'not_found', `No route for ${req.method} ${req.path}.`);
  };
}

export interface ErrorHandlerOptions {
  readonly logger: Logger;
  readonly reporter: ErrorReporter;
}

/**
 * The single place errors become responses. Client mistakes get a 4xx with a clear body and are
 * not reported; anything else is a bug: 500 with a generic body (no internals leak), an error
 * log, the exception on the request span, and a Rollbar item.
 */
export function errorHandler(options: ErrorHandlerOptions): ErrorRequestHandler {
  const { logger, reporter } = options;
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      // Too late for an error answer; Express will end the connection. Still a bug to report.
      const failure = error instanceof Error ? error : new Error(`non-error thrown: ${String(error)}`);
      logger.error({ err: failure }, 'error after the response started');
      reporter.error(failure, { request: req, userHandle: res.locals.userHandle });
      next(error);
      return;
    }
    if (error instanceof ValidationError) {
      requestSpan()?.setAttribute('app.error_key', error.key);
      res.status(422).json([error.key]);
      return;
    }
    if (error instanceof NotFoundError) {
      sendError(res, 404, 'not_found', `No ${error.resource} with id ${JSON.stringify(error.id)}.`);
      return;
    }
    if (error instanceof HttpError) {
      sendError(res, error.status, error.key, error.detail);
      return;
    }
    const bodyParserError =
      typeof (error as ClientErrorLike).type === 'string' ? BODY_PARSER_ERRORS[(error as { type: string }).type] : undefined;
    if (bodyParserError !== undefined) {
      sendError(res, bodyParserError.status, bodyParserError.key, bodyParserError.detail);
      return;
    }
    const clientStatus = clientStatusOf(error);
    if (clientStatus !== undefined) {
      // e.g. a path segment that is not valid percent-encoding.
      sendError(res, clientStatus, 'bad_request', 'The request could not be understood.');
      return;
    }

    const failure = error instanceof Error ? error : new Error(`non-error thrown: ${String(error)}`);
    const span = requestSpan();
    span?.recordException(failure);
    span?.setStatus({ code: SpanStatusCode.ERROR, message: failure.message });
    logger.error({ err: failure, 'http.route': req.route?.path }, 'unhandled error while serving request');
    reporter.error(failure, { request: req, userHandle: res.locals.userHandle });
    sendError(res, 500, 'internal_error', 'Something went wrong on our side; it has been reported.');
  };
}
