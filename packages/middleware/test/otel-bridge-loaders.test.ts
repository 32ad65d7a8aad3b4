// The bridge with the real instrumentation-pg loaded as its README says, in child processes
// running the built package: CommonJS (require order) and ESM (`--import` with the
// import-in-the-middle loader of @opentelemetry/instrumentation).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { promisify } from 'node:util';
import type { SegmentDocument } from '../src/index.js';
import { missingDatabases, startPostgres } from './support/db-servers.js';

const run = promisify(execFile);
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const cwd = fileURLToPath(new URL('..', import.meta.url));
const skip = missingDatabases();

async function segmentFrom(args: string[], port: number): Promise<SegmentDocument> {
  const { stdout } = await run(process.execPath, args, { cwd, env: { ...process.env, PG_PORT: String(port), AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:9' }, timeout: 30_000 });
  return JSON.parse(stdout) as SegmentDocument;
}

function assertQuery(segment: SegmentDocument): void {
  const query = segment.subsegments?.find((s) => s.sql?.database_type === 'postgresql');
  assert.ok(query, JSON.stringify(segment));
  assert.equal(query.name, 'postgres@127.0.0.1');
  assert.equal(query.sql?.sanitized_query, 'SELECT $1::int AS one');
}

test('CommonJS: require the bridge and the instrumentation before pg', { skip }, async (t) => {
  const postgres = await startPostgres(t);
  assertQuery(await segmentFrom([`${fixtures}otel-bridge-cjs.cjs`], postgres.port));
});

test('ESM: node --import with the instrumentation loader', { skip }, async (t) => {
  const postgres = await startPostgres(t);
  assertQuery(await segmentFrom(['--import', `${fixtures}otel-bridge-register.mjs`, `${fixtures}otel-bridge-esm.mjs`], postgres.port));
});
