import express, { type RequestHandler } from 'express';
import { z } from 'zod';

import { HttpError } from './errors.ts';

/**
 * JSON body parsing for write routes: only `application/json` bodies, at most `limit` bytes.
 * A body sent with another media type is refused (415) rather than silently ignored and then
 * reported as "message_blank".
 */
export function jsonBody(limit: string): RequestHandler[] {
  const requireJson: RequestHandler = (req, _res, next) => {
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if (hasBody && !req.is('application/json')) {
      next(new HttpError(415, 'unsupported_media_type', 'Send the request body as application/json.'));
      return;
    }
    next();
  };
  return [requireJson, express.json({ limit, strict: true })];
}

/** A text field that may be absent; `null` counts as absent (the field is then "blank"). */
export const optionalText = z
  .string()
  .nullish()
  .transform((value) => value ?? undefined);

/**
 * Checks a parsed body against a schema. A field of the wrong type is a 400 naming the field;
 * missing or blank fields pass through as undefined for the service to report as 422.
 */
export function parseBody<Schema extends z.ZodType>(schema: Schema, body: unknown): z.output<Schema> {
  if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body))) {
    throw new HttpError(400, 'invalid_body', 'The request body must be a JSON object.');
  }
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) {
    const detail = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ');
    throw new HttpError(400, 'invalid_field_type', `${detail}.`);
  }
  return parsed.data;
}
