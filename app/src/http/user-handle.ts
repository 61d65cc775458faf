import type { RequestHandler } from 'express';

import { DEFAULT_USER_HANDLE } from '../domain/users.ts';
import { requestSpan } from '../telemetry/request-span.ts';

export const USER_HANDLE_HEADER = 'x-cruddur-user-handle';

declare global {
  // Express declares `Locals` in this global namespace; merging is its documented extension point.
  // biome-ignore lint/style/noNamespace: augments Express's own namespace; there is no other way in.
  namespace Express {
    interface Locals {
      /** The acting user; '' when the client sent the header blank (services reject that). */
      userHandle: string;
    }
  }
}

/**
 * Resolves the acting user and tags the request span with it, so traces can be queried by user
 * (`app.user_handle` for Honeycomb's schema, `enduser.id` for the semantic convention).
 */
export function userHandle(): RequestHandler {
  return (req, res, next) => {
    const header = req.get(USER_HANDLE_HEADER);
    const handle = header === undefined ? DEFAULT_USER_HANDLE : header.trim();
    res.locals.userHandle = handle;
    if (handle !== '') requestSpan()?.setAttributes({ 'app.user_handle': handle, 'enduser.id': handle });
    next();
  };
}
