import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';

import { clientConfig, logStreamEvents, xrayDocuments as xrayDocumentsAt, type AwsAccess, type CwLogMessage, type SegmentDoc } from '../../../tools/backends.ts';
import { CANARY, REGION } from './stack.js';

export type { CwLogMessage, SegmentDoc } from '../../../tools/backends.ts';

/** moto with the canary credentials: what the collector under test signs with. */
const access = (motoUrl: string): AwsAccess => ({
  endpoint: motoUrl,
  region: REGION,
  accessKeyId: CANARY.awsAccessKeyId,
  secretAccessKey: CANARY.awsSecretAccessKey,
});

export const xrayDocuments = (motoUrl: string, xrayTraceId: string): Promise<SegmentDoc[]> => xrayDocumentsAt(access(motoUrl), xrayTraceId);

export const logEvents = (motoUrl: string, group: string, stream: string): Promise<CwLogMessage[]> => logStreamEvents(access(motoUrl), group, stream);

export async function logGroupRetention(motoUrl: string, group: string): Promise<number | undefined> {
  const logs = new CloudWatchLogsClient(clientConfig(access(motoUrl)));
  try {
    const out = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group }));
    return out.logGroups?.find((g) => g.logGroupName === group)?.retentionInDays;
  } finally {
    logs.destroy();
  }
}
