// The JSON API, the event stream and the page's protection, against a real server on port 0.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startTraceViewer, type Trace, type TraceSummary, type TraceViewer, type ViewerStats } from '../src/index.js';
import { Sender, datagram, twoServiceTrace } from './fixtures.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(viewer: TraceViewer, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: viewer.httpPort, path, method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

// Bytes a browser would never send but a client can: written straight to the socket.
function rawRequest(viewer: TraceViewer, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(viewer.httpPort!, '127.0.0.1', () => socket.end(text));
    let reply = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (reply += chunk));
    socket.on('end', () => resolve(reply));
    socket.on('error', reject);
  });
}

async function getJson<T>(viewer: TraceViewer, path: string): Promise<{ status: number; json: T; type: string | undefined }> {
  const reply = await get(viewer, path);
  return { status: reply.status, json: JSON.parse(reply.body) as T, type: reply.headers['content-type'] as string | undefined };
}

void describe('web server', () => {
  let viewer: TraceViewer;
  let sender: Sender;
  const first = twoServiceTrace({ startSeconds: Date.now() / 1000 - 5 });
  const second = twoServiceTrace({ status: 500, startSeconds: Date.now() / 1000 - 1 });

  before(async () => {
    viewer = await startTraceViewer({ udpPort: 0, httpPort: 0, finishAfterMs: 30 });
    sender = new Sender(viewer.udpPort);
    await sender.sendAll([first.a, first.b, first.bDynamo, second.b, second.a, datagram('{"truncated": ')]);
    await viewer.store.waitForTrace(first.traceId, 3000);
    await viewer.store.waitForTrace(second.traceId, 3000);
  });
  after(async () => {
    await sender.close();
    await viewer.close();
  });

  void it('listens on 127.0.0.1 at the port it reports', () => {
    assert.ok(viewer.httpPort && viewer.httpPort > 0);
    assert.equal(viewer.url, `http://127.0.0.1:${viewer.httpPort}/`);
  });

  void it('GET /api/traces lists summaries, newest first', async () => {
    const { status, json, type } = await getJson<TraceSummary[]>(viewer, '/api/traces');
    assert.equal(status, 200);
    assert.match(type ?? '', /^application\/json/);
    assert.deepEqual(json.map((t) => t.id), [second.traceId, first.traceId]);
    const [newest] = json;
    assert.equal(newest!.status, 500);
    assert.equal(newest!.hasFault, true);
    assert.deepEqual(newest!.services, ['frontend', 'worker']);
    assert.equal(newest!.finished, true);
    assert.equal('roots' in newest!, false, 'summaries do not carry the tree');
    const limited = await getJson<TraceSummary[]>(viewer, '/api/traces?limit=1');
    assert.equal(limited.json.length, 1);
  });

  void it('GET /api/traces/:id returns the tree, the service map and the raw documents', async () => {
    const { status, json } = await getJson<Trace>(viewer, `/api/traces/${first.traceId}`);
    assert.equal(status, 200);
    assert.equal(json.id, first.traceId);
    assert.equal(json.roots[0]!.name, 'frontend');
    const call = json.roots[0]!.children.find((node) => node.id === first.callId)!;
    assert.equal(call.children[0]!.name, 'worker');
    assert.equal(json.documents.length, 3);
    assert.deepEqual(json.documents[0], first.a, 'documents come back as sent');
    assert.ok(json.serviceMap.edges.some((edge) => edge.from === 'frontend' && edge.to === 'worker' && edge.calls === 1));
  });

  void it('answers 404 JSON for an unknown trace or API path', async () => {
    const missing = await getJson<{ error: string }>(viewer, '/api/traces/1-00000000-000000000000000000000000');
    assert.equal(missing.status, 404);
    assert.equal(missing.json.error, 'trace not found');
    const unknown = await getJson<{ error: string }>(viewer, '/api/nothing');
    assert.equal(unknown.status, 404);
    assert.match(unknown.type ?? '', /^application\/json/);
  });

  void it('GET /api/stats reports received datagrams, malformed by reason and evictions', async () => {
    const { json } = await getJson<ViewerStats>(viewer, '/api/stats');
    assert.equal(json.received, 6);
    assert.equal(json.documents, 5);
    assert.equal(json.malformed.invalid_json, 1);
    assert.equal(json.evictions, 0);
    assert.equal(json.traces, 2);
  });

  void it('serves the page with a content security policy that forbids inline script', async () => {
    const page = await get(viewer, '/');
    assert.equal(page.status, 200);
    assert.match(page.body, /<script type="module" src="\/app.js"><\/script>/);
    const csp = String(page.headers['content-security-policy']);
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    const script = await get(viewer, '/app.js');
    assert.equal(script.status, 200);
    assert.match(String(script.headers['content-type']), /^text\/javascript/);
  });

  void it('serves nothing outside public/ and only GET/HEAD', async () => {
    for (const path of ['/../package.json', '/%2e%2e/package.json', '/src/server.ts', '/..%2fpackage.json', '/package.json']) {
      assert.equal((await get(viewer, path)).status, 404, path);
    }
    const post = await get(viewer, '/api/traces', {}, 'POST');
    assert.equal(post.status, 405);
  });

  void it('answers 400, not 500, to malformed %-escapes and request targets', async () => {
    for (const path of ['/api/traces/%E0%A4%A', '/api/traces/%zz', '/api/traces/1-abc%']) {
      const reply = await get(viewer, path);
      assert.equal(reply.status, 400, path);
      assert.match(String(reply.headers['content-type']), /^application\/json/);
      assert.match((JSON.parse(reply.body) as { error: string }).error, /malformed %-escape in the trace id/);
    }
    const escaped = await get(viewer, `/api/traces/${encodeURIComponent(first.traceId)}`);
    assert.equal(escaped.status, 200, 'a well-formed escape still finds the trace');
    const raw = await rawRequest(viewer, 'GET http://[::1 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    assert.match(raw, /^HTTP\/1\.1 400 /);
  });

  void it('refuses requests whose Host is not loopback (DNS rebinding)', async () => {
    const reply = await get(viewer, '/api/traces', { host: 'attacker.example:2001' });
    assert.equal(reply.status, 403);
    const ok = await get(viewer, '/api/traces', { host: `localhost:${viewer.httpPort}` });
    assert.equal(ok.status, 200);
  });

  void it('pushes trace updates over server-sent events', async () => {
    const events = await new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: viewer.httpPort, path: '/api/events' }, (res) => {
        assert.match(String(res.headers['content-type']), /^text\/event-stream/);
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
          if (text.includes('event: traces') && text.endsWith('\n\n')) {
            req.destroy();
            resolve(text);
          }
        });
        // Send once the stream is open so the update cannot be missed.
        const third = twoServiceTrace({ status: 404 });
        sender.sendAll([third.a]).catch(reject);
      });
      req.on('error', (error) => {
        if ((error as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(error);
      });
      req.end();
    });
    const data = /data: (.*)\n/.exec(events.slice(events.indexOf('event: traces')))![1]!;
    const payload = JSON.parse(data) as { updated: TraceSummary[]; stats: ViewerStats };
    assert.ok(payload.updated.some((t) => t.status === 404));
    assert.ok(payload.stats.received >= 7);
  });
});

void describe('web server options', () => {
  void it('web: false opens no HTTP port', async () => {
    const viewer = await startTraceViewer({ udpPort: 0, web: false });
    assert.equal(viewer.httpPort, undefined);
    await viewer.close();
    await viewer.close();
  });
});
