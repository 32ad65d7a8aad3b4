// DynamoDB for the realistic route: dynalite in memory, in its own process, with the two tables and
// the two items the route reads.
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { startDynalite } from '@cruddur/fakes';
import { announceReady, serveRpc } from './rpc.js';
import { ACTIVITIES_TABLE, ACTIVITY_UUID, DYNAMO_CLIENT_CONFIG, USER_HANDLE, USERS_TABLE } from './realistic.js';

const dynalite = await startDynalite({ host: '127.0.0.1' });
const client = new DynamoDBClient({ ...DYNAMO_CLIENT_CONFIG, endpoint: dynalite.endpoint });
const doc = DynamoDBDocumentClient.from(client);
for (const [table, key] of [
  [USERS_TABLE, 'handle'],
  [ACTIVITIES_TABLE, 'uuid'],
] as const) {
  await client.send(
    new CreateTableCommand({
      TableName: table,
      KeySchema: [{ AttributeName: key, KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: key, AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
}
await doc.send(new PutCommand({ TableName: USERS_TABLE, Item: { handle: USER_HANDLE, display_name: 'Andrew Brown', bio: 'Cloud instructor', followers: 1024 } }));
await doc.send(
  new PutCommand({
    TableName: ACTIVITIES_TABLE,
    Item: { uuid: ACTIVITY_UUID, handle: USER_HANDLE, message: 'Cloud is fun!', created_at: '2026-11-01T12:00:00.000Z', likes: 7, replies: 2 },
  }),
);
client.destroy();

async function stop(): Promise<void> {
  await dynalite.close();
}

export type DynamoApi = { stop: typeof stop };

serveRpc({ stop } satisfies DynamoApi);
announceReady({ endpoint: dynalite.endpoint });
