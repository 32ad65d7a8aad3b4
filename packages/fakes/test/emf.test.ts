import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { type CloudWatchLogsServer, readEmf, startCloudWatchLogsServer } from '../src/index.js';

const NOW = Date.UTC(2026, 11, 6, 12, 0, 0);

function doc(overrides: Record<string, unknown> = {}, directive: Record<string, unknown> = {}): string {
  return JSON.stringify({
    _aws: { Timestamp: NOW, CloudWatchMetrics: [{ Namespace: 'Cruddur', Dimensions: [['Service', 'Route'], ['Service']], Metrics: [{ Name: 'Latency', Unit: 'Milliseconds' }], ...directive }] },
    Service: 'backend',
    Route: '/api/x',
    Latency: { Values: [1.5, 20], Counts: [3, 1], Max: 21, Min: 1.4, Count: 4, Sum: 25.5 },
    ...overrides,
  });
}

describe('EMF reading (as CloudWatch documents it)', () => {
  it('extracts one datum per metric and dimension set, with Values/Counts and the exact statistics', () => {
    const reading = readEmf(doc(), NOW);
    assert.equal(reading.kind, 'metrics');
    if (reading.kind !== 'metrics') return;
    assert.equal(reading.data.length, 2);
    assert.deepEqual(reading.data[0]?.dimensions, { Service: 'backend', Route: '/api/x' });
    assert.deepEqual(reading.data[1]?.dimensions, { Service: 'backend' });
    assert.deepEqual(reading.data[0]?.values, [1.5, 20]);
    assert.deepEqual(reading.data[0]?.counts, [3, 1]);
    assert.equal(reading.data[0]?.sampleCount, 4);
    assert.equal(reading.data[0]?.sum, 25.5);
    assert.equal(reading.data[0]?.min, 1.4);
  });

  it('reads plain numbers and arrays as values counted once each', () => {
    const reading = readEmf(doc({ Latency: [1, 2, 2] }), NOW);
    assert.equal(reading.kind, 'metrics');
    if (reading.kind === 'metrics') assert.equal(reading.data[0]?.sampleCount, 3);
  });

  it('leaves non-JSON and JSON without _aws as plain log events', () => {
    assert.equal(readEmf('hello', NOW).kind, 'log');
    assert.equal(readEmf('{"level":"info"}', NOW).kind, 'log');
    assert.equal(readEmf('{"_aws": ', NOW).kind, 'log');
  });

  const invalid: [string, string, RegExp][] = [
    ['a missing metric member', doc({ Latency: undefined }), /no member at the root/],
    ['a missing dimension member', doc({ Route: undefined }), /dimension "Route" has no member/],
    ['a numeric dimension value', doc({ Route: 5 }), /number, not a string/],
    ['an unknown unit', doc({}, { Metrics: [{ Name: 'Latency', Unit: 'Furlongs' }] }), /not a CloudWatch unit/],
    ['a bad storage resolution', doc({}, { Metrics: [{ Name: 'Latency', StorageResolution: 5 }] }), /StorageResolution 5/],
    ['101 values', doc({ Latency: Array.from({ length: 101 }, (_, i) => i) }), /101 values; at most 100/],
    ['Values and Counts of different lengths', doc({ Latency: { Values: [1, 2], Counts: [1] } }), /2 Values but 1 Counts/],
    ['a Count that disagrees with Counts', doc({ Latency: { Values: [1], Counts: [2], Count: 3 } }), /Count 3 is not the total/],
    ['31 dimensions', doc(Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`D${i}`, 'x'])), { Dimensions: [Array.from({ length: 31 }, (_, i) => `D${i}`)] }), /31 dimensions; at most 30/],
    ['101 metrics', doc(Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`M${i}`, 1])), { Metrics: Array.from({ length: 101 }, (_, i) => ({ Name: `M${i}` })) }), /101 definitions/],
    ['a timestamp 15 days old', JSON.stringify({ ...JSON.parse(doc()), _aws: { ...JSON.parse(doc())._aws, Timestamp: NOW - 15 * 86_400_000 } }), /14 days in the past/],
    ['no CloudWatchMetrics', JSON.stringify({ _aws: { Timestamp: NOW } }), /CloudWatchMetrics is not an array/],
  ];
  for (const [what, message, problem] of invalid) {
    it(`extracts nothing from a document with ${what}`, () => {
      const reading = readEmf(message, NOW);
      assert.equal(reading.kind, 'invalid');
      if (reading.kind === 'invalid') assert.match(reading.problems.join('\n'), problem);
    });
  }
});

describe('CloudWatch Logs fake: EMF events', () => {
  let server: CloudWatchLogsServer;
  let client: CloudWatchLogsClient;
  before(async () => {
    server = await startCloudWatchLogsServer();
    client = new CloudWatchLogsClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    await client.send(new CreateLogGroupCommand({ logGroupName: 'g' }));
    await client.send(new CreateLogStreamCommand({ logGroupName: 'g', logStreamName: 's' }));
  });
  after(async () => {
    client.destroy();
    await server.close();
  });

  it('stores every event, extracts metrics from valid EMF and records why invalid EMF yields none', async () => {
    const now = Date.now();
    const valid = doc().replace(String(NOW), String(now));
    const broken = doc({ Latency: 'fast' }).replace(String(NOW), String(now));
    await client.send(new PutLogEventsCommand({ logGroupName: 'g', logStreamName: 's', logEvents: [{ timestamp: now, message: valid }, { timestamp: now, message: broken }, { timestamp: now, message: 'plain line' }] }));
    assert.equal(server.eventsFor('g', 's').length, 3);
    const data = await server.waitForMetrics(2);
    assert.equal(data[0]?.metricName, 'Latency');
    assert.equal(data[0]?.namespace, 'Cruddur');
    assert.equal(server.emfRejections.length, 1);
    assert.match(server.emfRejections[0]?.problems[0] ?? '', /a string, not a number/);
  });
});
