// The realistic route, shared by every framework and variant: two DynamoDB GetItems (in parallel,
// through the document client) and one outgoing fetch to the stub service.
import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';

export const USERS_TABLE = 'bench-users';
export const ACTIVITIES_TABLE = 'bench-activities';
export const USER_HANDLE = 'andrewbrown';
export const ACTIVITY_UUID = '68f126b0-1ceb-4a33-88be-d90fa7109eee';

/** Client settings for dynalite: fixed region and credentials, so nothing is looked up. */
export const DYNAMO_CLIENT_CONFIG = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
} satisfies DynamoDBClientConfig;

/** The body of the hello-world route. */
export const HELLO = Object.freeze({ hello: 'world' });

/** What the realistic route needs, loaded by the server after its instrumentation is in place. */
export interface RealisticDeps {
  doc: DynamoDBDocumentClient;
  GetCommand: typeof GetCommand;
  stubUrl: string;
}

export interface RealisticBody {
  user: Record<string, unknown> | undefined;
  activity: Record<string, unknown> | undefined;
  rank: unknown;
}

export async function realisticRoute(deps: RealisticDeps): Promise<RealisticBody> {
  const [user, activity] = await Promise.all([
    deps.doc.send(new deps.GetCommand({ TableName: USERS_TABLE, Key: { handle: USER_HANDLE } })),
    deps.doc.send(new deps.GetCommand({ TableName: ACTIVITIES_TABLE, Key: { uuid: ACTIVITY_UUID } })),
  ]);
  const response = await fetch(deps.stubUrl);
  if (!response.ok) throw new Error(`stub service answered ${response.status}`);
  const rank: unknown = await response.json();
  return { user: user.Item, activity: activity.Item, rank };
}
