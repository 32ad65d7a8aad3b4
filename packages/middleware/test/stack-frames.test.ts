// Stack frames as X-Ray records them, from stacks that real code paths produce (async chains,
// Promise.all, constructors, eval, built-ins, ES modules, an Express 5 async handler, an AWS SDK v3
// error) and from hand-written lines for what this machine cannot produce (Windows paths).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import express from 'express';
import { instrument } from '../src/aws/index.js';
import type { ExceptionDocument, SegmentDocument, StackFrameDocument } from '../src/index.js';
import { parseFrame, parseStack } from '../src/core/stack-frames.js';
import { xray, xrayErrorHandler } from '../src/express/index.js';
import { createTestTracer, flattenSubsegments } from '../src/testing/index.js';
import { send } from './support/http-client.js';

const THIS_FILE = 'test/stack-frames.test.ts';

function stackOf(thrown: unknown): StackFrameDocument[] {
  assert.ok(thrown instanceof Error, 'an Error was thrown');
  return parseStack(String(thrown.stack));
}

async function rejection(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  assert.fail('expected a rejection');
}

/** What every parsed frame must satisfy, whatever produced it. */
function assertWellFormed(frames: readonly StackFrameDocument[]): void {
  assert.ok(frames.length > 0, 'frames were parsed');
  for (const frame of frames) {
    assert.ok(frame.label.length > 0, `a label: ${JSON.stringify(frame)}`);
    assert.doesNotMatch(frame.path, /^(async|new) |^index \d+$|^file:|\(|\)$/, `a path, not a fragment of the line: ${JSON.stringify(frame)}`);
    assert.doesNotMatch(frame.label, /^async /, `no async marker in the label: ${JSON.stringify(frame)}`);
    if (frame.line !== null) {
      assert.ok(Number.isInteger(frame.line) && frame.line > 0, `a line number: ${JSON.stringify(frame)}`);
      // A frame with a line is a real file (relative to the cwd or absolute) or a Node.js internal module.
      assert.ok(frame.path.startsWith('node:') || existsSync(resolve(frame.path)), `the path exists: ${JSON.stringify(frame)}`);
    } else {
      assert.equal(frame.path, '<anonymous>', `a frame without a line runs no file: ${JSON.stringify(frame)}`);
    }
  }
}

async function fetchProfile(): Promise<never> {
  await delay(1);
  throw new Error('profile unavailable');
}

async function loadPage(): Promise<void> {
  await fetchProfile();
}

class Connection {
  constructor() {
    throw new Error('cannot connect');
  }
}

function connect(): Connection {
  return new Connection();
}

test('an async chain: the awaiting functions keep their names, paths are relative', async () => {
  const frames = stackOf(await rejection(loadPage));
  assertWellFormed(frames);
  assert.deepEqual(
    frames.slice(0, 2).map((f) => [f.path, f.label]),
    [
      [THIS_FILE, 'fetchProfile'],
      [THIS_FILE, 'loadPage'],
    ],
  );
});

test('Promise.all: the combinator frame names the element, not a path', async () => {
  const frames = stackOf(await rejection(() => Promise.all([loadPage()])));
  assertWellFormed(frames);
  const combinator = frames.find((f) => f.label.startsWith('Promise.all'));
  assert.deepEqual(combinator, { path: '<anonymous>', line: null, label: 'Promise.all (index 0)' });
});

test('a constructor that throws: the frame is labelled `new Connection`', () => {
  const frames = stackOf(rejectionSync(connect));
  assertWellFormed(frames);
  assert.deepEqual(frames.slice(0, 2).map((f) => [f.path, f.label]), [
    [THIS_FILE, 'new Connection'],
    [THIS_FILE, 'connect'],
  ]);
});

test('eval and new Function: located where the code was evaluated', () => {
  const evaluated = stackOf(rejectionSync(() => eval('(function inner() { throw new Error("evaluated"); })()')));
  assertWellFormed(evaluated);
  assert.equal(evaluated[0]!.path, THIS_FILE);
  assert.equal(evaluated[0]!.label, 'inner');
  const constructed = stackOf(rejectionSync(() => (new Function('throw new Error("constructed")') as () => void)()));
  assertWellFormed(constructed);
  assert.equal(constructed[0]!.path, THIS_FILE);
});

test('built-ins: JSON.parse and an Array.map callback', () => {
  const parse = stackOf(rejectionSync(() => JSON.parse('{')));
  assertWellFormed(parse);
  assert.deepEqual(parse[0], { path: '<anonymous>', line: null, label: 'JSON.parse' });
  assert.equal(parse[1]!.path, THIS_FILE);

  const map = stackOf(
    rejectionSync(() =>
      [1].map(() => {
        throw new Error('in a callback');
      }),
    ),
  );
  assertWellFormed(map);
  assert.equal(map[0]!.path, THIS_FILE);
  assert.equal(map[0]!.label, 'anonymous');
  assert.deepEqual(map[1], { path: '<anonymous>', line: null, label: 'Array.map' });
});

test('an ES module: file:// URLs become paths relative to the cwd', async () => {
  const fixture = new URL('./fixtures/stack-esm.mjs', import.meta.url).href;
  const esm = (await import(fixture)) as { readRecord(): Promise<never> };
  const frames = stackOf(await rejection(() => esm.readRecord()));
  assertWellFormed(frames);
  assert.deepEqual(frames.slice(0, 2), [
    { path: 'test/fixtures/stack-esm.mjs', line: 4, label: 'loadRecord' },
    // V8 names the receiver of a call through the module namespace object.
    { path: 'test/fixtures/stack-esm.mjs', line: 8, label: 'Module.readRecord' },
  ]);
});

test('an Express 5 async handler: the recorded cause names the handler', async (t) => {
  const { tracer, emitter } = createTestTracer();
  const app = express();
  app.use(xray({ tracer, name: 'api' }));
  app.get('/profile', async function profileHandler() {
    await loadPage();
  });
  app.use(xrayErrorHandler());
  app.use((_err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => void res.status(500).end());
  const server = app.listen(0, '127.0.0.1');
  await new Promise((done) => server.once('listening', done));
  t.after(() => server.close());

  const reply = await send((server.address() as AddressInfo).port, '/profile');
  assert.equal(reply.status, 500);
  await tracer.flush();
  const doc = emitter.documents[0]!.document as SegmentDocument;
  const cause = doc.cause as { exceptions: ExceptionDocument[] };
  const frames = cause.exceptions[0]!.stack!;
  assertWellFormed(frames);
  assert.deepEqual(
    frames.filter((f) => f.path === THIS_FILE).map((f) => f.label),
    ['fetchProfile', 'loadPage', 'profileHandler'],
  );
});

test('an AWS SDK v3 error: every frame of the SDK stack is a file, a built-in or Promise.all', async (t) => {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'REQ-missing' });
      res.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException', message: 'Requested resource not found' }));
    });
  });
  server.listen(0, '127.0.0.1');
  await new Promise((done) => server.once('listening', done));
  t.after(() => server.close());
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret' },
    maxAttempts: 1,
  });
  t.after(() => client.destroy());
  const { tracer, emitter } = createTestTracer();
  instrument(client, { tracer });

  const segment = tracer.beginSegment({ name: 'api' });
  const thrown = await rejection(() => tracer.run(segment, () => client.send(new GetItemCommand({ TableName: 'missing', Key: { pk: { S: 'x' } } }))));
  segment.close();
  await tracer.flush();
  assert.equal((thrown as Error).name, 'ResourceNotFoundException');

  const doc = emitter.documents[0]!.document as SegmentDocument;
  const [dynamo] = flattenSubsegments(doc);
  const exception = (dynamo!.cause as { exceptions: ExceptionDocument[] }).exceptions[0]!;
  assert.equal(exception.remote, true);
  const frames = exception.stack!;
  assertWellFormed(frames);
  assert.ok(
    frames.some((f) => f.path.includes(`node_modules${'/'}@smithy/`) && f.line !== null),
    'the SDK frames point into node_modules',
  );
  const raw = String((thrown as Error).stack);
  assert.equal(frames.length, raw.split('\n').filter((l) => l.trimStart().startsWith('at ')).length, 'every frame line is parsed');
});

test('hand-written frames: Windows paths, file URLs with escapes, nested eval, parentheses in paths', () => {
  const win = 'C:\\srv\\app';
  assert.deepEqual(parseFrame('    at handler (C:\\srv\\app\\src\\routes.js:12:5)', win), { path: 'src\\routes.js', line: 12, label: 'handler' });
  assert.deepEqual(parseFrame('    at async c:\\SRV\\app\\src\\db.js:40:11', win), { path: 'src\\db.js', line: 40, label: 'anonymous' });
  assert.deepEqual(parseFrame('    at load (file:///C:/srv/app/lib/my%20module.mjs:3:9)', win), { path: 'lib\\my module.mjs', line: 3, label: 'load' });
  assert.deepEqual(parseFrame('    at D:\\other\\x.js:1:1', win), { path: 'D:\\other\\x.js', line: 1, label: 'anonymous' });
  assert.deepEqual(parseFrame('    at \\\\server\\share\\x.js:7:1', win), { path: '\\\\server\\share\\x.js', line: 7, label: 'anonymous' });

  const cwd = '/app';
  assert.deepEqual(parseFrame('    at async /app/x.js:23:20', cwd), { path: 'x.js', line: 23, label: 'anonymous' });
  assert.deepEqual(parseFrame('    at async Promise.all (index 0)', cwd), { path: '<anonymous>', line: null, label: 'Promise.all (index 0)' });
  assert.deepEqual(parseFrame('    at async Promise.allSettled (index 12)', cwd), { path: '<anonymous>', line: null, label: 'Promise.allSettled (index 12)' });
  assert.deepEqual(parseFrame('    at Foo.bar [as baz] (/app/a (copy)/x.js:1:2)', cwd), { path: 'a (copy)/x.js', line: 1, label: 'Foo.bar [as baz]' });
  assert.deepEqual(parseFrame('    at Object.<anonymous> (/app/a(b/x.js:1:2)', cwd), { path: 'a(b/x.js', line: 1, label: 'Object.<anonymous>' });
  assert.deepEqual(parseFrame('    at eval (eval at <anonymous> (eval at run (/app/x.js:9:3), <anonymous>:1:1), <anonymous>:2:7)', cwd), {
    path: 'x.js',
    line: 9,
    label: 'eval',
  });
  assert.deepEqual(parseFrame('    at run (file:///app/lib/a%2Fb.mjs:4:2)', cwd), { path: 'lib/a/b.mjs', line: 4, label: 'run' });
  assert.deepEqual(parseFrame('    at run (file:///app/lib/100%.mjs:4:2)', cwd), { path: 'lib/100%.mjs', line: 4, label: 'run' }, 'a malformed escape is kept');
  assert.deepEqual(parseFrame('    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)', cwd), {
    path: 'node:internal/process/task_queues',
    line: 95,
    label: 'process.processTicksAndRejections',
  });
  assert.deepEqual(parseFrame('    at <anonymous> (/app/x.js:5:1)', cwd), { path: 'x.js', line: 5, label: 'anonymous' });
  assert.deepEqual(parseFrame('    at fn (native)', cwd), { path: '<anonymous>', line: null, label: 'fn' });
  assert.deepEqual(parseFrame('    at /application/x.js:1:1', cwd), { path: '/application/x.js', line: 1, label: 'anonymous' }, 'a sibling directory is not below the cwd');
  assert.deepEqual(parseFrame('    at x (/app/x.js)', cwd), { path: 'x.js', line: null, label: 'x' });
  assert.equal(parseFrame('Error: at the start', cwd), undefined);
  assert.equal(parseFrame('    ... 3 lines matching cause stack trace ...', cwd), undefined);
  assert.deepEqual(parseStack('Error: two\n    at a (/app/a.js:1:1)\n\n    at b (/app/b.js:2:2)', cwd).map((f) => f.label), ['a', 'b']);
});

function rejectionSync(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  assert.fail('expected a throw');
}
