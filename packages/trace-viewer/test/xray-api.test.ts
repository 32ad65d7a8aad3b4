// The X-Ray read API on the viewer's web port, driven by the real @aws-sdk/client-xray with an
// endpoint override: the answers' shapes, pagination, filter errors and groups.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  BatchGetTracesCommand,
  CreateGroupCommand,
  DeleteGroupCommand,
  GetGroupCommand,
  GetGroupsCommand,
  GetServiceGraphCommand,
  GetTraceGraphCommand,
  GetTraceSummariesCommand,
  InvalidRequestException,
  paginateGetTraceSummaries,
  XRayClient,
} from '@aws-sdk/client-xray';
import { startTraceViewer, type TraceViewer } from '../src/index.js';
import { addAll, roundTrip, single } from './graph-fixtures.js';

const GROUP_FILE = fileURLToPath(new URL('../../../aws/json/xray-group.json', import.meta.url));

void describe('X-Ray API with @aws-sdk/client-xray', () => {
  let viewer: TraceViewer;
  let client: XRayClient;
  const now = Date.now() / 1000;
  const ids: Record<string, string> = {};

  before(async () => {
    viewer = await startTraceViewer({ udpPort: 0, httpPort: 0, finishAfterMs: 0, groupFiles: [GROUP_FILE], xrayPageSize: 2 });
    client = new XRayClient({
      endpoint: viewer.url!.slice(0, -1),
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
    const traces = {
      ok: roundTrip({ t0: now - 50 }),
      fault: roundTrip({ t0: now - 40, status: 500, workerStatus: 500 }),
      slow: roundTrip({ t0: now - 30, slow: true, feed: 'notifications' }),
      game: single({ t0: now - 20, status: 404, annotations: { gameid: '817DL6VO' } }),
      old: single({ t0: now - 7200 }),
    };
    for (const [name, trace] of Object.entries(traces)) {
      addAll(viewer.store, trace.docs);
      ids[name] = trace.traceId;
    }
    viewer.store.sweep(Date.now() + 10_000);
  });

  after(async () => {
    client.destroy();
    await viewer.close();
  });

  void it('GetTraceSummaries filters, pages with NextToken and fills the summary', async () => {
    const pages = [];
    for await (const page of paginateGetTraceSummaries({ client }, { StartTime: new Date((now - 600) * 1000), EndTime: new Date(now * 1000), FilterExpression: 'service("cruddur-backend")' })) {
      pages.push(page);
    }
    assert.equal(pages.length, 2, 'three matching traces at two per page');
    const summaries = pages.flatMap((page) => page.TraceSummaries ?? []);
    assert.deepEqual(summaries.map((s) => s.Id).sort(), [ids['ok'], ids['fault'], ids['slow']].sort());
    assert.equal(pages[0]!.TracesProcessedCount, 4, 'the trace outside the window is not scanned');
    const fault = summaries.find((s) => s.Id === ids['fault'])!;
    assert.equal(fault.HasFault, true);
    assert.equal(fault.Http?.HttpStatus, 500);
    assert.equal(fault.Http?.HttpMethod, 'POST');
    assert.equal(fault.Http?.UserAgent, 'curl/8.0');
    assert.ok(fault.StartTime instanceof Date);
    assert.ok(Math.abs(fault.ResponseTime! - 0.2) < 1e-6);
    assert.equal(fault.EntryPoint?.Name, 'cruddur-backend');
    assert.deepEqual(fault.Users?.map((u) => u.UserName), ['andrewbrown']);
    assert.deepEqual(fault.Annotations?.['feed']?.map((v) => v.AnnotationValue), [{ StringValue: 'home' }]);
    assert.deepEqual(fault.Annotations?.['page']?.map((v) => v.AnnotationValue), [{ NumberValue: 2 }]);
    assert.equal(fault.FaultRootCauses?.[0]?.Services?.[0]?.Name, 'cruddur-worker');
    assert.equal(fault.FaultRootCauses?.[0]?.Services?.[0]?.EntityPath?.at(-1)?.Exceptions?.[0]?.Name, 'QueueFullError');
    assert.deepEqual(fault.ServiceIds?.map((s) => s.Name).sort(), ['DynamoDB', 'cruddur-backend', 'cruddur-worker']);
  });

  void it('GetTraceSummaries answers a bad expression with InvalidRequestException naming the column', async () => {
    await assert.rejects(
      client.send(new GetTraceSummariesCommand({ StartTime: new Date((now - 600) * 1000), EndTime: new Date(now * 1000), FilterExpression: 'responsetime > "slow"' })),
      (error: unknown) => {
        assert.ok(error instanceof InvalidRequestException, String(error));
        assert.match(error.message, /column 16/);
        assert.equal(error.$metadata.httpStatusCode, 400);
        return true;
      },
    );
  });

  void it('BatchGetTraces returns the documents and lists unknown ids', async () => {
    const unknown = '1-00000000-000000000000000000000000';
    const result = await client.send(new BatchGetTracesCommand({ TraceIds: [ids['fault']!, unknown] }));
    assert.deepEqual(result.UnprocessedTraceIds, [unknown]);
    const trace = result.Traces![0]!;
    assert.equal(trace.Id, ids['fault']);
    assert.equal(trace.Segments?.length, 3);
    const names = trace.Segments!.map((segment) => (JSON.parse(segment.Document!) as { name: string }).name).sort();
    assert.deepEqual(names, ['cruddur-backend', 'cruddur-backend', 'cruddur-worker']);
    assert.ok(Math.abs(trace.Duration! - 0.2) < 1e-6);
  });

  void it('GetServiceGraph draws the round trip and the group narrows it', async () => {
    const all = await client.send(new GetServiceGraphCommand({ StartTime: new Date((now - 600) * 1000), EndTime: new Date(now * 1000) }));
    const services = all.Services!;
    const byName = new Map(services.map((s) => [s.Name ?? `(${s.Type})`, s]));
    assert.deepEqual([...byName.keys()].sort(), ['(client)', 'DynamoDB', 'api.example.com', 'cruddur-backend', 'cruddur-worker']);
    const backend = byName.get('cruddur-backend')!;
    const worker = byName.get('cruddur-worker')!;
    assert.equal(backend.Root, true);
    // Three entry requests plus three calls back from the worker.
    assert.equal(backend.SummaryStatistics?.TotalCount, 6);
    assert.equal(backend.SummaryStatistics?.FaultStatistics?.TotalCount, 1);
    assert.equal(byName.get('DynamoDB')!.Type, 'AWS::DynamoDB::Table');
    const toWorker = backend.Edges!.find((e) => e.ReferenceId === worker.ReferenceId)!;
    assert.equal(toWorker.SummaryStatistics?.TotalCount, 3);
    assert.equal(toWorker.SummaryStatistics?.FaultStatistics?.TotalCount, 1);
    assert.equal(toWorker.ResponseTimeHistogram?.reduce((sum, h) => sum + (h.Count ?? 0), 0), 3);
    const back = worker.Edges!.find((e) => e.ReferenceId === backend.ReferenceId)!;
    assert.equal(back.SummaryStatistics?.TotalCount, 3);
    assert.equal(back.SummaryStatistics?.OkCount, 3);

    const group = await client.send(new GetServiceGraphCommand({ StartTime: new Date((now - 600) * 1000), EndTime: new Date(now * 1000), GroupName: 'Cruddur' }));
    assert.ok(!group.Services!.some((s) => s.Name === 'api.example.com'), 'the Cruddur group holds only the backend traces');
  });

  void it('GetTraceGraph draws the given traces only', async () => {
    const result = await client.send(new GetTraceGraphCommand({ TraceIds: [ids['game']!] }));
    assert.deepEqual(result.Services!.map((s) => s.Name ?? s.Type).sort(), ['api.example.com', 'client']);
  });

  void it('groups: loaded from aws/json/xray-group.json, created, read, refused when invalid, deleted', async () => {
    const listed = await client.send(new GetGroupsCommand({}));
    assert.deepEqual(listed.Groups?.map((g) => [g.GroupName, g.FilterExpression]), [
      ['Default', undefined],
      ['Cruddur', 'service("cruddur-backend")'],
    ]);
    const created = await client.send(new CreateGroupCommand({ GroupName: 'CruddurErrors', FilterExpression: 'service("cruddur-backend") { fault OR error }' }));
    assert.match(created.Group!.GroupARN!, /^arn:aws:xray:us-east-1:\d{12}:group\/CruddurErrors\//);
    const got = await client.send(new GetGroupCommand({ GroupARN: created.Group!.GroupARN! }));
    assert.equal(got.Group?.GroupName, 'CruddurErrors');
    const summaries = await client.send(
      new GetTraceSummariesCommand({ StartTime: new Date((now - 600) * 1000), EndTime: new Date(now * 1000), FilterExpression: 'group.name = "CruddurErrors"' }),
    );
    assert.deepEqual(summaries.TraceSummaries?.map((s) => s.Id), [ids['fault']]);
    await assert.rejects(client.send(new CreateGroupCommand({ GroupName: 'CruddurErrors', FilterExpression: 'fault' })), InvalidRequestException);
    await assert.rejects(client.send(new CreateGroupCommand({ GroupName: 'Bad', FilterExpression: 'service("x" {' })), (error: unknown) => {
      assert.ok(error instanceof InvalidRequestException);
      assert.match(error.message, /column 13/);
      return true;
    });
    await client.send(new DeleteGroupCommand({ GroupName: 'CruddurErrors' }));
    await assert.rejects(client.send(new GetGroupCommand({ GroupName: 'CruddurErrors' })), InvalidRequestException);
  });

  void it('refuses a body that is not JSON, so other web pages cannot post', async () => {
    const res = await fetch(`${viewer.url!}Groups`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' });
    assert.equal(res.status, 415);
  });
});
