// Creates or updates Cruddur's AWS resources from aws/json/: the X-Ray sampling rule and group,
// and the CloudWatch Logs group with its retention; then the saved questions: Logs Insights query
// definitions and the extra X-Ray groups (a slow-requests group). Idempotent: a second run changes nothing
// and says so. Credentials, region and endpoints come from the standard AWS SDK environment:
// AWS_REGION, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or a profile, and AWS_ENDPOINT_URL (all
// services) or AWS_ENDPOINT_URL_XRAY / AWS_ENDPOINT_URL_CLOUDWATCH_LOGS (one service) to point
// it at moto or another stand-in.
//
//   node aws/setup.ts          (make aws-setup)
//   node aws/setup.ts --skip-query-definitions
//                              (make up, offline: moto implements no Logs Insights query definitions)
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { XRayClient } from '@aws-sdk/client-xray';
import { loadDesired } from './lib/desired.ts';
import { loadQuerySetup, setupQueries } from './lib/queries.ts';
import { describeResults, setupAll } from './lib/resources.ts';

const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
if (!region) {
  console.error('aws-setup: set AWS_REGION');
  process.exit(2);
}
// The SDK reads the AWS_ENDPOINT_URL* variables itself; we only say which are in effect.
const overrides = Object.entries(process.env)
  .filter(([k, v]) => k.startsWith('AWS_ENDPOINT_URL') && v)
  .map(([k, v]) => `${k}=${v}`);
const xray = new XRayClient({ region });
const logs = new CloudWatchLogsClient({ region });
try {
  console.log(`aws-setup: region ${region}${overrides.length > 0 ? `, ${overrides.join(', ')}` : ''}`);
  const resources = await setupAll(xray, logs, loadDesired());
  // The saved questions: Logs Insights query definitions and the extra X-Ray groups (lib/queries.ts).
  const skipQueryDefinitions = process.argv.includes('--skip-query-definitions');
  const querySetup = loadQuerySetup();
  const queries = await setupQueries(xray, logs, skipQueryDefinitions ? { ...querySetup, queryDefinitions: [] } : querySetup);
  if (skipQueryDefinitions) console.log('skipped   Logs Insights query definitions (--skip-query-definitions)');
  console.log(describeResults([...resources, ...queries]));
} catch (err) {
  console.error(`aws-setup failed: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
  process.exitCode = 1;
} finally {
  xray.destroy();
  logs.destroy();
}
