// OTLP over HTTPS, configured the way a Honeycomb user does it (endpoint + API-key header in the
// environment): a TLS endpoint with a test certificate authority, in a child process that trusts it
// through NODE_EXTRA_CA_CERTS. The TLS endpoint hands each body to the OTLP sink unchanged, which
// decodes it with the official definitions.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startOtlpSink } from '@cruddur/fakes';

const CHILD = fileURLToPath(new URL('./fixtures/otlp-https-child.ts', import.meta.url));

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

test('HTTPS endpoint from the environment, API-key header included: spans arrive, the key travels, nothing else is needed', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'otlp-tls-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });

  const sink = await startOtlpSink();
  const seenKeys: string[] = [];
  const tls = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
    void readAll(req).then(async (body) => {
      seenKeys.push(String(req.headers['x-honeycomb-team']));
      const headers: Record<string, string> = {};
      for (const name of ['content-type', 'content-encoding']) if (req.headers[name]) headers[name] = String(req.headers[name]);
      const answer = await fetch(sink.tracesUrl, { method: 'POST', headers, body });
      res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/x-protobuf' });
      res.end(Buffer.from(await answer.arrayBuffer()));
    });
  });
  await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', () => resolve()));
  t.after(async () => {
    tls.close();
    await sink.close();
  });
  const port = (tls.address() as AddressInfo).port;

  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      NODE_EXTRA_CA_CERTS: cert,
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: `https://localhost:${port}`,
      OTEL_EXPORTER_OTLP_HEADERS: 'x-honeycomb-team=test-key-123',
    },
  });
  t.after(() => void child.kill('SIGKILL'));
  let output = '';
  child.stdout.on('data', (c: Buffer) => void (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => void (output += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.equal(code, 0, output);
  assert.match(output, /done/);
  const spans = await sink.waitForSpans(2, 10_000);
  assert.deepEqual(spans.map((s) => s.name).sort(), ['https-child', 'work']);
  assert.deepEqual(seenKeys, ['test-key-123']);
  assert.equal(sink.requests[0]!.contentEncoding, 'gzip');
});
