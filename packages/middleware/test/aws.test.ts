import assert from 'node:assert/strict';
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type DynamoDBClientConfig,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { after, before, describe, test } from 'node:test';
import { instrument, instrumentClients } from '../src/aws/index.js';
import { MIDDLEWARE_NAME } from '../src/aws/instrument.js';
import { instrumentHttp } from '../src/http/index.js';
import type { SegmentDocument, SubsegmentDocument } from '../src/index.js';
import { createTestTracer } from '../src/testing/index.js';
import { startDynamoProxy, type DynamoProxy } from './support/dynamo-proxy.js';
import { freePort } from '@cruddur/fakes';

const HEADER = /^Root=(1-[0-9a-f]{8}-[0-9a-f]{24});Parent=([0-9a-f]{16});Sampled=([01])$/;
const THROTTLED = { status: 400, type: 'ProvisionedThroughputExceededException', message: 'slow down' };

let proxy: DynamoProxy;
let client: DynamoDBClient;

function newClient(config: Partial<DynamoDBClientConfig> = {}): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: proxy.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret' },
    ...config,
  });
}

before(async () => {
  proxy = await startDynamoProxy();
  client = instrument(newClient());
  // Tables are made outside any request: no trace.
  await client.send(
    new CreateTableCommand({
      TableName: 'activities',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
        { AttributeName: 'handle', AttributeType: 'S' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'by-handle',
          KeySchema: [{ AttributeName: 'handle', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
});
after(async () => {
  client.destroy();
  await proxy.close();
});

/** Runs `fn` in a segment of a fresh test tracer; returns the segment document once closed. */
async function inSegment(fn: () => Promise<unknown>): Promise<SegmentDocument> {
  const { tracer, emitter } = createTestTracer();
  const segment = tracer.beginSegment({ name: 'test' });
  await tracer.run(segment, fn);
  segment.close();
  const doc = emitter.segments[0];
  assert.ok(doc, 'a segment was emitted');
  return doc;
}

function onlySubsegment(doc: SegmentDocument): SubsegmentDocument {
  assert.equal(doc.subsegments?.length, 1, `one subsegment, got ${JSON.stringify(doc.subsegments)}`);
  return doc.subsegments[0] as SubsegmentDocument;
}

/** The trace header of the last request that reached the proxy. */
function lastHeader(): string | undefined {
  const value = proxy.requests.at(-1)?.headers['x-amzn-trace-id'];
  return Array.isArray(value) ? value.join(',') : value;
}

function assertHeaderNames(sub: SubsegmentDocument, doc: SegmentDocument): void {
  const match = HEADER.exec(lastHeader() ?? '');
  assert.ok(match, `dynalite received ${lastHeader()}`);
  assert.deepEqual(match.slice(1), [doc.trace_id, sub.id, '1']);
}

void describe('operations', () => {
  void test('CreateTable: one aws subsegment, and dynalite receives its id as Parent', async () => {
    const doc = await inSegment(() =>
      client.send(
        new CreateTableCommand({
          TableName: 'messages',
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      ),
    );
    const sub = onlySubsegment(doc);
    assert.equal(sub.name, 'DynamoDB');
    assert.equal(sub.namespace, 'aws');
    assert.deepEqual(sub.aws, { operation: 'CreateTable', region: 'us-east-1', request_id: proxy.requests.at(-1)?.requestId, retries: 0, table_name: 'messages' });
    assert.equal(sub.http?.response?.status, 200);
    assert.ok((sub.http?.response?.content_length ?? 0) > 0);
    assert.equal(sub.error ?? sub.fault ?? sub.throttle ?? sub.cause, undefined);
    assert.ok(typeof sub.end_time === 'number' && sub.end_time >= sub.start_time);
    assertHeaderNames(sub, doc);
  });

  void test('PutItem with consumed capacity, GetItem, UpdateItem, Query on a GSI', async () => {
    const put = onlySubsegment(
      await inSegment(() =>
        client.send(
          new PutItemCommand({
            TableName: 'activities',
            Item: { pk: { S: 'u#1' }, sk: { S: 'a#1' }, handle: { S: 'andrew' }, text: { S: 'hi' } },
            ReturnConsumedCapacity: 'TOTAL',
          }),
        ),
      ),
    );
    assert.equal(put.aws?.operation, 'PutItem');
    assert.equal(put.aws?.table_name, 'activities');
    assert.deepEqual(put.aws?.consumed_capacity, { CapacityUnits: 1, TableName: 'activities' });

    const get = onlySubsegment(await inSegment(() => client.send(new GetItemCommand({ TableName: 'activities', Key: { pk: { S: 'u#1' }, sk: { S: 'a#1' } } }))));
    assert.deepEqual([get.aws?.operation, get.aws?.table_name, get.aws?.consumed_capacity], ['GetItem', 'activities', undefined]);

    const update = onlySubsegment(
      await inSegment(() =>
        client.send(
          new UpdateItemCommand({
            TableName: 'activities',
            Key: { pk: { S: 'u#1' }, sk: { S: 'a#1' } },
            UpdateExpression: 'SET #t = :t',
            ExpressionAttributeNames: { '#t': 'text' },
            ExpressionAttributeValues: { ':t': { S: 'edited' } },
          }),
        ),
      ),
    );
    assert.deepEqual([update.aws?.operation, update.aws?.table_name], ['UpdateItem', 'activities']);

    let count: number | undefined;
    const query = onlySubsegment(
      await inSegment(async () => {
        const out = await client.send(
          new QueryCommand({
            TableName: 'activities',
            IndexName: 'by-handle',
            KeyConditionExpression: 'handle = :h',
            ExpressionAttributeValues: { ':h': { S: 'andrew' } },
          }),
        );
        count = out.Count;
      }),
    );
    assert.equal(count, 1);
    assert.deepEqual([query.aws?.operation, query.aws?.table_name], ['Query', 'activities']);
  });

  void test('BatchWriteItem records table_names from the request', async () => {
    const sub = onlySubsegment(
      await inSegment(() =>
        client.send(
          new BatchWriteItemCommand({
            RequestItems: {
              activities: [{ PutRequest: { Item: { pk: { S: 'u#2' }, sk: { S: 'a#1' }, handle: { S: 'b' } } } }],
              messages: [{ PutRequest: { Item: { pk: { S: 'm#1' } } } }],
            },
          }),
        ),
      ),
    );
    assert.equal(sub.aws?.operation, 'BatchWriteItem');
    assert.deepEqual(sub.aws?.table_names, ['activities', 'messages']);
    assert.equal(sub.aws?.table_name, undefined);
  });
});

void describe('errors', () => {
  void test('ConditionalCheckFailedException: error with a remote cause, no fault', async () => {
    const doc = await inSegment(() =>
      assert.rejects(
        client.send(
          new PutItemCommand({
            TableName: 'activities',
            Item: { pk: { S: 'u#1' }, sk: { S: 'a#1' } },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
        { name: 'ConditionalCheckFailedException' },
      ),
    );
    const sub = onlySubsegment(doc);
    assert.equal(sub.error, true);
    assert.equal(sub.fault, undefined);
    assert.equal(sub.throttle, undefined);
    assert.equal(sub.http?.response?.status, 400);
    assert.ok(typeof sub.cause === 'object');
    assert.deepEqual([sub.cause.exceptions[0]?.type, sub.cause.exceptions[0]?.remote], ['ConditionalCheckFailedException', true]);
    assert.equal(sub.aws?.request_id, proxy.requests.at(-1)?.requestId);
    assert.equal(sub.aws?.retries, 0);
    assertHeaderNames(sub, doc);
  });

  void test('a missing table: ResourceNotFoundException is an error, not a fault', async () => {
    const sub = onlySubsegment(
      await inSegment(() => assert.rejects(client.send(new GetItemCommand({ TableName: 'nowhere', Key: { pk: { S: 'x' } } })), { name: 'ResourceNotFoundException' })),
    );
    assert.deepEqual([sub.error, sub.fault, sub.aws?.table_name], [true, undefined, 'nowhere']);
    assert.ok(typeof sub.cause === 'object');
    assert.equal(sub.cause.exceptions[0]?.type, 'ResourceNotFoundException');
  });

  void test('TransactWriteItems (unknown to dynalite): table_names come from the request, the error is recorded', async () => {
    const sub = onlySubsegment(
      await inSegment(() =>
        assert.rejects(
          client.send(
            new TransactWriteItemsCommand({
              TransactItems: [
                { Put: { TableName: 'activities', Item: { pk: { S: 'u#3' }, sk: { S: 'a#1' } } } },
                { ConditionCheck: { TableName: 'messages', Key: { pk: { S: 'm#1' } }, ConditionExpression: 'attribute_exists(pk)' } },
                { Delete: { TableName: 'activities', Key: { pk: { S: 'u#2' }, sk: { S: 'a#1' } } } },
              ],
            }),
          ),
        ),
      ),
    );
    assert.equal(sub.aws?.operation, 'TransactWriteItems');
    assert.deepEqual(sub.aws?.table_names, ['activities', 'messages']);
    assert.equal(sub.error, true);
    assert.equal(sub.fault, undefined);
    assert.ok(typeof sub.cause === 'object');
    assert.equal(sub.cause.exceptions[0]?.remote, true);
    assert.match(sub.cause.exceptions[0]?.type ?? '', /UnknownOperation/);
  });

  void test('throttled once then successful: one subsegment, retries 1, no flags (the last attempt decides)', async () => {
    proxy.inject(THROTTLED, 1);
    const before = proxy.requests.length;
    const doc = await inSegment(() => client.send(new GetItemCommand({ TableName: 'activities', Key: { pk: { S: 'u#1' }, sk: { S: 'a#1' } } })));
    const sub = onlySubsegment(doc);
    assert.equal(sub.aws?.retries, 1);
    assert.equal(sub.http?.response?.status, 200);
    assert.equal(sub.error ?? sub.throttle ?? sub.fault, undefined);
    const attempts = proxy.requests.slice(before);
    assert.deepEqual(
      attempts.map((r) => r.status),
      [400, 200],
    );
    assert.equal(attempts[0]?.headers['x-amzn-trace-id'], attempts[1]?.headers['x-amzn-trace-id'], 'every attempt carries the same Parent');
    assertHeaderNames(sub, doc);
  });

  void test('throttled on every attempt: throttle and error, no fault', async () => {
    const twoAttempts = instrument(newClient({ maxAttempts: 2 }));
    proxy.inject(THROTTLED, 2);
    const sub = onlySubsegment(
      await inSegment(() =>
        assert.rejects(twoAttempts.send(new GetItemCommand({ TableName: 'activities', Key: { pk: { S: 'u#1' }, sk: { S: 'a#1' } } })), {
          name: 'ProvisionedThroughputExceededException',
        }),
      ),
    );
    twoAttempts.destroy();
    assert.deepEqual([sub.throttle, sub.error, sub.fault, sub.aws?.retries], [true, true, undefined, 1]);
    assert.equal(sub.http?.response?.status, 400);
    assert.ok(typeof sub.cause === 'object');
    assert.equal(sub.cause.exceptions[0]?.remote, true);
  });

  void test('a 5xx is a fault; a refused connection is a fault with a remote cause and no response', async () => {
    const once = instrument(newClient({ maxAttempts: 1 }));
    proxy.inject({ status: 500, type: 'InternalServerError', message: 'boom' }, 1);
    const fault = onlySubsegment(await inSegment(() => assert.rejects(once.send(new GetItemCommand({ TableName: 'activities', Key: { pk: { S: 'x' }, sk: { S: 'y' } } })))));
    once.destroy();
    assert.deepEqual([fault.fault, fault.error, fault.http?.response?.status], [true, undefined, 500]);
    assert.ok(typeof fault.cause === 'object');
    assert.equal(fault.cause.exceptions[0]?.remote, true);

    const nowhere = instrument(newClient({ maxAttempts: 1, endpoint: `http://127.0.0.1:${await freePort()}` }));
    const refused = onlySubsegment(await inSegment(() => assert.rejects(nowhere.send(new GetItemCommand({ TableName: 'activities', Key: { pk: { S: 'x' }, sk: { S: 'y' } } })))));
    nowhere.destroy();
    assert.deepEqual([refused.fault, refused.error, refused.http], [true, undefined, undefined]);
    assert.ok(typeof refused.cause === 'object');
    assert.equal(refused.cause.exceptions[0]?.remote, true);
  });
});

void describe('clients and context', () => {
  void test('DynamoDBDocumentClient commands produce exactly one subsegment each', async () => {
    const docClient = DynamoDBDocumentClient.from(client);
    let item: Record<string, unknown> | undefined;
    const doc = await inSegment(async () => {
      await docClient.send(new PutCommand({ TableName: 'activities', Item: { pk: 'u#9', sk: 'a#1', handle: 'doc', n: 3 } }));
      item = (await docClient.send(new GetCommand({ TableName: 'activities', Key: { pk: 'u#9', sk: 'a#1' } }))).Item;
    });
    assert.deepEqual(item, { pk: 'u#9', sk: 'a#1', handle: 'doc', n: 3 });
    assert.deepEqual(
      doc.subsegments?.map((s) => [s.name, s.aws?.operation, s.aws?.table_name]),
      [
        ['DynamoDB', 'PutItem', 'activities'],
        ['DynamoDB', 'GetItem', 'activities'],
      ],
    );
    assert.equal(HEADER.exec(lastHeader() ?? '')?.[2], doc.subsegments?.[1]?.id);
  });

  void test('instrumenting twice (client, document client, helper) keeps one middleware and one subsegment', async () => {
    const twice = instrument(instrument(newClient()));
    const docClient = instrument(DynamoDBDocumentClient.from(twice));
    instrumentClients(twice, docClient);
    assert.equal(twice.middlewareStack.identify().filter((m) => m.startsWith(MIDDLEWARE_NAME)).length, 1);
    const doc = await inSegment(async () => {
      await twice.send(new GetItemCommand({ TableName: 'activities', Key: { pk: { S: 'u#1' }, sk: { S: 'a#1' } } }));
      await docClient.send(new GetCommand({ TableName: 'activities', Key: { pk: 'u#1', sk: 'a#1' } }));
    });
    twice.destroy();
    assert.equal(doc.subsegments?.length, 2);
  });

  void test('outside a request: no subsegment and no header', async () => {
    const { emitter } = createTestTracer();
    await client.send(new GetItemCommand({ TableName: 'activities', Key: { pk: { S: 'u#1' }, sk: { S: 'a#1' } } }));
    assert.equal(lastHeader(), undefined);
    assert.equal(emitter.documents.length, 0);
  });

  void test('unsampled: Sampled=0 goes out, nothing is emitted', async () => {
    const { tracer, emitter } = createTestTracer();
    const segment = tracer.beginSegment({ name: 'test', sampled: false });
    await tracer.run(segment, () => client.send(new GetItemCommand({ TableName: 'activities', Key: { pk: { S: 'u#1' }, sk: { S: 'a#1' } } })));
    segment.close();
    assert.equal(lastHeader(), `Root=${segment.traceId};Parent=${segment.id};Sampled=0`);
    assert.equal(emitter.documents.length, 0);
  });

  void test('with outgoing HTTP instrumented too, an operation is still one aws subsegment and nested work sits under it', async (t) => {
    const http = instrumentHttp();
    t.after(() => http.uninstall());
    const { tracer, emitter } = createTestTracer();
    const segment = tracer.beginSegment({ name: 'test' });
    await tracer.run(segment, () => tracer.capture('handler', () => client.send(new GetItemCommand({ TableName: 'activities', Key: { pk: { S: 'u#1' }, sk: { S: 'a#1' } } }))));
    segment.close();
    const handler = onlySubsegment(emitter.segments[0] as SegmentDocument);
    assert.equal(handler.subsegments?.length, 1);
    const sub = handler.subsegments?.[0] as SubsegmentDocument;
    assert.equal(sub.namespace, 'aws');
    assert.equal(sub.subsegments, undefined, 'the SDK request is not recorded again as a remote call');
    assert.equal(HEADER.exec(lastHeader() ?? '')?.[2], sub.id);
  });

  void test('the tracer option limits recording to that tracer', async () => {
    const { tracer: other } = createTestTracer();
    const limited = instrument(newClient(), { tracer: other });
    const doc = await inSegment(() => limited.send(new GetItemCommand({ TableName: 'activities', Key: { pk: { S: 'u#1' }, sk: { S: 'a#1' } } })));
    limited.destroy();
    assert.equal(doc.subsegments, undefined);
    assert.equal(lastHeader(), undefined);
  });
});
