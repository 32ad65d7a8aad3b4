// W3C tracestate: the spec's examples, member-level validation, limits and truncation, and
// 100,000 fuzzed inputs.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatTracestate, MAX_TRACESTATE_LENGTH, normaliseTracestate, parseTracestate, type TraceStateEntry } from '../src/internal.js';
import { FORBIDDEN_IN_HEADERS, fuzzer } from './support/fuzz.js';

// The whole header as the Level 2 grammar defines it (keys and values, no OWS in our output).
const MEMBER = '[a-z0-9][a-z0-9_\\-*/@]{0,255}=[\\x20-\\x2b\\x2d-\\x3c\\x3e-\\x7e]{0,255}[\\x21-\\x2b\\x2d-\\x3c\\x3e-\\x7e]';
const HEADER = new RegExp(`^${MEMBER}(?:,${MEMBER}){0,31}$`);

void describe('parseTracestate: the spec examples', () => {
  test('single and multiple tracing systems, order kept', () => {
    assert.deepEqual(parseTracestate('rojo=00f067aa0ba902b7'), [['rojo', '00f067aa0ba902b7']]);
    assert.deepEqual(parseTracestate('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE'), [
      ['rojo', '00f067aa0ba902b7'],
      ['congo', 't61rcWkgMzE'],
    ]);
    assert.deepEqual(parseTracestate('congo=ucfJifl5GOE,rojo=00f067aa0ba902b7'), [
      ['congo', 'ucfJifl5GOE'],
      ['rojo', '00f067aa0ba902b7'],
    ]);
    assert.equal(formatTracestate(parseTracestate('vendorname1=opaqueValue1,vendorname2=opaqueValue2')), 'vendorname1=opaqueValue1,vendorname2=opaqueValue2');
  });

  test('multi-tenant keys and keys starting with a digit', () => {
    assert.deepEqual(parseTracestate('fw529a3039@dt=abc,001@xyz=1,1a-_*/2b@foo=bar'), [
      ['fw529a3039@dt', 'abc'],
      ['001@xyz', '1'],
      ['1a-_*/2b@foo', 'bar'],
    ]);
  });

  test('empty headers and empty or whitespace-only members are accepted and skipped', () => {
    assert.deepEqual(parseTracestate(''), []);
    assert.deepEqual(parseTracestate(' , \t,'), []);
    assert.deepEqual(parseTracestate(' foo=1 ,\t, bar=2\t'), [
      ['foo', '1'],
      ['bar', '2'],
    ]);
  });

  test('leading spaces of a value are part of it; trailing ones are optional whitespace', () => {
    assert.deepEqual(parseTracestate('foo=  bar  ,baz=1'), [
      ['foo', '  bar'],
      ['baz', '1'],
    ]);
  });

  test('several header fields are combined in order', () => {
    assert.deepEqual(parseTracestate(['foo=1', 'bar=2,baz=3']), [
      ['foo', '1'],
      ['bar', '2'],
      ['baz', '3'],
    ]);
  });

  test('every printable character a value may hold', () => {
    const value = Array.from({ length: 0x7e - 0x20 + 1 }, (_, i) => String.fromCharCode(0x20 + i))
      .filter((c) => c !== ',' && c !== '=' && c !== ' ')
      .join('');
    assert.deepEqual(parseTracestate(`foo=${value}`), [['foo', value]]);
  });
});

void describe('parseTracestate: invalid members are dropped, the others kept', () => {
  const cases: Array<[string, string, string[]]> = [
    ['upper-case key', 'foo=1,BAR=2,baz=3', ['foo', 'baz']],
    ['a space inside the key', 'foo =1,bar=2', ['bar']],
    ['an illegal key character', 'foo.bar=1,baz=2', ['baz']],
    ['a key starting with _', '_foo=1,baz=2', ['baz']],
    ['an empty key', '=1,baz=2', ['baz']],
    ['an empty value', 'foo=,baz=2', ['baz']],
    ['no equals sign', 'foo,baz=2', ['baz']],
    ['= inside the value', 'foo=a=b,baz=2', ['baz']],
    ['a tab inside the value', 'foo=a\tb,baz=2', ['baz']],
    ['a non-ASCII value', 'foo=é,baz=2', ['baz']],
    ['CR/LF/NUL inside a value', 'foo=a\r\nx: y,bar=a\0b,baz=2', ['baz']],
    ['a key seen again (the leftmost is the most recent position)', 'foo=1,foo=2,baz=3', ['foo', 'baz']],
  ];
  for (const [name, header, keys] of cases) {
    test(name, () => assert.deepEqual(parseTracestate(header).map(([k]) => k), keys));
  }

  test('the duplicate keeps its first value', () => {
    assert.deepEqual(parseTracestate('foo=1,foo=2'), [['foo', '1']]);
  });

  test('key and value length limits: 256 characters each', () => {
    const key256 = 'k'.repeat(256);
    const value256 = 'v'.repeat(256);
    assert.deepEqual(parseTracestate(`${key256}=1`).length, 1);
    assert.deepEqual(parseTracestate(`${key256}k=1`), []);
    assert.deepEqual(parseTracestate(`foo=${value256}`).length, 1);
    assert.deepEqual(parseTracestate(`foo=${value256}v`), []);
  });
});

void describe('limits', () => {
  test('32 members are kept; a 33rd is dropped from the end', () => {
    const members = Array.from({ length: 33 }, (_, i) => `k${i}=${i}`);
    assert.equal(parseTracestate(members.slice(0, 32).join(',')).length, 32);
    const parsed = parseTracestate(members.join(','));
    assert.equal(parsed.length, 32);
    assert.equal(parsed.at(-1)?.[0], 'k31');
  });

  test(`beyond ${MAX_TRACESTATE_LENGTH} characters: entries over 128 go first, then entries from the end`, () => {
    const small = Array.from({ length: 5 }, (_, i): TraceStateEntry => [`s${i}`, 'x'.repeat(90)]);
    const long: TraceStateEntry = ['long', 'y'.repeat(200)];
    const header = formatTracestate([small[0]!, long, ...small.slice(1)]);
    assert.equal(header, small.map(([k, v]) => `${k}=${v}`).join(','), 'the long entry went, the small ones fit');
    const many = Array.from({ length: 10 }, (_, i): TraceStateEntry => [`m${i}`, 'z'.repeat(60)]);
    const kept = parseTracestate(many.map(([k, v]) => `${k}=${v}`).join(','));
    assert.deepEqual(
      kept.map(([k]) => k),
      ['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7'],
    );
    assert.ok((formatTracestate(kept) ?? '').length <= MAX_TRACESTATE_LENGTH);
  });

  test('a header over 8 KiB is ignored whole', () => {
    assert.deepEqual(parseTracestate(`foo=1,${'x'.repeat(9000)}`), []);
  });
});

void describe('formatTracestate / normaliseTracestate', () => {
  test('round trip, no empty header', () => {
    assert.equal(formatTracestate([['rojo', '00f067aa0ba902b7'], ['congo', 't61rcWkgMzE']]), 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE');
    assert.equal(formatTracestate([]), undefined);
    assert.equal(formatTracestate([['BAD', 'x']]), undefined);
    assert.equal(normaliseTracestate(' rojo=1 , ,congo=2'), 'rojo=1,congo=2');
    assert.equal(normaliseTracestate('a\r\nb'), undefined);
    assert.equal(normaliseTracestate(undefined), undefined);
  });

  test('entries given in code are checked as well', () => {
    assert.equal(formatTracestate([['ok', '1'], ['no', 'a,b'], ['ok', '2'], ['inj', 'x\r\ny']]), 'ok=1');
  });
});

void test('fuzz: 100,000 random and mutated values never throw; what is kept re-formats to a valid header', () => {
  const seed = 0x5ea7e;
  const f = fuzzer(seed);
  const alphabet = 'abcxyz019_-*/@ABC,,,=== \t\r\n\0.é😀\x7f"!~';
  const seeds = ['rojo=00f067aa0ba902b7,congo=t61rcWkgMzE', 'foo=1, bar= 2 ,,baz=3', 'fw529a3039@dt=abc,001@xyz=1', Array.from({ length: 40 }, (_, i) => `k${i}=${'v'.repeat(i * 3 + 1)}`).join(',')];
  let kept = 0;
  for (let i = 0; i < 100_000; i++) {
    let input: string;
    if (i % 4 === 0) input = f.string(alphabet, f.int(120));
    else {
      input = f.pick(seeds);
      for (let m = 1 + f.int(4); m > 0; m--) input = f.mutate(input, alphabet);
    }
    let entries: TraceStateEntry[];
    try {
      entries = parseTracestate(input);
    } catch (err) {
      assert.fail(`seed ${seed}, input #${i} ${JSON.stringify(input)} threw ${String(err)}`);
    }
    assert.ok(entries.length <= 32);
    const out = formatTracestate(entries);
    if (entries.length === 0) {
      assert.equal(out, undefined);
      continue;
    }
    kept++;
    assert.ok(out !== undefined && HEADER.test(out), `#${i} ${JSON.stringify(input)} re-formats to ${JSON.stringify(out)}`);
    assert.ok(!FORBIDDEN_IN_HEADERS.test(out) && out.length <= MAX_TRACESTATE_LENGTH);
    assert.deepEqual(parseTracestate(out), entries, 'what we forward parses back to the same entries');
    assert.equal(new Set(entries.map(([k]) => k)).size, entries.length, 'keys are unique');
  }
  assert.ok(kept > 10_000, `enough inputs keep members to test re-formatting (${kept})`);
});
