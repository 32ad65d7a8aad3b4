import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isEntityId, isTraceId, newEntityId, newTraceId } from '../src/internal.js';

test('trace ids are 1-<8 hex epoch seconds>-<24 hex> and carry the start second', () => {
  const id = newTraceId(1_700_000_000.9);
  assert.match(id, /^1-[0-9a-f]{8}-[0-9a-f]{24}$/);
  assert.equal(id.slice(2, 10), (1_700_000_000).toString(16));
  assert.ok(isTraceId(id));
  const now = parseInt(newTraceId().slice(2, 10), 16);
  assert.ok(Math.abs(now - Date.now() / 1000) < 5);
});

test('entity ids are 16 lower-case hex digits and do not repeat across pool refills', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 50_000; i++) {
    const id = newEntityId();
    assert.ok(isEntityId(id), id);
    seen.add(id);
  }
  assert.equal(seen.size, 50_000);
});

test('random parts of trace ids differ and use every hex digit', () => {
  const digits = new Set<string>();
  const randoms = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const r = newTraceId().slice(11);
    randoms.add(r);
    for (const c of r) digits.add(c);
  }
  assert.equal(randoms.size, 2000);
  assert.equal(digits.size, 16);
});

test('validators reject near misses', () => {
  for (const bad of ['1-5759e98-bd862e3fe1be46a994272793', '2-5759e988-bd862e3fe1be46a994272793', '1-5759E988-bd862e3fe1be46a994272793', '1-5759e988-bd862e3fe1be46a99427279']) {
    assert.equal(isTraceId(bad), false, bad);
  }
  for (const bad of ['53995c3f42cd8ad', '53995C3F42CD8AD8', '53995c3f42cd8ad8x', 'g3995c3f42cd8ad8']) assert.equal(isEntityId(bad), false, bad);
});
