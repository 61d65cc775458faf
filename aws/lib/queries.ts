/**
 * The seeds' questions on AWS, applied by `make aws-setup` beside the resources of resources.ts:
 * CloudWatch Logs Insights query definitions (json/logs-insights-queries.json) over the log
 * groups of json/log-group.json, and X-Ray groups (json/xray-groups.json). Both are found by
 * name and only written when missing or different, so a second run sends only reads.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  type CloudWatchLogsClient,
  DescribeQueryDefinitionsCommand,
  PutQueryDefinitionCommand,
  type QueryDefinition,
} from '@aws-sdk/client-cloudwatch-logs';
import type { XRayClient } from '@aws-sdk/client-xray';
import { z } from 'zod';
import { ensureGroup, type StepResult } from './resources.ts';

const jsonDir = path.join(import.meta.dirname, '..', 'json');

const queriesFile = z
  .object({
    comment: z.string().optional(),
    queryDefinitions: z.array(z.object({ name: z.string().min(1).max(255), queryString: z.string().min(1).max(10_000) }).strict()).min(1),
  })
  .strict();
const groupsFile = z
  .object({
    comment: z.string().optional(),
    Groups: z.array(z.object({ GroupName: z.string().min(1).max(32), FilterExpression: z.string().min(1) }).strict()),
  })
  .strict();

export interface QuerySetup {
  readonly queryDefinitions: ReadonlyArray<{ readonly name: string; readonly queryString: string }>;
  readonly logGroupNames: readonly string[];
  readonly groups: ReadonlyArray<{ readonly GroupName: string; readonly FilterExpression: string }>;
}

function parse<T>(name: string, schema: z.ZodType<T>): T {
  const file = path.join(jsonDir, name);
  const result = schema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => `  ${i.path.join('.') || '(file)'}: ${i.message}`);
  throw new Error(`${file}: invalid\n${issues.join('\n')}`);
}

/** The query definitions and groups as the files in aws/json/ describe them. */
export function loadQuerySetup(): QuerySetup {
  const logGroup = JSON.parse(fs.readFileSync(path.join(jsonDir, 'log-group.json'), 'utf8')) as { logGroupName: string };
  return {
    queryDefinitions: parse('logs-insights-queries.json', queriesFile).queryDefinitions,
    logGroupNames: [logGroup.logGroupName],
    groups: parse('xray-groups.json', groupsFile).Groups,
  };
}

async function findQueryDefinition(logs: CloudWatchLogsClient, name: string): Promise<QueryDefinition | undefined> {
  let token: string | undefined;
  do {
    const page = await logs.send(new DescribeQueryDefinitionsCommand({ queryDefinitionNamePrefix: name, nextToken: token }));
    const found = page.queryDefinitions?.find((d) => d.name === name);
    if (found) return found;
    token = page.nextToken;
  } while (token);
  return undefined;
}

export async function ensureQueryDefinition(
  logs: CloudWatchLogsClient,
  want: QuerySetup['queryDefinitions'][number],
  logGroupNames: readonly string[],
): Promise<StepResult> {
  const resource = `logs insights query ${want.name}`;
  const existing = await findQueryDefinition(logs, want.name);
  const body = { name: want.name, queryString: want.queryString, logGroupNames: [...logGroupNames] };
  if (!existing) {
    await logs.send(new PutQueryDefinitionCommand(body));
    return { resource, outcome: 'created' };
  }
  const changed = [
    ...(existing.queryString === want.queryString ? [] : ['queryString']),
    ...(JSON.stringify([...(existing.logGroupNames ?? [])].sort()) === JSON.stringify([...logGroupNames].sort()) ? [] : ['logGroupNames']),
  ];
  if (changed.length === 0) return { resource, outcome: 'unchanged' };
  await logs.send(new PutQueryDefinitionCommand({ ...body, queryDefinitionId: existing.queryDefinitionId }));
  return { resource, outcome: 'updated', detail: changed.join(', ') };
}

/** Every query definition, then every extra X-Ray group. */
export async function setupQueries(xray: XRayClient, logs: CloudWatchLogsClient, want: QuerySetup): Promise<StepResult[]> {
  const results: StepResult[] = [];
  for (const q of want.queryDefinitions) results.push(await ensureQueryDefinition(logs, q, want.logGroupNames));
  for (const g of want.groups) results.push(await ensureGroup(xray, g));
  return results;
}
