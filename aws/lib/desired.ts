import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Desired } from './resources.ts';

const jsonDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'json');
const readJson = (name: string): unknown => JSON.parse(fs.readFileSync(path.join(jsonDir, name), 'utf8'));

/** The resources as the files in aws/json/ describe them. */
export function loadDesired(): Desired {
  const xray = readJson('xray.json') as { SamplingRule: Desired['samplingRule']; Group: Desired['group'] };
  return { samplingRule: xray.SamplingRule, group: xray.Group, logGroup: readJson('log-group.json') as Desired['logGroup'] };
}
