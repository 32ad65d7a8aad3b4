// Step 4: the backend calls the worker over HTTP and writes to DynamoDB; both calls are traced.
// Run it (with dynalite and step1-fastify.ts running): npx tsx step4-backend.ts
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient, ResourceInUseException, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import express from 'express';
import { instrument } from '@cruddur/middleware/aws';
import { xray, xrayErrorHandler } from '@cruddur/middleware/express';
import { instrumentHttp } from '@cruddur/middleware/http';

const TableName = process.env.DDB_MESSAGE_TABLE ?? 'cruddur-workshop';
const workerUrl = process.env.WORKER_URL ?? 'http://localhost:4568';

// Once, at start-up: fetch() and node:http calls made in a request become `remote` subsegments
// and carry the X-Amzn-Trace-Id header to the callee.
instrumentHttp();
// Every operation of this client made in a request becomes an `aws` subsegment.
const dynamo = instrument(new DynamoDBClient({}));
const db = DynamoDBDocumentClient.from(dynamo);

// No request is running yet, so these calls are not traced (and that is not an error).
try {
  await dynamo.send(
    new CreateTableCommand({
      TableName,
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
} catch (err) {
  if (!(err instanceof ResourceInUseException)) throw err; // the table exists already
}
// Polls every second: the waiter's default first pause is 20 seconds, for real DynamoDB.
await waitUntilTableExists({ client: dynamo, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { TableName });

const app = express();
app.use(xray({ name: 'cruddur-backend' }));
app.use(express.json());

app.post('/api/activities', async (req, res) => {
  const { message } = req.body as { message: string };
  const verdict = await fetch(`${workerUrl}/internal/moderate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'activity', message, handle: 'andrewbrown' }),
  });
  const { allowed } = (await verdict.json()) as { allowed: boolean };
  if (!allowed) {
    res.status(422).json(['message_rejected']);
    return;
  }
  const activity = { uuid: randomUUID(), handle: 'andrewbrown', message, created_at: new Date().toISOString() };
  await db.send(new PutCommand({ TableName, Item: { pk: 'FEED#home', sk: `${activity.created_at}#${activity.uuid}`, ...activity } }));
  res.json(activity);
});

app.get('/api/activities/home', async (_req, res) => {
  const { Items = [] } = await db.send(
    new QueryCommand({ TableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'FEED#home' }, ScanIndexForward: false, Limit: 20 }),
  );
  res.json(Items.map(({ uuid, handle, message, created_at }) => ({ uuid, handle, message, created_at })));
});

app.use(xrayErrorHandler());

const server = app.listen(Number(process.env.PORT ?? 4567), () => {
  const { port } = server.address() as AddressInfo;
  console.log(`cruddur-backend listening on http://localhost:${port}`);
});
