import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatTraceHeader, parseTraceHeader, MAX_EXTRA_DATA } from '../src/internal.js';

const ROOT = '1-5759e988-bd862e3fe1be46a994272793';
const PARENT = '53995c3f42cd8ad8';

test('parses Root, Parent and Sampled', () => {
  const h = parseTraceHeader(`Root=${ROOT};Parent=${PARENT};Sampled=1`);
  assert.deepEqual({ root: h.root, parent: h.parent, sampled: h.sampled }, { root: ROOT, parent: PARENT, sampled: '1' });
});

test('is lenient: key case, spaces, a short epoch, upper-case hex', () => {
  const h = parseTraceHeader(` root = 1-abc-BD862E3FE1BE46A994272793 ; PARENT=53995C3F42CD8AD8 ;sampled=? `);
  assert.equal(h.root, '1-00000abc-bd862e3fe1be46a994272793');
  assert.equal(h.parent, PARENT);
  assert.equal(h.sampled, '?');
});

test('an invalid Root starts a new trace and drops the orphan Parent', () => {
  for (const root of ['1-xyz-bd862e3fe1be46a994272793', '2-5759e988-bd862e3fe1be46a994272793', '1-5759e988-000000000000000000000000', '1-5759e988-bd86']) {
    const h = parseTraceHeader(`Root=${root};Parent=${PARENT};Sampled=1`);
    assert.equal(h.root, undefined, root);
    assert.equal(h.parent, undefined, root);
    assert.equal(h.sampled, '1');
  }
});

test('Self is read but not forwarded; Lineage and unknown keys are forwarded', () => {
  const h = parseTraceHeader(`Self=1-67891234-12456789abcdef012345678;Root=${ROOT};Parent=${PARENT};Sampled=1;Lineage=10:1234abcd:3;CalledFrom=app`);
  assert.equal(h.self, '1-67891234-12456789abcdef012345678');
  assert.equal(h.lineage, '10:1234abcd:3');
  assert.deepEqual(h.extra, [['CalledFrom', 'app']]);
  const out = formatTraceHeader({ root: h.root!, parent: 'aaaaaaaaaaaaaaaa', sampled: true, lineage: h.lineage, extra: h.extra });
  assert.equal(out, `Root=${ROOT};Parent=aaaaaaaaaaaaaaaa;Sampled=1;Lineage=10:1234abcd:3;CalledFrom=app`);
  assert.ok(!out.includes('Self'));
});

test('extra pairs are capped at 256 characters of keys and values', () => {
  const pairs = Array.from({ length: 40 }, (_, i) => `k${i}=${'v'.repeat(10)}`).join(';');
  const h = parseTraceHeader(`Root=${ROOT};${pairs}`);
  const size = h.extra.reduce((n, [k, v]) => n + k.length + v.length, 0);
  assert.ok(size <= MAX_EXTRA_DATA && size > MAX_EXTRA_DATA - 20, String(size));
});

test('takes the first of repeated headers and ignores duplicate keys after the first', () => {
  const h = parseTraceHeader([`Root=${ROOT};Sampled=0;Sampled=1`, 'Root=1-5759e988-aaaaaaaaaaaaaaaaaaaaaaaa']);
  assert.equal(h.root, ROOT);
  assert.equal(h.sampled, '0');
});

test('formats strictly', () => {
  assert.equal(formatTraceHeader({ root: ROOT }), `Root=${ROOT}`);
  assert.equal(formatTraceHeader({ root: ROOT, parent: PARENT, sampled: false }), `Root=${ROOT};Parent=${PARENT};Sampled=0`);
  assert.equal(formatTraceHeader({ root: ROOT, sampled: '?' }), `Root=${ROOT};Sampled=?`);
});

test('fuzz: 100,000 random and mutated headers never throw and re-format to valid headers', () => {
  let seed = 0x2545f491;
  const rand = (n: number): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  const alphabet = 'Root=Parent;Sampled?1-0abcdef0123456789 \t\r\n\u0000\u00e9\u2028;==;;Self=Lineage:|';
  const base = `Root=${ROOT};Parent=${PARENT};Sampled=1;Lineage=1:abcdef01:2;X=y`;
  const valid = /^Root=1-[0-9a-f]{8}-[0-9a-f]{24}(;Parent=[0-9a-f]{16})?(;Sampled=[01?])?(;Lineage=[0-9a-z:|]+)?(;[\x21-\x3a\x3c\x3e-\x7e]+=[\x21-\x3a\x3c\x3e-\x7e]+)*$/;
  let accepted = 0;
  for (let i = 0; i < 100_000; i++) {
    let input: string;
    if (i % 2 === 0) {
      const chars = Array.from(base);
      for (let m = rand(6); m >= 0; m--) {
        const at = rand(chars.length + 1);
        const op = rand(3);
        if (op === 0) chars.splice(at, 1);
        else if (op === 1) chars.splice(at, 0, alphabet[rand(alphabet.length)]!);
        else chars[at] = alphabet[rand(alphabet.length)]!;
      }
      input = chars.join('');
    } else {
      input = Array.from({ length: rand(120) }, () => alphabet[rand(alphabet.length)]).join('');
    }
    const h = parseTraceHeader(input);
    if (h.root === undefined) continue;
    accepted++;
    const out = formatTraceHeader({ root: h.root, parent: h.parent, sampled: h.sampled, lineage: h.lineage, extra: h.extra });
    assert.match(out, valid, `input ${JSON.stringify(input)} gave ${JSON.stringify(out)}`);
    assert.ok(!out.includes('\r') && !out.includes('\n') && !out.includes('\u0000'));
  }
  assert.ok(accepted > 10_000, `only ${accepted} mutated headers kept a valid root: the fuzz is not exercising the formatter`);
});

test('huge and hostile inputs are ignored without throwing', () => {
  assert.deepEqual(parseTraceHeader('Root=' + 'a'.repeat(100_000)).root, undefined);
  assert.equal(parseTraceHeader(undefined).root, undefined);
  assert.equal(parseTraceHeader('').root, undefined);
  const h = parseTraceHeader(`Root=${ROOT};Evil=a\r\nSet-Cookie: x=1;Lineage=\u2028`);
  assert.equal(h.root, ROOT);
  assert.deepEqual(h.extra, []);
  assert.equal(h.lineage, undefined);
});
