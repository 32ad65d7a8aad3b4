import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import Rollbar from 'rollbar';
import { type RollbarServer, startRollbarServer } from '../src/index.js';

interface Answer {
  status: number;
  headers: Headers;
  json: Record<string, unknown>;
}

async function post(url: string, body: string, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body });
  return { status: response.status, headers: response.headers, json: (await response.json()) as Record<string, unknown> };
}

function newClient(server: RollbarServer): Rollbar {
  return new Rollbar({
    accessToken: 'post-server-item-token',
    endpoint: server.itemUrl,
    environment: 'test',
    captureUncaught: false,
    captureUnhandledRejections: false,
  });
}

/** Reports through the real client and resolves with what its callback received. */
function report(client: Rollbar, error: Error): Promise<{ error: unknown; response: unknown }> {
  return new Promise((resolve) => {
    client.error(error, (err: unknown, response: unknown) => resolve({ error: err, response }));
  });
}

function wait(client: Rollbar): Promise<void> {
  return new Promise((resolve) => client.wait(() => resolve()));
}

void describe('Rollbar fake with the rollbar client', () => {
  let server: RollbarServer;

  before(async () => {
    server = await startRollbarServer();
  });
  after(() => server.close());
  beforeEach(() => {
    server.clear();
    server.clearFaults();
  });

  void it('receives an error item with the token header, trace chain and the uuid the client generated', async () => {
    const client = newClient(server);
    const answer = await report(client, new Error('kaboom'));
    await wait(client);
    assert.equal(answer.error, null);
    const [item] = await server.waitForItems(1);
    assert.ok(item);
    assert.equal(item.accessToken, 'post-server-item-token');
    assert.equal(item.headers['x-rollbar-access-token'], 'post-server-item-token');
    assert.equal(item.data.environment, 'test');
    assert.match(JSON.stringify(item.data.body), /kaboom/);
    assert.equal(typeof item.data.uuid, 'string');
    assert.equal(item.uuid, item.data.uuid);
    // The client hands its callback the `result` member of {"err":0,"result":{...}}.
    assert.deepEqual(answer.response, { id: null, uuid: item.uuid });
    assert.equal(JSON.parse(item.raw).data.uuid, item.uuid);
  });

  void it('answers 429 with rate-limit headers the client honours by holding back later items', async () => {
    server.failNext('rate-limit', 1, { limit: 100, remaining: 0, resetSeconds: 30 });
    const client = newClient(server);
    const limited = await report(client, new Error('first'));
    await wait(client);
    assert.ok(limited.error instanceof Error);
    const [request] = server.requests;
    assert.equal(request?.status, 429);
    assert.equal(request?.fault, 'rate-limit');

    const held = await report(client, new Error('second'));
    await wait(client);
    assert.match(String(held.error), /rate limit/i);
    assert.equal(server.requests.length, 1, 'the client did not send while rate limited');
    assert.equal(server.items.length, 0);
  });

  void it('answers 500 with an error body the client reports', async () => {
    server.failNext('500');
    const client = newClient(server);
    const failed = await report(client, new Error('lost'));
    await wait(client);
    assert.match(String(failed.error), /Internal server error/);
    assert.equal(server.items.length, 0);
    const recovered = await report(client, new Error('delivered'));
    await wait(client);
    assert.equal(recovered.error, null);
    assert.equal(server.items.length, 1);
  });
});

void describe('Rollbar fake: item API', () => {
  let server: RollbarServer;

  before(async () => {
    server = await startRollbarServer({ accessTokens: ['good-token'] });
  });
  after(() => server.close());
  beforeEach(() => {
    server.clear();
    server.clearFaults();
  });

  const item = (data: Record<string, unknown> = {}): string => JSON.stringify({ data: { body: { message: { body: 'hi' } }, ...data } });

  void it('answers {"err":0,"result":{"id":null,"uuid"}} echoing data.uuid or minting one', async () => {
    const echoed = await post(server.itemUrl, item({ uuid: 'd4c0a3e2-1111-4222-8333-944455556666' }), { 'X-Rollbar-Access-Token': 'good-token' });
    assert.equal(echoed.status, 200);
    assert.deepEqual(echoed.json, { err: 0, result: { id: null, uuid: 'd4c0a3e2-1111-4222-8333-944455556666' } });
    const minted = await post(server.itemUrl, item(), { 'X-Rollbar-Access-Token': 'good-token' });
    const result = minted.json.result as { uuid: string };
    assert.match(result.uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(server.items[1]?.uuid, result.uuid);
  });

  void it('takes the token from the body when the header is absent, and refuses missing or unknown tokens', async () => {
    const fromBody = await post(server.itemUrl, JSON.stringify({ access_token: 'good-token', data: { body: { message: { body: 'x' } } } }));
    assert.equal(fromBody.status, 200);
    assert.equal(server.items[0]?.accessToken, 'good-token');
    const missing = await post(server.itemUrl, item());
    assert.equal(missing.status, 401);
    assert.deepEqual(missing.json, { err: 1, message: 'access token required' });
    const wrong = await post(server.itemUrl, item(), { 'X-Rollbar-Access-Token': 'stolen' });
    assert.equal(wrong.status, 401);
    assert.equal(server.items.length, 1);
  });

  void it('refuses invalid JSON, items without data or data.body, and other paths', async () => {
    const headers = { 'X-Rollbar-Access-Token': 'good-token' };
    assert.equal((await post(server.itemUrl, '{"data":', headers)).status, 400);
    assert.equal((await post(server.itemUrl, JSON.stringify({ nodata: true }), headers)).status, 422);
    assert.equal((await post(server.itemUrl, JSON.stringify({ data: { level: 'error' } }), headers)).status, 422);
    assert.equal((await post(`${server.url}/api/1/items/`, item(), headers)).status, 404);
    assert.equal(server.items.length, 0);
    assert.deepEqual(
      server.requests.map((request) => request.status),
      [400, 422, 422, 404],
    );
  });

  void it('sends all four rate-limit headers with a reset time in epoch seconds', async () => {
    server.failNext('rate-limit');
    const limited = await post(server.itemUrl, item(), { 'X-Rollbar-Access-Token': 'good-token' });
    assert.equal(limited.status, 429);
    assert.equal(limited.json.err, 1);
    assert.equal(limited.headers.get('x-rate-limit-limit'), '5000');
    assert.equal(limited.headers.get('x-rate-limit-remaining'), '0');
    assert.equal(limited.headers.get('x-rate-limit-remaining-seconds'), '60');
    const reset = Number(limited.headers.get('x-rate-limit-reset'));
    assert.ok(Math.abs(reset - (Date.now() / 1000 + 60)) < 5, `reset ${reset} is about a minute from now, in seconds`);
    assert.equal((await post(server.itemUrl, item(), { 'X-Rollbar-Access-Token': 'good-token' })).status, 200);
  });

  void it('hangs a request until the client gives up, and still closes promptly', async () => {
    const hanging = await startRollbarServer();
    hanging.failNext('hang');
    await assert.rejects(
      fetch(hanging.itemUrl, { method: 'POST', body: item(), headers: { 'X-Rollbar-Access-Token': 't' }, signal: AbortSignal.timeout(200) }),
      /aborted due to timeout/,
    );
    assert.equal(hanging.requests[0]?.fault, 'hang');
    assert.equal(hanging.requests[0]?.status, 0);
    hanging.failNext('hang');
    const stuck = fetch(hanging.itemUrl, { method: 'POST', body: item(), headers: { 'X-Rollbar-Access-Token': 't' } }).catch(
      (error: unknown) => error,
    );
    while (hanging.requests.length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    const started = Date.now();
    await hanging.close();
    assert.ok(Date.now() - started < 500, 'close() does not wait for the hanging request');
    assert.ok((await stuck) instanceof Error, 'the hanging request fails when the server closes');
    assert.equal(hanging.items.length, 0);
  });
});
