import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  GetSamplingRulesCommand,
  GetSamplingTargetsCommand,
  PutTraceSegmentsCommand,
  ThrottledException,
  XRayClient,
} from '@aws-sdk/client-xray';
import { startXRayApiServer, type XRayApiServer } from '../src/index.js';
import { connectOnce } from './support/net.js';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
const CLIENT_ID = 'a1b2c3d4e5f6a7b8c9d0e1f2';

function segment(id: string, extra: Record<string, unknown> = {}): string {
  const now = Date.now() / 1000;
  return JSON.stringify({
    name: 'cruddur-backend',
    id,
    trace_id: `1-${Math.floor(now).toString(16)}-a006649127e371903a2de979`,
    start_time: now - 0.05,
    end_time: now,
    ...extra,
  });
}

async function post(server: XRayApiServer, path: string, body: unknown): Promise<{ status: number; headers: Headers; text: string }> {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}


void describe('X-Ray API fake with @aws-sdk/client-xray', () => {
  let server: XRayApiServer;
  let client: XRayClient;

  before(async () => {
    server = await startXRayApiServer();
    client = new XRayClient({ endpoint: server.url, region: 'us-east-1', credentials, maxAttempts: 2 });
  });
  after(async () => {
    client.destroy();
    await server.close();
  });
  beforeEach(() => {
    server.clear();
    server.clearFaults();
    server.clearRejections();
  });

  void it('records PutTraceSegments documents and lists chosen ids as unprocessed', async () => {
    server.rejectSegment('bbbbbbbbbbbbbbbb', 'InvalidName', 'Invalid segment name');
    const answer = await client.send(
      new PutTraceSegmentsCommand({ TraceSegmentDocuments: [segment('aaaaaaaaaaaaaaaa'), segment('bbbbbbbbbbbbbbbb'), '{"name":'] }),
    );
    assert.deepEqual(answer.UnprocessedTraceSegments?.[0], { Id: 'bbbbbbbbbbbbbbbb', ErrorCode: 'InvalidName', Message: 'Invalid segment name' });
    assert.equal(answer.UnprocessedTraceSegments?.[1]?.ErrorCode, 'ParseError');
    assert.equal(answer.UnprocessedTraceSegments?.length, 2);
    const received = await server.waitForSegments(3);
    assert.deepEqual(
      received.map((entry) => [entry.id, entry.accepted]),
      [
        ['aaaaaaaaaaaaaaaa', true],
        ['bbbbbbbbbbbbbbbb', false],
        [undefined, false],
      ],
    );
    assert.deepEqual(received[0]?.violations, []);
    assert.match(received[2]?.violations[0] ?? '', /not JSON/);
    const [request] = server.requestsFor('TraceSegments');
    assert.match(String(request?.headers.authorization), /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/xray\/aws4_request/);
  });

  void it('validates the documents it receives', async () => {
    await client.send(new PutTraceSegmentsCommand({ TraceSegmentDocuments: [segment('NOT-AN-ID', { namespace: 'local' })] }));
    const [entry] = await server.waitForSegments(1);
    assert.ok(entry?.accepted);
    assert.ok(entry?.violations.some((violation) => violation.startsWith('$.id:')));
    assert.ok(entry?.violations.some((violation) => violation.startsWith('$.namespace:')));
  });

  void it('throttles with 429 ThrottledException, which the client retries', async () => {
    server.failNext('TraceSegments', 'throttle');
    const answer = await client.send(new PutTraceSegmentsCommand({ TraceSegmentDocuments: [segment('cccccccccccccccc')] }));
    assert.equal(answer.$metadata.attempts, 2);
    assert.deepEqual(
      server.requestsFor('TraceSegments').map((request) => request.status),
      [429, 200],
    );
    assert.equal(server.segments.length, 1, 'the throttled call recorded nothing');

    server.failNext('TraceSegments', 'throttle', 2);
    await assert.rejects(client.send(new PutTraceSegmentsCommand({ TraceSegmentDocuments: [segment('dddddddddddddddd')] })), (error: unknown) => {
      assert.ok(error instanceof ThrottledException);
      assert.equal(error.$metadata.httpStatusCode, 429);
      return true;
    });
  });

  void it('serves sampling rules and targets in the shapes the client parses, with times in epoch seconds', async () => {
    server.setSamplingRules([
      { RuleName: 'api', Priority: 1, FixedRate: 0.5, ReservoirSize: 5, URLPath: '/api/*', HTTPMethod: 'GET' },
      { RuleName: 'Default' },
    ]);
    const rules = await client.send(new GetSamplingRulesCommand({}));
    const api = rules.SamplingRuleRecords?.[0];
    assert.equal(api?.SamplingRule?.RuleName, 'api');
    assert.equal(api?.SamplingRule?.URLPath, '/api/*');
    assert.equal(api?.SamplingRule?.RuleARN, 'arn:aws:xray:us-east-1:123456789012:sampling-rule/api');
    assert.equal(rules.SamplingRuleRecords?.[1]?.SamplingRule?.Priority, 10000);
    assert.ok(api?.CreatedAt instanceof Date);
    assert.ok(Math.abs((api?.CreatedAt?.getTime() ?? 0) - Date.now()) < 5000, 'CreatedAt is seconds, read as now');

    const now = Math.floor(Date.now() / 1000);
    const targets = await client.send(
      new GetSamplingTargetsCommand({
        SamplingStatisticsDocuments: [
          { RuleName: 'api', ClientID: CLIENT_ID, Timestamp: new Date(), RequestCount: 10, SampledCount: 3, BorrowCount: 1 },
        ],
      }),
    );
    const [target] = targets.SamplingTargetDocuments ?? [];
    assert.equal(target?.RuleName, 'api');
    assert.equal(target?.FixedRate, 0.5);
    assert.equal(target?.ReservoirQuota, 5);
    assert.equal(target?.Interval, 10);
    const ttl = (target?.ReservoirQuotaTTL?.getTime() ?? 0) / 1000;
    assert.ok(ttl >= now && ttl <= now + 60, `TTL ${ttl} is a few seconds from now`);
    assert.ok(Math.abs((targets.LastRuleModification?.getTime() ?? 0) / 1000 - now) < 5);
    const [statistics] = await server.waitForSamplingStatistics(1);
    assert.equal(statistics?.ClientID, CLIENT_ID);
    assert.equal(statistics?.RequestCount, 10);
    assert.equal(typeof statistics?.Timestamp, 'number');
  });
});

void describe('X-Ray API fake: sampling proxy over plain HTTP', () => {
  let server: XRayApiServer;

  before(async () => {
    server = await startXRayApiServer();
  });
  after(() => server.close());
  beforeEach(() => {
    server.clear();
    server.clearFaults();
  });

  void it('answers GetSamplingRules with the documented record shape and NextToken null', async () => {
    const answer = await post(server, '/GetSamplingRules', {});
    assert.equal(answer.status, 200);
    const body = JSON.parse(answer.text) as { SamplingRuleRecords: { SamplingRule: Record<string, unknown>; CreatedAt: number; ModifiedAt: number }[]; NextToken: null };
    assert.equal(body.NextToken, null);
    const [record] = body.SamplingRuleRecords;
    assert.deepEqual(Object.keys(record?.SamplingRule ?? {}).sort(), [
      'Attributes',
      'FixedRate',
      'HTTPMethod',
      'Host',
      'Priority',
      'ReservoirSize',
      'ResourceARN',
      'RuleARN',
      'RuleName',
      'ServiceName',
      'ServiceType',
      'URLPath',
      'Version',
    ]);
    assert.deepEqual(record?.SamplingRule, {
      RuleName: 'Default',
      RuleARN: 'arn:aws:xray:us-east-1:123456789012:sampling-rule/Default',
      ResourceARN: '*',
      Priority: 10000,
      FixedRate: 0.05,
      ReservoirSize: 1,
      ServiceName: '*',
      ServiceType: '*',
      Host: '*',
      HTTPMethod: '*',
      URLPath: '*',
      Version: 1,
      Attributes: {},
    });
    assert.ok(Number.isInteger(record?.CreatedAt) && (record?.CreatedAt ?? 0) < 1e10, 'CreatedAt in seconds');
  });

  void it('bumps LastRuleModification when rules change and serves configured targets', async () => {
    server.setLastRuleModification(1_700_000_000);
    server.setSamplingTargets((received) =>
      received.map((document) => ({ RuleName: document.RuleName, FixedRate: 0, ReservoirQuota: 0, ReservoirQuotaTTL: 1_700_000_100, Interval: 30 })),
    );
    const statistics = { RuleName: 'Default', ClientID: CLIENT_ID, Timestamp: 1_700_000_000, RequestCount: 1, SampledCount: 1, BorrowCount: 0 };
    const first = JSON.parse((await post(server, '/SamplingTargets', { SamplingStatisticsDocuments: [statistics] })).text) as Record<string, unknown>;
    assert.deepEqual(first, {
      SamplingTargetDocuments: [{ RuleName: 'Default', FixedRate: 0, ReservoirQuota: 0, ReservoirQuotaTTL: 1_700_000_100, Interval: 30 }],
      LastRuleModification: 1_700_000_000,
      UnprocessedStatistics: [],
    });
    server.setSamplingRules([{ RuleName: 'Default', FixedRate: 1 }]);
    server.setSamplingTargets(undefined);
    const second = JSON.parse((await post(server, '/SamplingTargets', { SamplingStatisticsDocuments: [statistics] })).text) as {
      LastRuleModification: number;
      SamplingTargetDocuments: { FixedRate: number }[];
    };
    assert.ok(second.LastRuleModification > 1_700_000_000);
    assert.equal(second.SamplingTargetDocuments[0]?.FixedRate, 1);
    assert.deepEqual(server.samplingStatistics, [statistics, statistics]);
  });

  void it('refuses malformed statistics with InvalidRequestException in x-amzn-ErrorType', async () => {
    const badClient = await post(server, '/SamplingTargets', {
      SamplingStatisticsDocuments: [{ RuleName: 'Default', ClientID: 'short', Timestamp: 1, RequestCount: 1, SampledCount: 1, BorrowCount: 0 }],
    });
    assert.equal(badClient.status, 400);
    assert.equal(badClient.headers.get('x-amzn-errortype'), 'InvalidRequestException');
    assert.match(badClient.text, /ClientID must be 24 characters/);
    assert.equal((await post(server, '/SamplingTargets', {})).status, 400);
    assert.equal((await post(server, '/Nope', {})).status, 404);
    assert.equal(server.samplingStatistics.length, 0);
  });

  void it('injects garbage JSON, 500, hangs and refusal', async () => {
    server.failNext('GetSamplingRules', 'garbage');
    server.failNext('GetSamplingRules', '500');
    server.failNext('GetSamplingRules', 'hang');
    const garbage = await post(server, '/GetSamplingRules', {});
    assert.equal(garbage.status, 200);
    assert.throws(() => JSON.parse(garbage.text) as unknown, SyntaxError);
    const failed = await post(server, '/GetSamplingRules', {});
    assert.equal(failed.status, 500);
    assert.equal(failed.headers.get('x-amzn-errortype'), 'InternalFailure');
    await assert.rejects(
      fetch(`${server.url}/GetSamplingRules`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(200) }),
      /aborted due to timeout/,
    );
    assert.equal((await post(server, '/GetSamplingRules', {})).status, 200, 'faults are used up');

    const port = server.port;
    await server.goDown();
    await assert.rejects(connectOnce(port), /ECONNREFUSED/);
    await server.comeBack();
    assert.equal(server.port, port);
    assert.equal(server.address, `127.0.0.1:${port}`);
    assert.equal((await post(server, '/GetSamplingRules', {})).status, 200);
  });
});
