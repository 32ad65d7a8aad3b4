import type { AwsSdkClient } from '../../core/aws-sdk-shapes.js';
import type { Diagnostics } from '../../core/diagnostics.js';
import { classifyFailure, describeFailure } from './retry.js';
import type { CloudWatchLogsSdk } from './sdk.js';

/** The log group and stream a transport writes to, and what it may do to create them. */
export interface LogStreamTarget {
  readonly logGroup: string;
  readonly logStream: string;
  readonly createLogGroup: boolean;
  readonly retentionDays: number | undefined;
  /** Set once the retention was applied (or refused for good), so it is applied once. */
  retentionSet: boolean;
}

/**
 * Makes sure the group and stream exist: CreateLogGroup (already exists and access denied are
 * fine: a role may log without being allowed to create groups), PutRetentionPolicy when asked,
 * CreateLogStream. No DescribeLogStreams: without sequence tokens there is nothing to look up,
 * and an "already exists" answer is cheaper than a describe. Throws what should be retried.
 */
export async function ensureLogStream(client: AwsSdkClient, sdk: CloudWatchLogsSdk, target: LogStreamTarget, diagnostics: Diagnostics): Promise<void> {
  const logGroupName = target.logGroup;
  if (target.createLogGroup) {
    try {
      await client.send(new sdk.CreateLogGroupCommand({ logGroupName }));
    } catch (err) {
      const name = err instanceof Error ? err.name : '';
      if (name !== 'ResourceAlreadyExistsException' && name !== 'AccessDeniedException') throw err;
    }
  }
  const retentionInDays = target.retentionDays;
  if (retentionInDays !== undefined && !target.retentionSet) {
    try {
      await client.send(new sdk.PutRetentionPolicyCommand({ logGroupName, retentionInDays }));
      target.retentionSet = true;
    } catch (err) {
      if ((await classifyFailure(err)) !== 'fatal') throw err;
      target.retentionSet = true;
      diagnostics.once('warn', 'cloudwatch-retention', `could not set ${retentionInDays} days of retention on ${logGroupName}: ${describeFailure(err)}`);
    }
  }
  try {
    await client.send(new sdk.CreateLogStreamCommand({ logGroupName, logStreamName: target.logStream }));
  } catch (err) {
    if (!(err instanceof Error && err.name === 'ResourceAlreadyExistsException')) throw err;
  }
}
