import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { type ImdsServer, startImdsServer } from '../src/index.js';

const IDENTITY = '/latest/dynamic/instance-identity/document';

async function getToken(server: ImdsServer, ttl = '21600', headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${server.url}/latest/api/token`, {
    method: 'PUT',
    headers: { 'X-aws-ec2-metadata-token-ttl-seconds': ttl, ...headers },
  });
}

function get(server: ImdsServer, path: string, token?: string): Promise<Response> {
  return fetch(`${server.url}${path}`, { headers: token === undefined ? {} : { 'X-aws-ec2-metadata-token': token } });
}

void describe('IMDS fake', () => {
  let server: ImdsServer;

  before(async () => {
    server = await startImdsServer({ identity: { region: 'eu-west-1', availabilityZone: 'eu-west-1b', instanceId: 'i-0abc1234def567890' } });
  });
  after(() => server.close());
  beforeEach(() => {
    server.clear();
    server.setMode('v2');
  });

  void it('issues a session token and serves the identity document with it (IMDSv2)', async () => {
    const tokenResponse = await getToken(server, '60');
    assert.equal(tokenResponse.status, 200);
    assert.equal(tokenResponse.headers.get('x-aws-ec2-metadata-token-ttl-seconds'), '60');
    const token = await tokenResponse.text();
    assert.ok(token.length >= 40);

    const response = await get(server, IDENTITY, token);
    assert.equal(response.status, 200);
    const document = (await response.json()) as Record<string, unknown>;
    for (const field of ['instanceId', 'instanceType', 'imageId', 'availabilityZone', 'region', 'accountId', 'privateIp', 'pendingTime', 'architecture', 'version']) {
      assert.ok(field in document, `identity document has ${field}`);
    }
    assert.equal(document.region, 'eu-west-1');
    assert.equal(document.availabilityZone, 'eu-west-1b');
    assert.equal(document.instanceId, 'i-0abc1234def567890');
    assert.equal(document.kernelId, null);
    assert.equal(await (await get(server, '/latest/meta-data/instance-id', token)).text(), 'i-0abc1234def567890');
    assert.equal(await (await get(server, '/latest/meta-data/placement/region', token)).text(), 'eu-west-1');
    assert.equal((await get(server, '/latest/meta-data/nothing-here', token)).status, 404);
    assert.equal(server.tokensIssued, 1);
    assert.deepEqual(
      server.requests.map((request) => [request.method, request.withToken, request.status]).slice(0, 2),
      [
        ['PUT', false, 200],
        ['GET', true, 200],
      ],
    );
  });

  void it('in v2 mode (tokens optional) answers without a token but refuses an unknown one', async () => {
    assert.equal((await get(server, IDENTITY)).status, 200);
    assert.equal((await get(server, IDENTITY, 'forged')).status, 401);
  });

  void it('in v2-only mode requires the token header', async () => {
    server.setMode('v2-only');
    assert.equal((await get(server, IDENTITY)).status, 401);
    const token = await (await getToken(server)).text();
    assert.equal((await get(server, IDENTITY, token)).status, 200);
  });

  void it('expires tokens after their TTL', async () => {
    server.setMode('v2-only');
    const token = await (await getToken(server, '1')).text();
    assert.equal((await get(server, IDENTITY, token)).status, 200);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    assert.equal((await get(server, IDENTITY, token)).status, 401);
  });

  void it('validates the token request: TTL header 1..21600, PUT only, no X-Forwarded-For', async () => {
    assert.equal((await fetch(`${server.url}/latest/api/token`, { method: 'PUT' })).status, 400);
    assert.equal((await getToken(server, '0')).status, 400);
    assert.equal((await getToken(server, '21601')).status, 400);
    assert.equal((await getToken(server, 'abc')).status, 400);
    assert.equal((await getToken(server, '21600')).status, 200);
    assert.equal((await getToken(server, '60', { 'X-Forwarded-For': '10.0.0.1' })).status, 403);
    assert.equal((await fetch(`${server.url}/latest/api/token`)).status, 405);
  });

  void it('in v1-only mode refuses the token PUT and answers GETs without a token', async () => {
    server.setMode('v1-only');
    const issuedBefore = server.tokensIssued;
    assert.equal((await getToken(server)).status, 403);
    assert.equal((await get(server, IDENTITY)).status, 200);
    assert.equal(server.tokensIssued, issuedBefore, 'no token issued in v1-only mode');
    const notFound = await startImdsServer({ mode: 'v1-only', v1OnlyTokenStatus: 404 });
    try {
      assert.equal((await getToken(notFound)).status, 404);
    } finally {
      await notFound.close();
    }
  });

  void it('in hang mode never answers, and still closes promptly', async () => {
    const hanging = await startImdsServer({ mode: 'hang' });
    await assert.rejects(
      fetch(`${hanging.url}/latest/api/token`, {
        method: 'PUT',
        headers: { 'X-aws-ec2-metadata-token-ttl-seconds': '60' },
        signal: AbortSignal.timeout(150),
      }),
      /aborted due to timeout/,
    );
    const stuck = fetch(`${hanging.url}${IDENTITY}`).catch((error: unknown) => error);
    while (hanging.requests.length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    const started = Date.now();
    await hanging.close();
    assert.ok(Date.now() - started < 500);
    assert.ok((await stuck) instanceof Error);
  });
});
