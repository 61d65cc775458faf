// @vitest-environment node
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { describeFailure, VALIDATION_MESSAGES } from '../src/api/errors.ts';
import { MAX_ACTIVITY_CHARS, MAX_MESSAGE_CHARS, MAX_REPLY_CHARS, TTL_CHOICES } from '../src/api/limits.ts';

const frontend = path.resolve(import.meta.dirname, '..');
const openapiPath = path.resolve(frontend, '../app/openapi.yaml');

interface Operation {
  readonly requestBody?: {
    content: { 'application/json': { schema: { properties: Record<string, { maxLength?: number; enum?: string[] }> } } };
  };
  readonly responses: Record<string, { content?: { 'application/json': { schema: { items?: { enum?: string[] } } } } }>;
}

const document = parse(fs.readFileSync(openapiPath, 'utf8')) as { paths: Record<string, Record<string, Operation>> };

function operation(route: string, method: string): Operation {
  const found = document.paths[route]?.[method];
  if (found === undefined) throw new Error(`app/openapi.yaml has no ${method} ${route}`);
  return found;
}

function bodyField(route: string, field: string): { maxLength?: number; enum?: string[] } {
  const property = operation(route, 'post').requestBody?.content['application/json'].schema.properties[field];
  if (property === undefined) throw new Error(`POST ${route} has no body field ${field}`);
  return property;
}

describe('the API contract in the front end', () => {
  it('has generated types in step with app/openapi.yaml (npm run generate:api rewrites them)', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cruddur-schema-')), 'schema.d.ts');
    execFileSync(path.join(frontend, 'node_modules/.bin/openapi-typescript'), [openapiPath, '-o', out], { stdio: 'pipe' });
    const committed = fs.readFileSync(path.join(frontend, 'src/api/schema.d.ts'), 'utf8');
    expect(committed).toContain('export interface paths');
    expect(committed).toBe(fs.readFileSync(out, 'utf8'));
  });

  it('has a sentence for exactly the 422 keys the document lists', () => {
    const keys = new Set<string>();
    for (const methods of Object.values(document.paths)) {
      for (const op of Object.values(methods)) {
        for (const key of op.responses['422']?.content?.['application/json'].schema.items?.enum ?? []) keys.add(key);
      }
    }
    expect(keys.size).toBeGreaterThan(5);
    expect(Object.keys(VALIDATION_MESSAGES).sort()).toEqual([...keys].sort());
    for (const key of keys) expect(describeFailure(422, [key])).not.toContain(key);
    expect(describeFailure(422, ['something_new'])).toBe('The service refused this (something_new).');
  });

  it("counts to the document's character limits and offers its ttls in its order", () => {
    expect(MAX_ACTIVITY_CHARS).toBe(bodyField('/api/activities', 'message').maxLength);
    expect(MAX_REPLY_CHARS).toBe(bodyField('/api/activities/{uuid}/reply', 'message').maxLength);
    expect(MAX_MESSAGE_CHARS).toBe(bodyField('/api/messages', 'message').maxLength);
    expect(TTL_CHOICES.map((choice) => choice.value)).toEqual(bodyField('/api/activities', 'ttl').enum);
  });
});
