/**
 * Domain failures the HTTP layer turns into 4xx answers. The key is the contract's error key,
 * returned to the frontend as `["key"]`.
 */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';

  constructor(readonly key: string) {
    super(`validation failed: ${key}`);
  }
}

export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';

  constructor(
    readonly resource: string,
    readonly id: string,
  ) {
    super(`${resource} not found`);
  }
}
