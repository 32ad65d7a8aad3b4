import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface DynamoOptions {
  /** e.g. `http://dynamodb-local:8000`; unset = the real AWS endpoint of `region`. */
  endpoint?: string;
  region?: string;
}

/**
 * A DynamoDB client for `endpoint` (or AWS). A local endpoint works without
 * AWS credentials: placeholder ones are used when none are in the environment.
 */
export function createDynamoClient(options: DynamoOptions = {}): DynamoDBClient {
  const local = Boolean(options.endpoint) && !process.env.AWS_ACCESS_KEY_ID && !process.env.AWS_PROFILE;
  return new DynamoDBClient({
    region: options.region ?? 'us-east-1',
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(local ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
}

export function createDocumentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/**
 * Endpoint / table / region from the environment (the CLI's `--endpoint`, `--table`, `--region` win over it).
 * The endpoint is `AWS_ENDPOINT_URL_DYNAMODB` (the SDK's DynamoDB-only variable, which leaves CloudWatch Logs
 * and X-Ray on AWS), else `AWS_ENDPOINT_URL`.
 */
export function dynamoOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): DynamoOptions & { tableName: string } {
  return {
    endpoint: env.AWS_ENDPOINT_URL_DYNAMODB || env.AWS_ENDPOINT_URL || undefined,
    region: env.AWS_DEFAULT_REGION || env.AWS_REGION || 'us-east-1',
    tableName: env.DDB_MESSAGE_TABLE || 'cruddur-messages',
  };
}
