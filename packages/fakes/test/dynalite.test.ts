import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { startDynalite } from '../src/index.js';
import { connectOnce } from './support/net.js';

void describe('startDynalite', () => {
  void it('serves the DynamoDB client in memory and frees its port on close', async () => {
    const dynamo = await startDynalite();
    const client = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    });
    try {
      assert.match(dynamo.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
      const created = await client.send(
        new CreateTableCommand({
          TableName: 'activities',
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      // createTableMs: 0 — the table is usable at once.
      assert.ok(created.TableDescription);
      await client.send(new PutItemCommand({ TableName: 'activities', Item: { pk: { S: 'a1' }, text: { S: 'hello' } } }));
      const got = await client.send(new GetItemCommand({ TableName: 'activities', Key: { pk: { S: 'a1' } } }));
      assert.deepEqual(got.Item, { pk: { S: 'a1' }, text: { S: 'hello' } });
      await assert.rejects(
        client.send(
          new PutItemCommand({
            TableName: 'activities',
            Item: { pk: { S: 'a1' }, text: { S: 'again' } },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
        ConditionalCheckFailedException,
      );
    } finally {
      client.destroy();
      await dynamo.close();
    }
    await assert.rejects(connectOnce(dynamo.port), /ECONNREFUSED/);
  });

  void it('starts independent in-memory instances', async () => {
    const [a, b] = await Promise.all([startDynalite(), startDynalite()]);
    try {
      assert.notEqual(a.port, b.port);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
