// Bad input through real Express and Fastify apps, sent as raw bytes so nothing is cleaned up by
// an HTTP client on the way: adversarial X-Amzn-Trace-Id headers (handcrafted and fuzzed), abuse
// of the annotation and metadata API, hostile paths and Host headers. Each time: the app answers
// as it would anyway, the response header and the header sent downstream have their strict form,
// log lines stay single well-formed JSON lines, every document is acceptable, and the
// diagnostics are bounded and say what was refused.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import express from 'express';
import fastify, { type FastifyInstance } from 'fastify';
import { wildcardMatch, type SegmentDocument, type Tracer } from '../src/internal.js';
import { xray as expressXray } from '../src/express/index.js';
import { xray as fastifyXray } from '../src/fastify/index.js';
import { instrumentHttp } from '../src/http/index.js';
import { createLogger, type Logger } from '../src/logger/index.js';
import { createTestTracer, type InMemoryEmitter } from '../src/testing/index.js';
import { CaptureTransport } from './support/logger-capture.js';
import { startRecordingServer, type RecordingServer } from './support/recording-server.js';
import { assertAcceptable, listen, rawExchange, RESPONSE_TRACE_HEADER, watchDiagnostics, type Listening, type RawAnswer } from './support/reliability-kit.js';
import { NAME } from './support/segment-checks.js';

const ROOT = '1-5759e988-bd862e3fe1be46a994272793';
const PATTERN = '*.cruddur.example';
const TOKEN = '[\\x21-\\x3a\\x3c\\x3e-\\x7e]+';
// What goes downstream: our own ids, then at most 256 characters of forwarded pairs of safe tokens.
const OUTGOING = new RegExp(`^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=[01](;Lineage=[0-9a-z:|]+)?(;${TOKEN}=${TOKEN})*$`);
const TRACE_ID = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;
// Header names either app answers with; anything else would be an injected header.
const ANSWER_HEADERS = new Set(['x-amzn-trace-id', 'content-type', 'content-length', 'etag', 'date', 'connection', 'keep-alive', 'x-powered-by']);

/** UTF-8 bytes as the latin1 string that `rawExchange` writes byte for byte. */
const utf8 = (text: string): string => Buffer.from(text, 'utf8').toString('latin1');

interface App {
  name: string;
  tracer: Tracer;
  emitter: InMemoryEmitter;
  server: Listening;
}

let downstream: RecordingServer;
let logger: Logger;
let captured: CaptureTransport;
const diagnostics = watchDiagnostics();
const apps: App[] = [];

function abuse(tracer: Tracer): void {
  for (let i = 0; i < 10_000; i++) tracer.addAnnotation(`k${i}`, i);
  tracer.addAnnotation('bad key\nforged: log line', 1);
  tracer.addAnnotation('x'.repeat(1_000_000), 1);
  tracer.addAnnotation('object', {} as unknown as string);
  tracer.addAnnotation('bigint', 10n as unknown as number);
  let deep: Record<string, unknown> = {};
  const root = deep;
  for (let i = 0; i < 20_000; i++) deep = (deep.next = {}) as Record<string, unknown>;
  const circular: Record<string, unknown> = { name: 'loop' };
  circular.self = circular;
  tracer.addMetadata('deep', root);
  tracer.addMetadata('circular', circular);
  tracer.addMetadata('bigint', { n: 10n });
  tracer.addMetadata('huge', 'h'.repeat(5_000_000));
  tracer.addMetadata('function', () => 1);
  tracer.addMetadata('odd fields', { f: () => 1, s: Symbol('s'), u: undefined, ok: 1 });
  tracer.addMetadata('getter', { get boom(): never { throw new Error('getter threw'); } });
  tracer.addMetadata('toJSON', { toJSON(): never { throw new Error('toJSON threw'); } });
  tracer.addMetadata('proxy', new Proxy({}, { ownKeys(): never { throw new Error('proxy threw'); } }));
  tracer.addMetadata('key\nforged: log line', 10n);
  tracer.addMetadata('k', 1, 'AWS.reserved');
  tracer.setUser('u'.repeat(100_000));
  tracer.capture(`${'c'.repeat(100_000)}\n<script>`, () => undefined);
  const hostile = Object.create(Error.prototype, { message: { get: (): never => { throw new Error('message getter'); } }, stack: { value: 42 }, name: { value: 'n'.repeat(100_000) } }) as Error;
  tracer.getCurrentSegment()?.addError(hostile);
  logger.info('abuse', { big: 10n, circular, deep: root, fn: () => 1 });
}

async function handle(tracer: Tracer, path: string, id: string | undefined): Promise<unknown> {
  if (path === '/abuse') {
    abuse(tracer);
    return { abused: true };
  }
  logger.info('handled', { path, id });
  const reply = await fetch(`${downstream.origin}/down`);
  await reply.text();
  return { ok: true };
}

async function startExpress(): Promise<App> {
  const { tracer, emitter } = createTestTracer();
  const app = express();
  app.use(expressXray({ tracer, name: 'express-api', dynamicNaming: PATTERN }));
  app.get(['/echo', '/abuse', '/items/:id'], async (req, res) => void res.json(await handle(tracer, req.path, req.params.id as string | undefined)));
  // Quietly, unlike Express's default handler (it prints the stack): a malformed %-escape is a 400.
  app.use((err: { status?: number }, _req: express.Request, res: express.Response, _next: express.NextFunction) => void res.status(err.status ?? 500).json({ error: 'bad request' }));
  return { name: 'Express', tracer, emitter, server: await listen(app) };
}

async function startFastify(): Promise<App> {
  const { tracer, emitter } = createTestTracer();
  const app: FastifyInstance = fastify();
  await app.register(fastifyXray, { tracer, name: 'fastify-api', dynamicNaming: PATTERN });
  for (const url of ['/echo', '/abuse', '/items/:id']) {
    app.get(url, async (request) => handle(tracer, request.url.split('?')[0] as string, (request.params as { id?: string }).id));
  }
  await app.ready();
  return { name: 'Fastify', tracer, emitter, server: await listen((req, res) => app.routing(req, res)) };
}

const http = instrumentHttp();
before(async () => {
  downstream = await startRecordingServer();
  captured = new CaptureTransport();
  logger = createLogger({ service: 'bad-input', console: 'off', cloudwatch: false }, {});
  logger.add(captured);
  apps.push(await startExpress(), await startFastify());
});
after(async () => {
  http.uninstall();
  for (const app of apps) await app.server.close();
  await downstream.close();
  diagnostics.stop();
});

/** A GET with `headerLines` written verbatim (each one `Name: value`). */
function get(app: App, path: string, headerLines: string[] = [], host = 'api.local'): Promise<RawAnswer> {
  return rawExchange(app.server.port, [`GET ${path} HTTP/1.1`, `Host: ${host}`, ...headerLines].join('\r\n'));
}

function traceIdOf(answer: RawAnswer): string {
  const line = answer.headerLines.find((l) => /^x-amzn-trace-id:/i.test(l));
  const id = /Root=(1-[0-9a-f]{8}-[0-9a-f]{24})/.exec(line ?? '')?.[1];
  assert.ok(id, `a trace id in ${JSON.stringify(answer.headerLines)}`);
  return id;
}

/** The answer's headers are ours only, and its trace header has the strict form. */
function assertCleanAnswer(answer: RawAnswer, what: string): void {
  const names = answer.headerLines.map((line) => line.slice(0, line.indexOf(':')).toLowerCase());
  assert.deepEqual(names.filter((n) => !ANSWER_HEADERS.has(n)), [], `${what}: only the app's own headers`);
  const trace = answer.headerLines.filter((line) => /^x-amzn-trace-id:/i.test(line));
  assert.equal(trace.length, 1, `${what}: one trace header`);
  assert.match(trace[0]!.slice(trace[0]!.indexOf(':') + 1).trim(), RESPONSE_TRACE_HEADER, what);
}

/** Every captured log line is one line of JSON whose trace fields are well-formed. */
function assertCleanLogLines(): void {
  for (const line of captured.lines) {
    assert.doesNotMatch(line, /[\r\n\u2028\u2029]/, 'one entry, one line');
    const entry = JSON.parse(line) as Record<string, unknown>;
    if (entry.trace_id !== undefined) assert.match(String(entry.trace_id), TRACE_ID);
    if (entry.segment_id !== undefined) assert.match(String(entry.segment_id), /^[0-9a-f]{16}$/);
  }
}

/** A deterministic generator, so a failing header can be reproduced from the seed in the message. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
}

const PIECES = ['Root=', 'Parent=', 'Sampled=', 'Self=', 'Lineage=', ';', '=', ' ', '?', '1', '0', ',', ROOT, '53995c3f42cd8ad8', '\t', 'é', '"', '<', '%0d%0a'];

function fuzzedHeader(next: () => number): string {
  let out = '';
  const parts = 1 + Math.floor(next() * 12);
  for (let i = 0; i < parts; i++) {
    const roll = next();
    if (roll < 0.6) out += PIECES[Math.floor(next() * PIECES.length)];
    else if (roll < 0.9) out += String.fromCharCode(0x20 + Math.floor(next() * 0x5f));
    else out += String.fromCharCode(Math.floor(next() * 256));
  }
  return out;
}

describe('adversarial X-Amzn-Trace-Id headers', () => {
  const handcrafted: Array<[string, string[]]> = [
    ['valid', [`X-Amzn-Trace-Id: Root=${ROOT};Parent=53995c3f42cd8ad8;Sampled=1`]],
    ['9 kB', [`X-Amzn-Trace-Id: Root=${ROOT};${'x'.repeat(9_000)}`]],
    ['2,000 keys', [`X-Amzn-Trace-Id: Root=${ROOT};${Array.from({ length: 2_000 }, (_, i) => `k${i}=v${i}`).join(';')}`.slice(0, 8_000)]],
    ['control character', [`X-Amzn-Trace-Id: Root=${ROOT};Foo=a\x01b`]],
    ['DEL', [`X-Amzn-Trace-Id: Root=${ROOT};Foo=a\x7fb`]],
    ['NUL', [`X-Amzn-Trace-Id: Root=${ROOT};Foo=a\x00b`]],
    ['tab', [`X-Amzn-Trace-Id: Root=${ROOT};Foo=a\tb`]],
    ['CRLF', [`X-Amzn-Trace-Id: Root=${ROOT}\r\nX-Injected: crlf`]],
    ['bare LF', [`X-Amzn-Trace-Id: Root=${ROOT};Foo=bar\nX-Injected: lf`]],
    ['bare CR', [`X-Amzn-Trace-Id: Root=${ROOT};Foo=bar\rX-Injected: cr`]],
    ['encoded CRLF', [`X-Amzn-Trace-Id: Root=${ROOT};Foo=%0d%0aX-Injected:%20pct`]],
    ['unicode', [`X-Amzn-Trace-Id: ${utf8(`Root=${ROOT};Füü=bär;Emoji=😀;Name=\u2028x`)}`]],
    ['unicode root', [`X-Amzn-Trace-Id: ${utf8(`Root=1-5759e988-bd862e3fe1be46a99427279é`)}`]],
    ['duplicate keys', [`X-Amzn-Trace-Id: Root=${ROOT};Root=1-00000000-000000000000000000000001;Parent=53995c3f42cd8ad8;Parent=0000000000000001;Sampled=1;Sampled=0`]],
    ['multiple headers', [`X-Amzn-Trace-Id: Root=1-00000000-00000000000000000000000z;Foo=<x>`, `X-Amzn-Trace-Id: Root=${ROOT};Parent=53995c3f42cd8ad8`, `x-amzn-trace-id: Sampled=1`]],
    ['zero random part', ['X-Amzn-Trace-Id: Root=1-5759e988-000000000000000000000000;Parent=53995c3f42cd8ad8']],
    ['orphan parent', ['X-Amzn-Trace-Id: Parent=53995c3f42cd8ad8;Sampled=1']],
    ['separators only', ['X-Amzn-Trace-Id: ;;;;===;;']],
    ['empty', ['X-Amzn-Trace-Id: ']],
    ['long lineage', [`X-Amzn-Trace-Id: Root=${ROOT};Lineage=${'9'.repeat(300)}`]],
    ['markup', [`X-Amzn-Trace-Id: Root=${ROOT};"><script>alert(1)</script>=x;Lineage=<script>`]],
    ['loose spelling', [`X-Amzn-Trace-Id: root = ${ROOT.toUpperCase()} ; parent = 53995C3F42CD8AD8 ; sampled = ?`]],
  ];

  for (const appIndex of [0, 1]) {
    test(`${appIndex === 0 ? 'Express' : 'Fastify'}: handcrafted and 150 fuzzed headers are never reflected, never forwarded unsanitised, never break a log line`, async () => {
      const app = apps[appIndex]!;
      const seed = 0x5eed + appIndex;
      const next = random(seed);
      const cases = [...handcrafted, ...Array.from({ length: 150 }, (_, i): [string, string[]] => [`fuzz #${i} (seed ${seed})`, [`X-Amzn-Trace-Id: ${fuzzedHeader(next)}`]])];
      let answered = 0;
      for (const [what, lines] of cases) {
        const before = downstream.requests.length;
        const answer = await get(app, '/echo', lines);
        // Node refuses some bytes in header values outright (400 before the app runs): that is fine too.
        assert.ok(answer.status === 200 || answer.status === 400, `${what}: status ${answer.status}`);
        for (const line of answer.headerLines) assert.doesNotMatch(line, /injected/i, `${what}: a header was injected`);
        if (answer.status !== 200) continue;
        answered++;
        assertCleanAnswer(answer, what);
        const sent = downstream.requests[before]?.headers['x-amzn-trace-id'];
        assert.equal(typeof sent, 'string', `${what}: one header downstream`);
        assert.match(sent as string, OUTGOING, `${what}: sent downstream as ${JSON.stringify(sent)}`);
        // Our ids, then at most 256 characters of forwarded keys and values, each pair with its ';' and '='.
        assert.ok((sent as string).length <= 80 + 2 * 256, `${what}: ${(sent as string).length} characters downstream`);
      }
      assert.ok(answered >= cases.length - 40, `${answered} of ${cases.length} reached the app`);
      assertCleanLogLines();
      assertAcceptable(app.emitter.documents.map((d) => d.document));
    });
  }
});

describe('annotation and metadata abuse', () => {
  for (const appIndex of [0, 1]) {
    test(`${appIndex === 0 ? 'Express' : 'Fastify'}: 10,000 annotations, deep and circular objects, BigInt, 5 MB strings, functions and throwing getters never throw into the handler`, async () => {
      const app = apps[appIndex]!;
      const from = diagnostics.events.length;
      const answer = await get(app, '/abuse');
      assert.equal(answer.status, 200, answer.body);
      assert.deepEqual(JSON.parse(answer.body), { abused: true });
      const traceId = traceIdOf(answer);
      await app.emitter.waitFor((d) => d.trace_id === traceId && (d as { type?: string }).type === undefined);
      assertAcceptable(app.emitter.documents.map((d) => d.document));
      const segment = app.emitter.segments.find((s) => s.trace_id === traceId)!;
      assert.ok(Object.keys(segment.annotations ?? {}).length <= 50);
      assert.ok((segment.user ?? '').length <= 250);
      for (const d of app.emitter.documents) assert.ok(Buffer.byteLength(d.text) < 64_000);

      const events = diagnostics.events.slice(from);
      assert.ok(events.length <= 130, `${events.length} diagnostics for one request`);
      for (const e of events) {
        assert.doesNotMatch(e.message, /[\r\n]/, 'no diagnostic can forge a log line');
        assert.ok(e.message.length <= 600, `a ${e.message.length}-character diagnostic`);
      }
      const said = events.map((e) => e.message).join('\n');
      for (const expected of [/BigInt/, /circular/i, /getter threw/, /toJSON threw/, /proxy threw/, /reserved for AWS/, /at most 50 annotations/, /further ones are not/, /keys must be/]) {
        assert.match(said, expected);
      }
      assertCleanLogLines();
    });
  }
});

describe('hostile URLs and Host headers', () => {
  const hosts: string[] = [
    'api.cruddur.example',
    'API.CRUDDUR.EXAMPLE',
    'evil.example',
    `${'a'.repeat(300)}.cruddur.example`,
    'a<b>"c.cruddur.example',
    'api.cruddur.example:8443',
    utf8('tëst.cruddur.example'),
    'x.cruddur.example\tjunk',
    '',
  ];
  const paths = [
    `/items/${'a'.repeat(14_000)}`,
    '/items/%0d%0aSet-Cookie:%20injected=1',
    '/items/%E0%A4%A',
    '/items/%00',
    '/items/..%2f..%2fetc%2fpasswd?password=x&x=%0d%0a',
    utf8('/items/ü'),
    '/echo?' + 'q=1&'.repeat(2_000),
  ];

  for (const appIndex of [0, 1]) {
    test(`${appIndex === 0 ? 'Express' : 'Fastify'}: segment names stay within the dynamic-naming pattern, URLs are bounded and query-free, nothing is injected`, async () => {
      const app = apps[appIndex]!;
      const defaultName = appIndex === 0 ? 'express-api' : 'fastify-api';
      const names = new Map<string, string>();
      for (const host of hosts) {
        const answer = await get(app, '/echo', [], host);
        if (answer.status !== 200) continue;
        const traceId = traceIdOf(answer);
        await app.emitter.waitFor((d) => d.trace_id === traceId);
        const segment = app.emitter.segments.find((s) => s.trace_id === traceId) as SegmentDocument;
        names.set(JSON.stringify(host), segment.name);
        assert.ok(segment.name === defaultName || (wildcardMatch(PATTERN, segment.name) && NAME.test(segment.name)), `Host ${JSON.stringify(host)} named the segment ${JSON.stringify(segment.name)}`);
      }
      assert.equal(names.get('"api.cruddur.example"'), 'api.cruddur.example', 'a matching host names the segment');
      assert.equal(names.get('"evil.example"'), defaultName);
      assert.equal(names.get(JSON.stringify(`${'a'.repeat(300)}.cruddur.example`)), defaultName, 'a name cut to 200 characters no longer matches the pattern');

      for (const path of paths) {
        const answer = await get(app, path);
        assert.ok([200, 400, 404, 414].includes(answer.status), `${path.slice(0, 40)}: status ${answer.status}`);
        for (const line of answer.headerLines) assert.doesNotMatch(line, /injected/i);
        if (answer.status === 200) assertCleanAnswer(answer, path.slice(0, 40));
      }
      await app.tracer.flush();
      for (const segment of app.emitter.segments) {
        const url = segment.http?.request?.url ?? '';
        assert.ok(url.length <= 2_000, `a ${url.length}-character URL`);
        assert.ok(!url.includes('?'), `a query string in ${url.slice(0, 80)}`);
        assert.doesNotMatch(url, /[\r\n]/);
      }
      assertAcceptable(app.emitter.documents.map((d) => d.document));
      assertCleanLogLines();
    });
  }
});
