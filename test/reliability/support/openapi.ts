import fs from 'node:fs';
import path from 'node:path';

import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';

import { repoRoot } from '@cruddur/testkit/paths';

export const OPENAPI_FILE = path.join(repoRoot, 'app/openapi.yaml');

/** The parts of an OpenAPI 3.1 document these tests read. */
interface MediaType {
  readonly schema?: unknown;
}
interface ResponseObject {
  readonly $ref?: string;
  readonly content?: Record<string, MediaType>;
}
interface Operation {
  readonly operationId: string;
  readonly responses: Record<string, ResponseObject>;
}
export interface OpenApiDocument {
  readonly openapi: string;
  readonly paths: Record<string, Record<string, Operation>>;
  readonly components: { readonly responses: Record<string, ResponseObject> };
}

export interface DocumentedOperation {
  readonly operationId: string;
  readonly method: string;
  readonly path: string;
  readonly statuses: readonly string[];
}

export function loadOpenApi(): OpenApiDocument {
  return parse(fs.readFileSync(OPENAPI_FILE, 'utf8')) as OpenApiDocument;
}

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options']);

export function operationsOf(doc: OpenApiDocument): DocumentedOperation[] {
  return Object.entries(doc.paths).flatMap(([route, item]) =>
    Object.entries(item)
      .filter(([method]) => HTTP_METHODS.has(method))
      .map(([method, op]) => ({ operationId: op.operationId, method, path: route, statuses: Object.keys(op.responses) })),
  );
}

/** A concrete request path matches a template when each `{param}` stands for one segment. */
export function templateMatches(template: string, concretePath: string): boolean {
  const pathOnly = concretePath.split('?')[0] ?? concretePath;
  const pattern = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]*');
  return new RegExp(`^${pattern}$`).test(pathOnly);
}

const pointer = (...parts: string[]): string => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

/**
 * Validates response bodies against the document's own schemas (JSON Schema 2020-12, which
 * OpenAPI 3.1 uses), with formats (uuid) checked. The whole document is registered so the
 * schemas' `#/components/...` references resolve exactly as a schemathesis run resolves them.
 */
export class ResponseValidator {
  private readonly doc: OpenApiDocument;
  private readonly ajv: Ajv2020;
  private readonly cache = new Map<string, ValidateFunction>();
  private static readonly ID = 'https://cruddur.invalid/openapi.yaml';

  constructor(doc: OpenApiDocument) {
    this.doc = doc;
    // strict off only because the document's top level (openapi, info, paths) is not a schema.
    this.ajv = new Ajv2020({ strict: false, allErrors: true });
    // ajv-formats is CommonJS with a default export; under nodenext the callable is `.default`.
    const addFormats = (addFormatsModule as unknown as { default: (ajv: Ajv2020) => void }).default;
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: ResponseValidator.ID, ...doc });
  }

  /** The media types documented for a response (after following a components $ref). */
  mediaTypes(route: string, method: string, status: string): { base: string; types: string[] } | undefined {
    const response = this.doc.paths[route]?.[method]?.responses[status];
    if (response === undefined) return undefined;
    if (response.$ref !== undefined) {
      const name = response.$ref.replace('#/components/responses/', '');
      const target = this.doc.components.responses[name];
      return target ? { base: pointer('components', 'responses', name), types: Object.keys(target.content ?? {}) } : undefined;
    }
    return { base: pointer('paths', route, method, 'responses', status), types: Object.keys(response.content ?? {}) };
  }

  /** Returns the validation errors (empty when the body conforms). */
  validate(route: string, method: string, status: string, mediaType: string, body: unknown): string[] {
    const found = this.mediaTypes(route, method, status);
    if (found === undefined) return [`${status} is not documented for ${method.toUpperCase()} ${route}`];
    if (!found.types.includes(mediaType)) return [`${mediaType} is not documented for ${status} (documented: ${found.types.join(', ')})`];
    const ref = `${ResponseValidator.ID}#/${found.base}/${pointer('content', mediaType, 'schema')}`;
    let check = this.cache.get(ref);
    if (check === undefined) {
      check = this.ajv.compile({ $ref: ref });
      this.cache.set(ref, check);
    }
    return check(body) === true
      ? []
      : (check.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'invalid'} ${JSON.stringify(e.params)}`);
  }
}
