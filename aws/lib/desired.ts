import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Desired } from './resources.ts';

const jsonDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'json');
const readJson = (name: string): unknown => JSON.parse(fs.readFileSync(path.join(jsonDir, name), 'utf8'));

/** The resources as the files in aws/json/ describe them. */
export function loadDesired(): Desired {
  // Each file is exactly the input of one AWS CLI call, as the seeds run them:
  //   aws xray create-sampling-rule --cli-input-json file://aws/json/xray.json
  //   aws xray create-group --cli-input-json file://aws/json/xray-group.json
  // (the CLI refuses a key it does not know, so the group cannot share the rule's file).
  const xray = readJson('xray.json') as { SamplingRule: Desired['samplingRule'] };
  return {
    samplingRule: xray.SamplingRule,
    group: readJson('xray-group.json') as Desired['group'],
    logGroup: readJson('log-group.json') as Desired['logGroup'],
    //   aws logs create-log-stream --cli-input-json file://aws/json/log-stream.json
    logStream: readJson('log-stream.json') as Desired['logStream'],
  };
}
