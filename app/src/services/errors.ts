/**
 * Domain failures the HTTP layer turns into 4xx answers. The key is the contract's error key,
 * returned to the frontend as `["key"]`.
 */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  readonly key: string;

  constructor(key: string) {
    super(`validation failed: ${key}`);
    this.key = key;
  }
}

export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
  readonly resource: string;
  readonly id: string;

  constructor(resource: string, id: string) {
    super(`${resource} not found`);
    this.resource = resource;
    this.id = id;
  }
}
