// The X-Ray API on the viewer's web port, driven by the real AWS CLI (version 2, Debian's awscli;
// scripts/ensure-test-tools.mjs installs it) with --endpoint-url: the commands of
// docs/workshop/05-sampling.md, run as the page shows them, and the other read and group commands.
// The CLI is stricter than @aws-sdk/client-xray about some shapes, so this checks what it parses.
// Skipped when no AWS CLI version 2 is on PATH.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { startTraceViewer, type TraceViewer } from '../src/index.js';
import { Sender } from './fixtures.js';
import { roundTrip, single } from './graph-fixtures.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const GROUP_FILE = join(REPO, 'aws/json/xray-group.json');
const WORKSHOP_PAGE = join(REPO, 'docs/workshop/05-sampling.md');
/** The port the workshop page's commands name; replaced by the viewer's ephemeral one. */
const PAGE_URL = 'http://127.0.0.1:2001';

/** The first `aws` on PATH that is version 2 (version 1 has no --no-cli-pager), or undefined. */
function findAwsCliV2(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const aws = join(dir, 'aws');
    try {
      accessSync(aws, constants.X_OK);
      const version = execFileSync(aws, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 60_000 });
      if (/^aws-cli\/2\./.test(version)) return aws;
    } catch {
      // Not there, or not a working CLI: try the next directory.
    }
  }
  return undefined;
}

const AWS = findAwsCliV2();
const skip = AWS ? false : 'no AWS CLI version 2 on PATH (apt-get install awscli; npm test installs it when root on Debian)';

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The `aws xray …` commands in the page's "Practise … locally first" block. */
function pageCommands(): string[] {
  const page = readFileSync(WORKSHOP_PAGE, 'utf8');
  const section = page.slice(page.indexOf('### Practise groups and filter expressions locally first'));
  const block = /```sh\n(export AWS_ACCESS_KEY_ID[^\n]*\n)([\s\S]*?)```/.exec(section);
  assert.ok(block, 'the page has the block of aws commands against the viewer');
  return block[2]!.split('\n').filter((line) => line.startsWith('aws xray '));
}

void describe('X-Ray API with the AWS CLI', { skip }, () => {
  let viewer: TraceViewer;
  let home: string;
  let endpoint: string;
  const ids: Record<string, string> = {};
  const now = Math.floor(Date.now() / 1000);
  const env = (): NodeJS.ProcessEnv => {
    // Only PATH from this environment: no AWS_PROFILE, AWS_REGION or user config may leak in.
    return {
      PATH: process.env.PATH,
      HOME: home,
      LANG: 'C.UTF-8',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: join(home, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
    };
  };
  const settle = (resolve: (result: CliResult) => void) => (error: (Error & { code?: unknown }) | null, stdout: string, stderr: string) =>
    resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });

  /** Runs `aws xray <args>` against the viewer (asynchronously: the viewer answers in this process). */
  function xray(...args: string[]): Promise<CliResult> {
    const all = ['xray', ...args, '--endpoint-url', endpoint, '--region', 'us-east-1', '--no-cli-pager', '--output', 'json'];
    return new Promise((resolve) => execFile(AWS!, all, { env: env(), cwd: REPO, timeout: 120_000 }, settle(resolve)));
  }

  /** Runs one line of the workshop page through bash (so `$(date +%s)` works), on the viewer's port. */
  function pageLine(line: string): Promise<CliResult> {
    const script = `${line.replaceAll(PAGE_URL, endpoint)} --no-cli-pager --output json`;
    const lineEnv = { ...env(), AWS_REGION: 'us-east-1', PATH: `${join(AWS!, '..')}${delimiter}${process.env.PATH ?? ''}` };
    return new Promise((resolve) => execFile('bash', ['-c', script], { env: lineEnv, cwd: REPO, timeout: 120_000 }, settle(resolve)));
  }

  function json<T>(result: CliResult): T {
    assert.equal(result.code, 0, `aws failed (${result.code}): ${result.stderr}`);
    assert.notEqual(result.stdout.trim(), '', `aws printed nothing${result.stderr ? `; stderr: ${result.stderr}` : ''}`);
    return JSON.parse(result.stdout) as T;
  }

  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'trace-viewer-awscli-'));
    viewer = await startTraceViewer({ udpPort: 0, httpPort: 0, finishAfterMs: 0, groupFiles: [GROUP_FILE], xrayPageSize: 2 });
    endpoint = viewer.url!.slice(0, -1);
    const traces = {
      ok: roundTrip({ t0: now - 50 }),
      fault: roundTrip({ t0: now - 40, status: 500, workerStatus: 500 }),
      slow: roundTrip({ t0: now - 30, slow: true, feed: 'notifications' }),
      game: single({ t0: now - 20, status: 404, annotations: { gameid: '817DL6VO' } }),
    };
    const sender = new Sender(viewer.udpPort);
    try {
      for (const [name, trace] of Object.entries(traces)) {
        await sender.sendAll(trace.docs);
        ids[name] = trace.traceId;
      }
    } finally {
      await sender.close();
    }
    const expected = Object.values(traces);
    const deadline = Date.now() + 5000;
    while (!expected.every((t) => viewer.store.getTrace(t.traceId)?.documentCount === t.docs.length)) {
      if (Date.now() > deadline) assert.fail('the datagrams did not all arrive');
      await delay(5);
    }
    viewer.store.sweep(Date.now() + 10_000);
  });

  after(async () => {
    await viewer?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  void it("runs the workshop page's commands against the viewer as written", async () => {
    const lines = pageCommands();
    assert.deepEqual(
      lines.map((line) => line.split(' ').slice(0, 3).join(' ')),
      ['aws xray get-groups', 'aws xray create-group', 'aws xray get-trace-summaries', 'aws xray get-service-graph'],
      'the test knows what each command of the page answers',
    );
    const [getGroups, createGroup, summaries, serviceGraph] = lines as [string, string, string, string];

    const groups = json<{ Groups: Array<{ GroupName: string; GroupARN: string; FilterExpression?: string }> }>(await pageLine(getGroups));
    assert.deepEqual(groups.Groups.map((g) => [g.GroupName, g.FilterExpression]), [
      ['Default', undefined],
      ['Cruddur', 'service("cruddur-backend")'],
    ]);

    const created = json<{ Group: { GroupName: string; GroupARN: string; FilterExpression: string } }>(await pageLine(createGroup));
    assert.equal(created.Group.GroupName, 'CruddurErrors');
    assert.equal(created.Group.FilterExpression, 'service("cruddur-backend") { fault OR error }');
    assert.match(created.Group.GroupARN, /^arn:aws:xray:us-east-1:\d{12}:group\/CruddurErrors\//);

    const errors = json<{ TraceSummaries: Array<{ Id: string; HasFault: boolean }> }>(await pageLine(summaries));
    assert.deepEqual(errors.TraceSummaries.map((s) => [s.Id, s.HasFault]), [[ids['fault'], true]]);

    const names = json<string[]>(await pageLine(serviceGraph));
    assert.deepEqual([...names].sort(), ['DynamoDB', 'cruddur-backend', 'cruddur-worker'], 'the Cruddur group holds only the backend traces');

    const deleted = await xray('delete-group', '--group-name', 'CruddurErrors');
    assert.equal(deleted.code, 0, deleted.stderr);
  });

  void it('get-trace-summaries: annotation filter, every page followed, timestamps and annotations parsed', async () => {
    const result = json<{ TraceSummaries: Array<Record<string, unknown>>; TracesProcessedCount: number; NextToken?: string }>(
      await xray('get-trace-summaries', '--start-time', String(now - 600), '--end-time', String(now), '--filter-expression', 'annotation.feed = "home"'),
    );
    assert.deepEqual(result.TraceSummaries.map((s) => s.Id).sort(), [ids['ok'], ids['fault']].sort());
    assert.equal(result.NextToken, undefined);
    const fault = result.TraceSummaries.find((s) => s.Id === ids['fault'])!;
    // Debian's CLI (2.9) predates TraceSummary.StartTime in its model, so it drops that field.
    assert.ok(Math.abs((fault['Duration'] as number) - 0.2) < 1e-6);
    assert.equal(fault['HasFault'], true);
    assert.deepEqual(fault['Annotations'], {
      feed: [{ AnnotationValue: { StringValue: 'home' } }],
      page: [{ AnnotationValue: { NumberValue: 2 } }],
      cached: [{ AnnotationValue: { BooleanValue: false } }],
    });
    assert.deepEqual((fault['Http'] as Record<string, unknown>)['HttpStatus'], 500);

    // Three traces at two per page: the CLI follows NextToken and merges the pages.
    const backend = json<{ TraceSummaries: Array<{ Id: string }> }>(
      await xray('get-trace-summaries', '--start-time', String(now - 600), '--end-time', String(now), '--filter-expression', 'service("cruddur-backend")'),
    );
    assert.deepEqual(backend.TraceSummaries.map((s) => s.Id).sort(), [ids['ok'], ids['fault'], ids['slow']].sort());

    // --max-items cuts inside a page: the CLI's own token wraps the viewer's, and
    // --starting-token resumes where it left off.
    const window = ['--start-time', String(now - 600), '--end-time', String(now), '--filter-expression', 'service("cruddur-backend")'];
    const first = json<{ TraceSummaries: Array<{ Id: string }>; NextToken?: string }>(await xray('get-trace-summaries', ...window, '--max-items', '1'));
    assert.equal(first.TraceSummaries.length, 1);
    assert.ok(first.NextToken, 'a token for the rest');
    const rest = json<{ TraceSummaries: Array<{ Id: string }>; NextToken?: string }>(await xray('get-trace-summaries', ...window, '--starting-token', first.NextToken));
    assert.equal(rest.NextToken, undefined);
    assert.deepEqual([...first.TraceSummaries, ...rest.TraceSummaries].map((s) => s.Id).sort(), [ids['ok'], ids['fault'], ids['slow']].sort());

    // ISO 8601 times, as the CLI also accepts them.
    const iso = (seconds: number): string => new Date(seconds * 1000).toISOString();
    const game = json<{ TraceSummaries: Array<{ Id: string }> }>(
      await xray('get-trace-summaries', '--start-time', iso(now - 600), '--end-time', iso(now), '--filter-expression', 'annotation.gameid = "817DL6VO"'),
    );
    assert.deepEqual(game.TraceSummaries.map((s) => s.Id), [ids['game']]);
  });

  void it('get-trace-summaries: a bad expression is InvalidRequestException naming the column', async () => {
    const result = await xray('get-trace-summaries', '--start-time', String(now - 600), '--end-time', String(now), '--filter-expression', 'responsetime > "slow"');
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /\(InvalidRequestException\)/);
    assert.match(result.stderr, /column 16/);
  });

  void it('batch-get-traces returns the documents and lists unknown ids', async () => {
    const unknown = '1-00000000-000000000000000000000000';
    const result = json<{ Traces: Array<{ Id: string; Duration: number; Segments: Array<{ Id: string; Document: string }> }>; UnprocessedTraceIds: string[] }>(
      await xray('batch-get-traces', '--trace-ids', ids['fault']!, unknown),
    );
    assert.deepEqual(result.UnprocessedTraceIds, [unknown]);
    assert.equal(result.Traces.length, 1);
    const trace = result.Traces[0]!;
    assert.equal(trace.Id, ids['fault']);
    assert.ok(Math.abs(trace.Duration - 0.2) < 1e-6);
    const names = trace.Segments.map((s) => (JSON.parse(s.Document) as { name: string }).name).sort();
    assert.deepEqual(names, ['cruddur-backend', 'cruddur-backend', 'cruddur-worker']);
  });

  void it('get-service-graph and get-trace-graph', async () => {
    const graph = json<{ StartTime: string; EndTime: string; Services: Array<{ Name?: string; Type?: string; Edges: unknown[]; SummaryStatistics?: { TotalCount: number } }> }>(
      await xray('get-service-graph', '--start-time', String(now - 600), '--end-time', String(now)),
    );
    // The CLI prints timestamps in ISO 8601, so it parsed the epoch seconds it was sent.
    assert.equal(Date.parse(graph.StartTime) / 1000, now - 600);
    assert.equal(Date.parse(graph.EndTime) / 1000, now);
    assert.deepEqual(graph.Services.map((s) => s.Name ?? `(${s.Type})`).sort(), ['(client)', 'DynamoDB', 'api.example.com', 'cruddur-backend', 'cruddur-worker']);
    assert.equal(graph.Services.find((s) => s.Name === 'cruddur-backend')!.SummaryStatistics?.TotalCount, 6);

    const traceGraph = json<{ Services: Array<{ Name?: string; Type?: string }> }>(await xray('get-trace-graph', '--trace-ids', ids['game']!));
    assert.deepEqual(traceGraph.Services.map((s) => s.Name ?? s.Type).sort(), ['api.example.com', 'client']);
  });

  void it('groups: get-group, update-group, delete-group, and create-group --cli-input-json with the aws/json file', async () => {
    const got = json<{ Group: { GroupName: string; GroupARN: string } }>(await xray('get-group', '--group-name', 'Cruddur'));
    const byArn = json<{ Group: { GroupName: string } }>(await xray('get-group', '--group-arn', got.Group.GroupARN));
    assert.equal(byArn.Group.GroupName, 'Cruddur');

    // The page's command against AWS: here the group exists already (loaded with --groups).
    const duplicate = await xray('create-group', '--cli-input-json', 'file://aws/json/xray-group.json');
    assert.notEqual(duplicate.code, 0);
    assert.match(duplicate.stderr, /\(InvalidRequestException\)/);

    const updated = json<{ Group: { FilterExpression: string } }>(await xray('update-group', '--group-name', 'Cruddur', '--filter-expression', 'service("cruddur-worker")'));
    assert.equal(updated.Group.FilterExpression, 'service("cruddur-worker")');
    const deleted = await xray('delete-group', '--group-name', 'Cruddur');
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.equal(deleted.stdout.trim(), '');

    const created = json<{ Group: { GroupName: string; FilterExpression: string } }>(await xray('create-group', '--cli-input-json', 'file://aws/json/xray-group.json'));
    assert.deepEqual([created.Group.GroupName, created.Group.FilterExpression], ['Cruddur', 'service("cruddur-backend")']);

    const missing = await xray('get-group', '--group-name', 'Nope');
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /\(InvalidRequestException\)/);
  });
});
