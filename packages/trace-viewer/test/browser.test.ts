// End to end in a real browser: Debian's chromium driven by playwright-core. Skips when the
// browser is not installed (apt-get install -y chromium).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startTraceViewer } from '../src/index.js';
import { Sender, newId, newTraceId, twoServiceTrace } from './fixtures.js';
import { roundTrip } from './graph-fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/', import.meta.url));

// The few playwright-core calls used here, typed locally so the test compiles without it.
interface Locator {
  count(): Promise<number>;
  first(): Locator;
  textContent(): Promise<string | null>;
  getAttribute(name: string): Promise<string | null>;
  click(): Promise<void>;
  waitFor(options?: { state?: 'visible' | 'attached'; timeout?: number }): Promise<void>;
}
interface Page {
  goto(url: string): Promise<unknown>;
  locator(selector: string): Locator;
  screenshot(options: { path: string; fullPage?: boolean }): Promise<unknown>;
  evaluate<T>(fn: () => T): Promise<T>;
  evaluate<T, A>(fn: (arg: A) => T, arg: A): Promise<T>;
  on(event: 'console', listener: (message: { type(): string; text(): string }) => void): void;
  on(event: 'pageerror', listener: (error: Error) => void): void;
}
// The page's document, typed locally: this package compiles without the DOM library.
interface SvgElement {
  getAttribute(name: string): string | null;
  querySelector(selector: string): SvgElement | null;
  textContent: string | null;
}
interface Doc {
  querySelectorAll(selector: string): Iterable<SvgElement>;
  querySelector(selector: string): SvgElement | null;
}
interface DrawnMap {
  viewBox: string | null;
  boxes: Array<{ name: string; x: number; y: number; width: number; height: number }>;
  edges: Array<{ title: string; d: string }>;
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

void describe('web view in chromium', () => {
  void it('shows a two-service trace live, then its waterfall, service map and documents', async (t) => {
    if (!existsSync(CHROMIUM)) {
      t.skip(`${CHROMIUM} not found: install it with "apt-get install -y chromium" to run the browser test`);
      return;
    }
    const playwright = await loadPlaywright();
    if (!playwright) {
      t.skip('playwright-core is not installed: add it as a devDependency of @cruddur/trace-viewer to run the browser test');
      return;
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    const viewer = await startTraceViewer({ udpPort: 0, httpPort: 0, otlpPort: 0, finishAfterMs: 100 });
    const sender = new Sender(viewer.udpPort);
    const browser = await playwright.chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      // Some history first, like a service that has been running for a while.
      const now = Date.now() / 1000;
      for (const [i, status] of [200, 404, 200, 500].entries()) {
        const old = twoServiceTrace({ status, startSeconds: now - 60 + i * 5 });
        await sender.sendAll([old.bDynamo, old.b, old.a]);
      }
      // A hostile document: its name must show as text and never run.
      const hostile = newTraceId();
      await sender.send({
        trace_id: hostile,
        id: newId(),
        name: '<img src=x onerror="window.__pwned=1">',
        start_time: now - 30,
        end_time: now - 29.99,
        http: { request: { method: 'GET', url: 'http://localhost/<script>window.__pwned=2</script>' }, response: { status: 200 } },
      });
      await viewer.store.waitForTrace(hostile, 3000);

      const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(message.text());
      });
      page.on('pageerror', (error) => problems.push(error.message));
      await page.goto(viewer.url!);
      await page.locator('tr.trace-row').first().waitFor();
      assert.equal(await page.locator('tr.trace-row').count(), 5);
      await page.locator('#live.on').waitFor({ timeout: 5000 });

      // The new trace arrives while the page is open and shows up without a reload.
      const live = twoServiceTrace({ startSeconds: Date.now() / 1000 - 0.3 });
      await sender.sendAll([live.bDynamo, live.b, live.a]);
      const row = page.locator(`tr[data-trace-id="${live.traceId}"]`);
      await row.waitFor({ timeout: 5000 });
      assert.equal(await page.locator('tr.trace-row').count(), 6);
      assert.equal(await page.locator('tr.trace-row').first().getAttribute('data-trace-id'), live.traceId, 'newest first');
      assert.match((await row.textContent()) ?? '', /GET http:\/\/localhost:4567\/api\/activities\/home.*200.*frontend.*worker/);
      assert.equal(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned), undefined);
      assert.equal(
        await page.locator(`tr[data-trace-id="${hostile}"] .request-link`).textContent(),
        'GET http://localhost/<script>window.__pwned=2</script>',
      );
      await page.screenshot({ path: `${ARTIFACTS}trace-list.png` });

      await row.click();
      await page.locator('.waterfall .wf-row:not(.wf-axis)').first().waitFor();
      assert.equal(await page.locator('.waterfall .wf-row:not(.wf-axis)').count(), 7);
      const names = await page.locator('.waterfall').textContent();
      assert.match(names ?? '', /frontend.*auth-check.*worker.*worker.*validate.*DynamoDB.*render/);
      assert.equal(await page.locator('svg.service-map .sm-node').count(), 3);
      assert.match((await page.locator('svg.service-map').textContent()) ?? '', /frontend.*worker.*DynamoDB/);
      assert.equal(await page.locator('details.doc').count(), 3);
      await page.locator('.waterfall .wf-row.segment').first().click();
      await page.locator('.wf-details').waitFor();
      await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
      await page.screenshot({ path: `${ARTIFACTS}trace-detail.png`, fullPage: true });

      // A trace that comes back (backend → worker → backend), the worker writing to DynamoDB too,
      // as in the demo's reply step: three boxes at finite, distinct places, four arrows.
      const round = roundTrip({ t0: Date.now() / 1000 - 2 });
      const workerSegment = round.docs[1]!;
      const workerWrite = {
        type: 'subsegment', trace_id: round.traceId, parent_id: workerSegment.id, id: newId(), name: 'DynamoDB', namespace: 'aws',
        start_time: (workerSegment.start_time as number) + 0.06, end_time: (workerSegment.start_time as number) + 0.07,
        aws: { operation: 'UpdateItem', table_name: 'cruddur-messages' }, http: { response: { status: 200 } },
      };
      await sender.sendAll([...round.docs, workerWrite]);
      await viewer.store.waitForTrace(round.traceId, 3000);
      await page.goto(`${viewer.url!}#/trace/${round.traceId}`);
      await page.locator('svg.service-map .sm-node').first().waitFor();
      const drawn = await page.evaluate((): DrawnMap => {
        const document = (globalThis as unknown as { document: Doc }).document;
        const boxes = [...document.querySelectorAll('svg.service-map .sm-node')].map((node) => {
          const rect = node.querySelector('rect')!;
          // No helper function here: the bundler would name it with a helper the page lacks.
          const [x, y, width, height] = ['x', 'y', 'width', 'height'].map((name) => Number(rect.getAttribute(name)));
          return { name: node.querySelector('.sm-name')?.textContent ?? '', x: x!, y: y!, width: width!, height: height! };
        });
        const edges = [...document.querySelectorAll('svg.service-map .sm-edge')].map((edge) => ({
          title: edge.querySelector('title')?.textContent ?? '',
          d: edge.querySelector('path')?.getAttribute('d') ?? '',
        }));
        return { viewBox: document.querySelector('svg.service-map')!.getAttribute('viewBox'), boxes, edges };
      });
      assert.deepEqual(drawn.boxes.map((box) => box.name).sort(), ['DynamoDB', 'cruddur-backend', 'cruddur-worker']);
      for (const box of drawn.boxes) {
        for (const value of [box.x, box.y, box.width, box.height]) assert.ok(Number.isFinite(value) && value >= 0, `${box.name}: ${JSON.stringify(box)}`);
        assert.ok(box.width > 0 && box.height > 0, `${box.name} has a size`);
      }
      assert.doesNotMatch(drawn.viewBox ?? '', /NaN/);
      const at = new Map(drawn.boxes.map((box) => [box.name, box]));
      assert.ok(at.get('cruddur-backend')!.x < at.get('cruddur-worker')!.x, 'the entry service is left of the service it calls');
      assert.ok(at.get('cruddur-worker')!.x < at.get('DynamoDB')!.x, 'DynamoDB is right of both its callers');
      assert.equal(new Set(drawn.boxes.map((box) => `${box.x},${box.y}`)).size, 3, 'no two boxes on top of each other');
      assert.deepEqual(drawn.edges.map((edge) => edge.title.replace(/:.*/, '')).sort(), [
        'cruddur-backend → DynamoDB',
        'cruddur-backend → cruddur-worker',
        'cruddur-worker → DynamoDB',
        'cruddur-worker → cruddur-backend',
      ]);
      for (const edge of drawn.edges) assert.match(edge.d, /^M [\d.]+ [\d.]+ C [\d., ]+$/, `${edge.title}: ${edge.d}`);
      await page.screenshot({ path: `${ARTIFACTS}round-trip-map.png`, fullPage: true });

      // A trace that arrives over OTLP/HTTP shows up in the list like the UDP ones.
      const otlpTraceId = randomBytes(16).toString('hex');
      const start = BigInt(Date.now()) * 1_000_000n;
      const exported = await fetch(viewer.otlpTracesUrl!, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          resourceSpans: [{
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'otel-service' } }] },
            scopeSpans: [{ spans: [{
              traceId: otlpTraceId, spanId: 'aaaaaaaaaaaaaaa1', name: 'GET /otel', kind: 2,
              startTimeUnixNano: String(start), endTimeUnixNano: String(start + 12_000_000n),
              attributes: [
                { key: 'http.request.method', value: { stringValue: 'GET' } },
                { key: 'url.full', value: { stringValue: 'http://localhost:4570/otel' } },
                { key: 'http.response.status_code', value: { intValue: '200' } },
              ],
            }] }],
          }],
        }),
      });
      assert.equal(exported.status, 200);
      await page.goto(viewer.url!);
      const otlpRow = page.locator(`tr[data-trace-id="1-${otlpTraceId.slice(0, 8)}-${otlpTraceId.slice(8)}"]`);
      await otlpRow.waitFor({ timeout: 5000 });
      assert.match((await otlpRow.textContent()) ?? '', /GET http:\/\/localhost:4570\/otel.*200.*otel-service/);
      assert.deepEqual(problems, [], 'no script errors and no content security policy violations');
    } finally {
      await browser.close();
      await sender.close();
      await viewer.close();
    }
  });
});
