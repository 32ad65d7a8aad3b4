import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DescribeLogStreamsCommand,
  PutLogEventsCommand,
  ResourceAlreadyExistsException,
} from '@aws-sdk/client-cloudwatch-logs';
import winston from 'winston';
import WinstonCloudWatch from 'winston-cloudwatch';
import { type CloudWatchLogsServer, startCloudWatchLogsServer } from '../src/index.js';
import { connectOnce } from './support/net.js';

const DAY = 86_400_000;
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, unknown>;
}

async function call(server: CloudWatchLogsServer, operation: string, body: unknown): Promise<Answer> {
  const response = await fetch(`${server.url}/`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': `Logs_20140328.${operation}` },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}


function assertError(answer: Answer, status: number, type: string, message?: RegExp): void {
  assert.equal(answer.status, status, answer.text);
  assert.equal(answer.headers.get('content-type'), 'application/x-amz-json-1.1');
  assert.equal(answer.json.__type, type);
  assert.equal(typeof answer.json.message, 'string');
  if (message) assert.match(String(answer.json.message), message);
}

void describe('CloudWatch Logs fake: JSON 1.1 protocol', () => {
  let server: CloudWatchLogsServer;
  const group = '/cruddur/backend';
  const stream = 'web-1';

  before(async () => {
    server = await startCloudWatchLogsServer();
  });
  after(() => server.close());
  beforeEach(async () => {
    server.clear();
    server.clearFaults();
    assert.equal((await call(server, 'CreateLogGroup', { logGroupName: group })).status, 200);
    assert.equal((await call(server, 'CreateLogStream', { logGroupName: group, logStreamName: stream })).status, 200);
  });

  const put = (logEvents: unknown, extra: Record<string, unknown> = {}): Promise<Answer> =>
    call(server, 'PutLogEvents', { logGroupName: group, logStreamName: stream, logEvents, ...extra });

  void it('answers void operations with 200, an empty body and a request id', async () => {
    const answer = await call(server, 'CreateLogGroup', { logGroupName: '/other' });
    assert.equal(answer.status, 200);
    assert.equal(answer.text, '');
    assert.ok(answer.headers.get('x-amzn-requestid'));
    assert.ok(server.groups.has('/other'));
  });

  void it('answers duplicates with ResourceAlreadyExistsException and missing resources with ResourceNotFoundException', async () => {
    assertError(await call(server, 'CreateLogGroup', { logGroupName: group }), 400, 'ResourceAlreadyExistsException');
    assertError(
      await call(server, 'CreateLogStream', { logGroupName: group, logStreamName: stream }),
      400,
      'ResourceAlreadyExistsException',
    );
    assertError(
      await call(server, 'CreateLogStream', { logGroupName: '/missing', logStreamName: 's' }),
      400,
      'ResourceNotFoundException',
      /log group does not exist/,
    );
    assertError(await put([{ timestamp: Date.now(), message: 'x' }], { logStreamName: 'nope' }), 400, 'ResourceNotFoundException', /log stream does not exist/);
    assertError(await call(server, 'DescribeLogStreams', { logGroupName: '/missing' }), 400, 'ResourceNotFoundException');
  });

  void it('validates names, parameters, the target header and the JSON body', async () => {
    assertError(await call(server, 'CreateLogGroup', { logGroupName: 'bad name!' }), 400, 'InvalidParameterException', /logGroupName/);
    assertError(await call(server, 'CreateLogStream', { logGroupName: group, logStreamName: 'a:b' }), 400, 'InvalidParameterException');
    assertError(await call(server, 'CreateLogGroup', {}), 400, 'InvalidParameterException', /Value null at 'logGroupName'/);
    assertError(await call(server, 'DeleteLogGroup', { logGroupName: group }), 400, 'UnknownOperationException');
    assertError(await call(server, 'CreateLogGroup', '{not json'), 400, 'SerializationException');
    assertError(await put([]), 400, 'InvalidParameterException', /length greater than or equal to 1/);
    assertError(await put([{ timestamp: Date.now(), message: '' }]), 400, 'InvalidParameterException');
  });

  void it('accepts 10,000 events and rejects 10,001', async () => {
    const now = Date.now();
    const events = (count: number): unknown[] => Array.from({ length: count }, (_, index) => ({ timestamp: now, message: `m${index}` }));
    assertError(await put(events(10_001)), 400, 'InvalidParameterException', /less than or equal to 10000/);
    assert.equal(server.eventsFor(group, stream).length, 0);
    assert.equal((await put(events(10_000))).status, 200);
    assert.equal(server.eventsFor(group, stream).length, 10_000);
  });

  void it('counts UTF-8 bytes + 26 per event: 256 KiB per event and 1,048,576 per batch are accepted, one byte more is not', async () => {
    const now = Date.now();
    const atEventLimit = 'é'.repeat((262_144 - 26) / 2);
    assert.equal(Buffer.byteLength(atEventLimit) + 26, 262_144);
    const fullBatch = Array.from({ length: 4 }, () => ({ timestamp: now, message: atEventLimit }));
    assert.equal((await put(fullBatch)).status, 200);
    assertError(await put([{ timestamp: now, message: `${atEventLimit}a` }]), 400, 'InvalidParameterException', /Log event too large: 262145 bytes/);
    assertError(await put([...fullBatch, { timestamp: now, message: 'a' }]), 400, 'InvalidParameterException', /Upload too large: 1048603 bytes exceeds limit of 1048576/);
    assert.equal(server.eventsFor(group, stream).length, 4);
  });

  void it('requires chronological order and a span of at most 24 hours', async () => {
    const now = Date.now();
    assertError(
      await put([
        { timestamp: now, message: 'b' },
        { timestamp: now - 1, message: 'a' },
      ]),
      400,
      'InvalidParameterException',
      /chronological order/,
    );
    assert.equal((await put([{ timestamp: now, message: 'same' }, { timestamp: now, message: 'same ms' }])).status, 200);
    assertError(
      await put([
        { timestamp: now - DAY - 1, message: 'a' },
        { timestamp: now, message: 'b' },
      ]),
      400,
      'InvalidParameterException',
      /span more than 24 hours/,
    );
    assert.equal((await put([{ timestamp: now - DAY, message: 'a' }, { timestamp: now, message: 'b' }])).status, 200);
  });

  void it('ignores sequence tokens, answers a new nextSequenceToken each time and keeps events in order', async () => {
    const now = Date.now();
    const first = await put([{ timestamp: now, message: 'one' }], { sequenceToken: 'bogus' });
    const second = await put([{ timestamp: now + 1, message: 'two' }], { sequenceToken: 'also-bogus' });
    const third = await put([{ timestamp: now + 2, message: 'three' }]);
    for (const answer of [first, second, third]) {
      assert.equal(answer.status, 200);
      assert.equal(typeof answer.json.nextSequenceToken, 'string');
    }
    assert.equal(new Set([first, second, third].map((answer) => answer.json.nextSequenceToken)).size, 3);
    assert.deepEqual(
      server.eventsFor(group, stream).map((event) => [event.message, event.timestamp]),
      [
        ['one', now],
        ['two', now + 1],
        ['three', now + 2],
      ],
    );
  });

  void it('rejects too old, expired and too new events in rejectedLogEventsInfo while keeping the rest', async () => {
    const now = Date.now();
    const answer = await put([
      { timestamp: now - 15 * DAY, message: 'too old' },
      { timestamp: now, message: 'kept' },
      { timestamp: now + 3 * 3_600_000, message: 'too new' },
    ]);
    // The 24 h span check comes first: this batch spans 15 days.
    assertError(answer, 400, 'InvalidParameterException', /24 hours/);

    const old = await put([
      { timestamp: now - 15 * DAY, message: 'too old' },
      { timestamp: now - 15 * DAY + 1000, message: 'too old 2' },
    ]);
    assert.deepEqual(old.json.rejectedLogEventsInfo, { tooOldLogEventEndIndex: 2 });
    const future = await put([
      { timestamp: now, message: 'kept' },
      { timestamp: now + 3 * 3_600_000, message: 'too new' },
    ]);
    assert.deepEqual(future.json.rejectedLogEventsInfo, { tooNewLogEventStartIndex: 1 });
    assert.equal((await call(server, 'PutRetentionPolicy', { logGroupName: group, retentionInDays: 1 })).status, 200);
    const expired = await put([
      { timestamp: now - DAY - 1000, message: 'expired' },
      { timestamp: now - 1000, message: 'kept too' },
    ]);
    assert.deepEqual(expired.json.rejectedLogEventsInfo, { expiredLogEventEndIndex: 1 });
    assert.deepEqual(
      server.eventsFor(group, stream).map((event) => event.message),
      ['kept', 'kept too'],
    );
  });

  void it('enforces the retention enum and reports retention in DescribeLogGroups', async () => {
    assertError(await call(server, 'PutRetentionPolicy', { logGroupName: group, retentionInDays: 2 }), 400, 'InvalidParameterException', /enum value set/);
    assertError(await call(server, 'PutRetentionPolicy', { logGroupName: '/missing', retentionInDays: 7 }), 400, 'ResourceNotFoundException');
    assert.equal((await call(server, 'PutRetentionPolicy', { logGroupName: group, retentionInDays: 7 })).status, 200);
    await call(server, 'CreateLogGroup', { logGroupName: '/cruddur/worker' });
    await call(server, 'CreateLogGroup', { logGroupName: '/elsewhere' });
    const answer = await call(server, 'DescribeLogGroups', { logGroupNamePrefix: '/cruddur/' });
    const groups = answer.json.logGroups as { logGroupName: string; retentionInDays?: number; arn: string; logGroupArn: string }[];
    assert.deepEqual(
      groups.map((entry) => [entry.logGroupName, entry.retentionInDays]),
      [
        ['/cruddur/backend', 7],
        ['/cruddur/worker', undefined],
      ],
    );
    assert.equal(groups[0]?.arn, 'arn:aws:logs:us-east-1:123456789012:log-group:/cruddur/backend:*');
    assert.equal(groups[0]?.logGroupArn, 'arn:aws:logs:us-east-1:123456789012:log-group:/cruddur/backend');
  });

  void it('describes streams with prefix, ordering, paging and event timestamps', async () => {
    for (const name of ['web-3', 'web-2', 'worker-1']) {
      await call(server, 'CreateLogStream', { logGroupName: group, logStreamName: name });
    }
    const now = Date.now();
    await put([{ timestamp: now - 5000, message: 'a' }, { timestamp: now - 1000, message: 'b' }]);

    const byName = await call(server, 'DescribeLogStreams', { logGroupName: group, logStreamNamePrefix: 'web-' });
    const streams = byName.json.logStreams as Record<string, unknown>[];
    assert.deepEqual(
      streams.map((entry) => entry.logStreamName),
      ['web-1', 'web-2', 'web-3'],
    );
    assert.equal(streams[0]?.firstEventTimestamp, now - 5000);
    assert.equal(streams[0]?.lastEventTimestamp, now - 1000);
    assert.equal(typeof streams[0]?.uploadSequenceToken, 'string');
    assert.equal(streams[0]?.arn, 'arn:aws:logs:us-east-1:123456789012:log-group:/cruddur/backend:log-stream:web-1');
    assert.equal(streams[1]?.firstEventTimestamp, undefined);

    const page1 = await call(server, 'DescribeLogStreams', { logGroupName: group, limit: 3 });
    assert.equal((page1.json.logStreams as unknown[]).length, 3);
    assert.equal(typeof page1.json.nextToken, 'string');
    const page2 = await call(server, 'DescribeLogStreams', { logGroupName: group, limit: 3, nextToken: page1.json.nextToken });
    assert.deepEqual(
      (page2.json.logStreams as { logStreamName: string }[]).map((entry) => entry.logStreamName),
      ['worker-1'],
    );
    assert.equal(page2.json.nextToken, undefined);

    const byTime = await call(server, 'DescribeLogStreams', { logGroupName: group, orderBy: 'LastEventTime', descending: true });
    assert.equal((byTime.json.logStreams as { logStreamName: string }[])[0]?.logStreamName, 'web-1');
    assertError(
      await call(server, 'DescribeLogStreams', { logGroupName: group, orderBy: 'LastEventTime', logStreamNamePrefix: 'web' }),
      400,
      'InvalidParameterException',
      /Cannot order by LastEventTime/,
    );
    assertError(await call(server, 'DescribeLogStreams', { logGroupName: group, limit: 51 }), 400, 'InvalidParameterException');
    assertError(await call(server, 'DescribeLogStreams', { logGroupName: group, nextToken: 'forged' }), 400, 'InvalidParameterException');
  });

  void it('records every request with operation, body and headers', async () => {
    await put([{ timestamp: Date.now(), message: 'recorded' }]);
    const [request] = server.requestsFor('PutLogEvents');
    assert.ok(request);
    assert.equal(request.status, 200);
    assert.equal(request.headers['x-amz-target'], 'Logs_20140328.PutLogEvents');
    assert.deepEqual((request.body as { logEvents: unknown[] }).logEvents.length, 1);
    assert.deepEqual(
      server.requests.map((entry) => entry.operation),
      ['CreateLogGroup', 'CreateLogStream', 'PutLogEvents'],
    );
  });

  void it('injects throttling, 500s, resets and delays for the chosen operation and count only', async () => {
    const event = [{ timestamp: Date.now(), message: 'x' }];
    server.failNext('PutLogEvents', 'throttle', 2);
    server.failNext('PutLogEvents', '500');
    server.failNext('PutLogEvents', 'reset');
    server.failNext('PutLogEvents', 'slow', 1, 300);
    assert.equal((await call(server, 'DescribeLogGroups', {})).status, 200, 'other operations are not affected');
    assertError(await put(event), 400, 'ThrottlingException', /Rate exceeded/);
    assertError(await put(event), 400, 'ThrottlingException');
    assertError(await put(event), 500, 'ServiceUnavailableException');
    await assert.rejects(put(event), (error: Error) => {
      assert.equal(error.name, 'TypeError');
      return true;
    });
    const started = Date.now();
    assert.equal((await put(event)).status, 200);
    assert.ok(Date.now() - started >= 290, 'slow answer is delayed');
    assert.equal((await put(event)).status, 200);
    assert.equal(server.eventsFor(group, stream).length, 2);
    assert.deepEqual(
      server.requestsFor('PutLogEvents').map((request) => [request.fault, request.status]),
      [
        ['throttle', 400],
        ['throttle', 400],
        ['500', 500],
        ['reset', 0],
        ['slow', 200],
        [undefined, 200],
      ],
    );
  });

  void it('refuses connections while down and comes back on the same port with its state', async () => {
    const port = server.port;
    await server.goDown();
    assert.equal(server.isUp, false);
    await assert.rejects(connectOnce(port), /ECONNREFUSED/);
    await server.comeBack();
    assert.equal(server.port, port);
    const answer = await call(server, 'DescribeLogStreams', { logGroupName: group });
    assert.equal((answer.json.logStreams as unknown[]).length, 1);
  });

  void it('waits for events and explains a timeout', async () => {
    const waiting = server.waitForEvents((event) => event.message === 'awaited');
    await put([{ timestamp: Date.now(), message: 'awaited' }]);
    assert.equal((await waiting).length, 1);
    await assert.rejects(server.waitForEvents(5, 100), /timed out waiting for 5 log events within 100 ms; accepted 1 event\(s\); requests: CreateLogGroup ×1, CreateLogStream ×1, PutLogEvents ×1; 0 fault/);
  });
});

void describe('CloudWatch Logs fake with @aws-sdk/client-cloudwatch-logs', () => {
  let server: CloudWatchLogsServer;
  let client: CloudWatchLogsClient;

  before(async () => {
    server = await startCloudWatchLogsServer();
    client = new CloudWatchLogsClient({ endpoint: server.url, region: 'us-east-1', credentials, maxAttempts: 3 });
  });
  after(async () => {
    client.destroy();
    await server.close();
  });

  void it('serves the real client: create, put, describe, and typed errors', async () => {
    await client.send(new CreateLogGroupCommand({ logGroupName: '/sdk' }));
    await client.send(new CreateLogStreamCommand({ logGroupName: '/sdk', logStreamName: 's1' }));
    const now = Date.now();
    const put = await client.send(
      new PutLogEventsCommand({
        logGroupName: '/sdk',
        logStreamName: 's1',
        logEvents: [
          { timestamp: now, message: 'hello' },
          { timestamp: now + 1, message: 'wörld' },
        ],
      }),
    );
    assert.equal(typeof put.nextSequenceToken, 'string');
    assert.ok(put.$metadata.requestId);
    const described = await client.send(new DescribeLogStreamsCommand({ logGroupName: '/sdk' }));
    assert.equal(described.logStreams?.[0]?.lastEventTimestamp, now + 1);
    assert.deepEqual(
      server.eventsFor('/sdk', 's1').map((event) => event.message),
      ['hello', 'wörld'],
    );

    const [request] = server.requestsFor('PutLogEvents');
    assert.equal(request?.headers['content-type'], 'application/x-amz-json-1.1');
    assert.match(String(request?.headers.authorization), /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/logs\/aws4_request/);

    await assert.rejects(client.send(new CreateLogGroupCommand({ logGroupName: '/sdk' })), (error: unknown) => {
      assert.ok(error instanceof ResourceAlreadyExistsException);
      assert.equal(error.$metadata.httpStatusCode, 400);
      return true;
    });
  });

  void it('lets the client retry through a throttle and a reset', async () => {
    server.failNext('PutLogEvents', 'throttle');
    server.failNext('PutLogEvents', 'reset');
    const before = server.requestsFor('PutLogEvents').length;
    const answer = await client.send(
      new PutLogEventsCommand({ logGroupName: '/sdk', logStreamName: 's1', logEvents: [{ timestamp: Date.now(), message: 'retried' }] }),
    );
    assert.equal(answer.$metadata.attempts, 3);
    assert.deepEqual(
      server.requestsFor('PutLogEvents').slice(before).map((request) => request.fault),
      ['throttle', 'reset', undefined],
    );
    assert.equal(server.eventsFor('/sdk', 's1').at(-1)?.message, 'retried');
  });

  void it('fails with ECONNREFUSED while down and works again after comeBack', async () => {
    await server.goDown();
    const refusing = new CloudWatchLogsClient({ endpoint: server.url, region: 'us-east-1', credentials, maxAttempts: 1 });
    try {
      await assert.rejects(refusing.send(new DescribeLogStreamsCommand({ logGroupName: '/sdk' })), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'ECONNREFUSED');
        return true;
      });
      await server.comeBack();
      const described = await refusing.send(new DescribeLogStreamsCommand({ logGroupName: '/sdk' }));
      assert.equal(described.logStreams?.length, 1);
    } finally {
      refusing.destroy();
    }
  });
});

void describe('CloudWatch Logs fake with winston + winston-cloudwatch', () => {
  void it('receives what winston logs, after the transport creates group, retention and stream', async () => {
    const server = await startCloudWatchLogsServer();
    try {
      const transport = new WinstonCloudWatch({
        logGroupName: '/cruddur/winston',
        logStreamName: `winston-${process.pid}`,
        retentionInDays: 7,
        uploadRate: 200,
        awsOptions: { endpoint: server.url, region: 'us-east-1', credentials },
      });
      const logger = winston.createLogger({ level: 'info', transports: [transport] });
      logger.info('first line');
      logger.warn('second line', { trace_id: '1-581cf771-a006649127e371903a2de979' });
      logger.debug('filtered out');
      await new Promise<void>((resolve, reject) => transport.kthxbye((error) => (error ? reject(error) : resolve())));
      logger.close();

      const events = server.eventsFor('/cruddur/winston', `winston-${process.pid}`);
      // winston-cloudwatch may reorder events logged in the same millisecond: compare as a set.
      assert.deepEqual(events.map((event) => event.message).sort(), ['info - first line', 'warn - second line']);
      assert.ok(events.every((event, index) => index === 0 || event.timestamp >= (events[index - 1]?.timestamp ?? 0)));
      const operations = server.requests.map((request) => request.operation);
      assert.equal(operations[0], 'DescribeLogStreams');
      assert.equal(operations.at(-1), 'PutLogEvents');
      assert.ok(operations.indexOf('CreateLogGroup') < operations.indexOf('CreateLogStream'));
      await server.waitForEvents(2);
      const deadline = Date.now() + 2000;
      while (server.groups.get('/cruddur/winston')?.retentionInDays === undefined && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.equal(server.groups.get('/cruddur/winston')?.retentionInDays, 7);
      assert.ok(server.requests.every((request) => request.status === 200 || request.errorType === 'ResourceNotFoundException'));
    } finally {
      await server.close();
    }
  });
});
