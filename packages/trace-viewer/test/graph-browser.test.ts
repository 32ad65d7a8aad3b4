// The service graph page, the search box and the group picker in a real browser (Debian's
// chromium via playwright-core): what is drawn (nodes, edges, counts) for the demo's round trip
// backend → worker → backend, what a click lists, the RED table beside it, and the
// column-pointing filter errors.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startTraceViewer } from '../src/index.js';
import { Sender } from './fixtures.js';
import { roundTrip, single } from './graph-fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/', import.meta.url));
const GROUP_FILE = fileURLToPath(new URL('../../../aws/json/xray-group.json', import.meta.url));

interface Locator {
  count(): Promise<number>;
  first(): Locator;
  textContent(): Promise<string | null>;
  getAttribute(name: string): Promise<string | null>;
  click(): Promise<void>;
  fill(value: string): Promise<void>;
  press(key: string): Promise<void>;
  selectOption(value: string): Promise<unknown>;
  waitFor(options?: { state?: 'visible' | 'attached'; timeout?: number }): Promise<void>;
}
interface Page {
  goto(url: string): Promise<unknown>;
  locator(selector: string): Locator;
  screenshot(options: { path: string; fullPage?: boolean }): Promise<unknown>;
  waitForFunction<A>(fn: (arg: A) => boolean, arg: A, options?: { timeout?: number }): Promise<unknown>;
  on(event: 'pageerror', listener: (error: Error) => void): void;
  on(event: 'console', listener: (message: { type(): string; text(): string }) => void): void;
}
// The page's document, typed locally: this package compiles without the DOM library.
interface Doc {
  querySelectorAll(selector: string): { length: number };
  querySelector(selector: string): { textContent: string | null } | null;
}

interface Browser {
  newPage(options: { viewport: { width: number; height: number } }): Promise<Page>;
  close(): Promise<void>;
}
interface Playwright {
  chromium: { launch(options: { executablePath: string; args: string[] }): Promise<Browser> };
}

async function loadPlaywright(): Promise<Playwright | undefined> {
  const name = 'playwright-core';
  try {
    return (await import(name)) as Playwright;
  } catch {
    return undefined;
  }
}

void describe('service graph page in chromium', () => {
  void it('draws the round trip with counts, lists a node’s traces, filters and narrows to a group', async (t) => {
    if (!existsSync(CHROMIUM)) {
      t.skip(`${CHROMIUM} not found: install it with "apt-get install -y chromium"`);
      return;
    }
    const playwright = await loadPlaywright();
    if (!playwright) {
      t.skip('playwright-core is not installed');
      return;
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    const viewer = await startTraceViewer({ udpPort: 0, httpPort: 0, finishAfterMs: 50, groupFiles: [GROUP_FILE] });
    const sender = new Sender(viewer.udpPort);
    const browser = await playwright.chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const now = Date.now() / 1000;
      const traces = [roundTrip({ t0: now - 30 }), roundTrip({ t0: now - 20, status: 500, workerStatus: 500 }), roundTrip({ t0: now - 10 }), single({ t0: now - 5, status: 404 })];
      for (const trace of traces) await sender.sendAll(trace.docs);
      await viewer.store.waitForTrace(traces[3]!.traceId, 5000);
      await viewer.store.waitForTrace(traces[2]!.traceId, 5000);

      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(error.message));
      page.on('console', (message) => {
        // The 400 answering the deliberately broken expression is the one expected error.
        if (message.type() === 'error' && !/status of 400/.test(message.text())) problems.push(message.text());
      });
      await page.goto(`${viewer.url!}#/graph?window=3600`);
      await page.locator('svg.service-graph .sg-node').first().waitFor();
      const nodeNames: string[] = [];
      for (let i = 0; i < (await page.locator('svg.service-graph .sg-node').count()); i++) {
        nodeNames.push((await page.locator(`svg.service-graph .sg-node >> nth=${i}`).getAttribute('data-node')) ?? '');
      }
      assert.deepEqual(nodeNames.sort(), ['DynamoDB', 'api.example.com', 'client', 'cruddur-backend', 'cruddur-worker']);
      const count = async (selector: string): Promise<string | null> => page.locator(selector).getAttribute('data-count');
      assert.equal(await count('.sg-node[data-node="cruddur-backend"]'), '6', 'three entry requests and three calls back');
      assert.equal(await count('.sg-node[data-node="cruddur-worker"]'), '3');
      assert.equal(await count('.sg-edge[data-edge="cruddur-backend→cruddur-worker"]'), '3');
      assert.equal(await count('.sg-edge[data-edge="cruddur-worker→cruddur-backend"]'), '3');
      assert.equal(await count('.sg-edge[data-edge="client→cruddur-backend"]'), '3');
      assert.equal(await count('.sg-edge[data-edge="cruddur-backend→DynamoDB"]'), '3');
      assert.match((await page.locator('.sg-node[data-node="cruddur-worker"]').getAttribute('class')) ?? '', /fault/, 'a worker fault colours it red');
      assert.match((await page.locator('.sg-node[data-node="api.example.com"]').getAttribute('class')) ?? '', /error/);
      assert.equal(await page.locator('#graph-count').textContent(), '4 traces');
      await page.screenshot({ path: `${ARTIFACTS}service-graph.png`, fullPage: true });

      // Clicking a node lists its traces, through the filter expression it stands for.
      await page.locator('.sg-node[data-node="cruddur-worker"]').click();
      await page.locator('.graph-trace').first().waitFor();
      assert.equal(await page.locator('.graph-trace').count(), 3);
      assert.match((await page.locator('#graph-details').textContent()) ?? '', /Requests3.*Faults \(5xx\)1 \(33\.3%\)/);
      // The call back edge is clickable too.
      await page.locator('.sg-edge[data-edge="cruddur-worker→cruddur-backend"] rect').click();
      // Functions, not strings: the page's content security policy forbids eval.
      await page.waitForFunction((text) => (globalThis as unknown as { document: Doc }).document.querySelector('#graph-details code')?.textContent === text, 'edge("cruddur-worker", "cruddur-backend")');
      assert.equal(await page.locator('.graph-trace').count(), 3);

      // The RED table beside the graph: one total and one row per route, sorted by service then route.
      const redRows: string[] = [];
      for (let i = 0; i < (await page.locator('#red-table tr.red-row').count()); i++) {
        const rowLocator = page.locator(`#red-table tr.red-row >> nth=${i}`);
        redRows.push(`${(await rowLocator.getAttribute('data-service')) ?? ''}|${(await rowLocator.getAttribute('data-route')) ?? ''}|${(await rowLocator.getAttribute('data-count')) ?? ''}`);
      }
      assert.deepEqual(redRows, [
        'api.example.com||1',
        'api.example.com|GET /api/game/:id|1',
        'cruddur-backend||6',
        'cruddur-backend|GET /api/internal/user|3',
        'cruddur-backend|POST /api/messages|3',
        'cruddur-worker||3',
        'cruddur-worker|POST /process|3',
      ]);
      assert.equal(await page.locator('#red-table tr.red-row[data-route="POST /process"] td >> nth=4').textContent(), '33.3%', 'one worker fault in three');
      assert.equal(await page.locator('#red-table tr.red-row[data-route="GET /api/game/:id"] td >> nth=3').textContent(), '100%', 'the 404');
      // A row lists its traces through its filter expression.
      await page.locator('#red-table tr.red-row[data-route="POST /api/messages"]').click();
      const messagesFilter = 'service("cruddur-backend") { http.method = "POST" AND http.url CONTAINS "/api/messages" }';
      await page.waitForFunction((text) => (globalThis as unknown as { document: Doc }).document.querySelector('#graph-details code')?.textContent === text, messagesFilter);
      assert.equal(await page.locator('.graph-trace').count(), 3);
      await page.screenshot({ path: `${ARTIFACTS}red-table.png`, fullPage: true });

      // The search box on the list, with a working expression and a broken one.
      await page.goto(`${viewer.url!}#/`);
      await page.locator('input[name="filter"]').fill('service("cruddur-worker") { fault } AND annotation.feed = "home"');
      await page.locator('input[name="filter"]').press('Enter');
      await page.waitForFunction((n) => (globalThis as unknown as { document: Doc }).document.querySelectorAll('tr.trace-row').length === n, 1);
      assert.equal(await page.locator('tr.trace-row').first().getAttribute('data-trace-id'), traces[1]!.traceId);
      await page.locator('input[name="filter"]').fill('responsetime > "slow"');
      await page.locator('input[name="filter"]').press('Enter');
      await page.locator('.filter-error[role="alert"]').waitFor();
      assert.equal(await page.locator('.filter-error[role="alert"]').textContent(), 'column 16: responsetime is a number, got the string "slow"\nresponsetime > "slow"\n               ^');

      // The group from aws/json/xray-group.json narrows the list.
      await page.locator('input[name="filter"]').fill('');
      await page.locator('select[name="group"]').selectOption('Cruddur');
      await page.waitForFunction((n) => (globalThis as unknown as { document: Doc }).document.querySelectorAll('tr.trace-row').length === n, 3);
      await page.screenshot({ path: `${ARTIFACTS}group-list.png`, fullPage: true });
      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
      await sender.close();
      await viewer.close();
    }
  });
});
