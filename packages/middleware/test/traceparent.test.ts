// W3C traceparent: the spec's own examples, the W3C test suite's valid/invalid cases, the id
// mapping to X-Ray, and 100,000 fuzzed inputs.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatTraceparent, parseTraceparent, w3cToXrayTraceId, xrayToW3cTraceId } from '../src/internal.js';
import { FORBIDDEN_IN_HEADERS, fuzzer } from './support/fuzz.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';
const VALID = `00-${TRACE_ID}-${SPAN_ID}-01`;
const FORMATTED = /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/;

void describe('parseTraceparent: valid', () => {
  test("the spec's examples: sampled and not sampled", () => {
    assert.deepEqual(parseTraceparent(VALID), { version: '00', traceId: TRACE_ID, parentId: SPAN_ID, flags: 1, sampled: true });
    assert.deepEqual(parseTraceparent(`00-${TRACE_ID}-${SPAN_ID}-00`), { version: '00', traceId: TRACE_ID, parentId: SPAN_ID, flags: 0, sampled: false });
    assert.equal(parseTraceparent('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')?.parentId, 'b7ad6b7169203331');
  });

  test('flags are a bit field: 09 is sampled, 02 (random trace id) is not', () => {
    assert.equal(parseTraceparent(`00-${TRACE_ID}-${SPAN_ID}-09`)?.sampled, true);
    assert.deepEqual(parseTraceparent(`00-${TRACE_ID}-${SPAN_ID}-02`)?.flags, 2);
    assert.equal(parseTraceparent(`00-${TRACE_ID}-${SPAN_ID}-02`)?.sampled, false);
  });

  test('a higher version: the first four fields are read, the rest ignored', () => {
    assert.deepEqual(parseTraceparent(`cc-${TRACE_ID}-${SPAN_ID}-01-what-the-future-will-be-like`), {
      version: 'cc',
      traceId: TRACE_ID,
      parentId: SPAN_ID,
      flags: 1,
      sampled: true,
    });
    assert.equal(parseTraceparent(`cc-${TRACE_ID}-${SPAN_ID}-01`)?.version, 'cc');
    assert.equal(parseTraceparent(`01-${TRACE_ID}-${SPAN_ID}-00-`)?.sampled, false);
  });

  test('optional whitespace around the value (spaces and tabs) is ignored', () => {
    for (const v of [` ${VALID}`, `\t${VALID}`, `${VALID} `, `${VALID}\t`, `\t ${VALID} \t`]) assert.equal(parseTraceparent(v)?.traceId, TRACE_ID, JSON.stringify(v));
  });

  test('one value in an array is read like a string', () => {
    assert.equal(parseTraceparent([VALID])?.parentId, SPAN_ID);
  });
});

void describe('parseTraceparent: invalid (the trace restarts)', () => {
  const cases: Array<[string, unknown]> = [
    ['absent', undefined],
    ['null', null],
    ['empty', ''],
    ['version ff', `ff-${TRACE_ID}-${SPAN_ID}-01`],
    ['version with an illegal character', `.0-${TRACE_ID}-${SPAN_ID}-01`],
    ['version with an illegal character (2)', `0.-${TRACE_ID}-${SPAN_ID}-01`],
    ['upper-case version', `AA-${TRACE_ID}-${SPAN_ID}-01`],
    ['version too long', `000-${TRACE_ID}-${SPAN_ID}-01`],
    ['version too short', `0-${TRACE_ID}-${SPAN_ID}-01`],
    ['version 00 with trailing data', `00-${TRACE_ID}-${SPAN_ID}-01-what-the-future-will-be-like`],
    ['version 00 with a trailing character', `00-${TRACE_ID}-${SPAN_ID}-01.`],
    ['higher version, flags not followed by a dash', `cc-${TRACE_ID}-${SPAN_ID}-01.what-the-future-will-be-like`],
    ['higher version shorter than 55', `cc-${TRACE_ID}-${SPAN_ID}-1`],
    ['all-zero trace id', `00-${'0'.repeat(32)}-${SPAN_ID}-01`],
    ['all-zero parent id', `00-${TRACE_ID}-${'0'.repeat(16)}-01`],
    ['upper-case trace id', `00-${TRACE_ID.toUpperCase()}-${SPAN_ID}-01`],
    ['one upper-case hex digit in the trace id', `00-4BF92f3577b34da6a3ce929d0e0e4736-${SPAN_ID}-01`],
    ['upper-case parent id', `00-${TRACE_ID}-00F067AA0BA902B7-01`],
    ['upper-case flags', `00-${TRACE_ID}-${SPAN_ID}-0A`],
    ['trace id with an illegal character', `00-${TRACE_ID.slice(0, 31)}.-${SPAN_ID}-01`],
    ['trace id too long', `00-${TRACE_ID}0-${SPAN_ID}-01`],
    ['trace id too short', `00-${TRACE_ID.slice(1)}-${SPAN_ID}-01`],
    ['parent id too long', `00-${TRACE_ID}-${SPAN_ID}0-01`],
    ['parent id too short', `00-${TRACE_ID}-${SPAN_ID.slice(1)}-01`],
    ['parent id with an illegal character', `00-${TRACE_ID}-${SPAN_ID.slice(0, 15)}g-01`],
    ['flags with an illegal character', `00-${TRACE_ID}-${SPAN_ID}-.0`],
    ['flags too long', `00-${TRACE_ID}-${SPAN_ID}-001`],
    ['flags too short', `00-${TRACE_ID}-${SPAN_ID}-0`],
    ['wrong separator', `00_${TRACE_ID}_${SPAN_ID}_01`],
    ['two values (a repeated header)', [VALID, VALID]],
    ['two values joined by Node', `${VALID}, ${VALID}`],
    ['a CRLF inside', `00-${TRACE_ID}-${SPAN_ID}-01\r\nx: y`],
    ['a number', 42],
    ['very long', `cc-${TRACE_ID}-${SPAN_ID}-01-${'x'.repeat(10_000)}`],
  ];
  for (const [name, value] of cases) {
    test(name, () => assert.equal(parseTraceparent(value as string), undefined));
  }
});

void describe('formatTraceparent', () => {
  test('writes version 00 with only the sampled flag', () => {
    assert.equal(formatTraceparent({ traceId: TRACE_ID, parentId: SPAN_ID, sampled: true }), VALID);
    assert.equal(formatTraceparent({ traceId: TRACE_ID, parentId: SPAN_ID, sampled: false }), `00-${TRACE_ID}-${SPAN_ID}-00`);
  });

  test('refuses to write an invalid header', () => {
    assert.equal(formatTraceparent({ traceId: TRACE_ID.toUpperCase(), parentId: SPAN_ID, sampled: true }), undefined);
    assert.equal(formatTraceparent({ traceId: '0'.repeat(32), parentId: SPAN_ID, sampled: true }), undefined);
    assert.equal(formatTraceparent({ traceId: TRACE_ID, parentId: 'x\r\n', sampled: true }), undefined);
  });

  test('a higher version is downgraded to 00 when forwarded', () => {
    const parsed = parseTraceparent(`cc-${TRACE_ID}-${SPAN_ID}-01-future`);
    assert.ok(parsed);
    assert.equal(formatTraceparent(parsed), VALID);
  });
});

void describe('trace id mapping', () => {
  test('X-Ray ⇔ W3C exactly', () => {
    assert.equal(xrayToW3cTraceId('1-5759e988-bd862e3fe1be46a994272793'), '5759e988bd862e3fe1be46a994272793');
    assert.equal(w3cToXrayTraceId('5759e988bd862e3fe1be46a994272793'), '1-5759e988-bd862e3fe1be46a994272793');
    assert.equal(w3cToXrayTraceId(TRACE_ID), '1-4bf92f35-77b34da6a3ce929d0e0e4736');
    assert.equal(xrayToW3cTraceId(w3cToXrayTraceId(TRACE_ID) as string), TRACE_ID);
  });

  test('invalid ids do not map', () => {
    assert.equal(xrayToW3cTraceId('1-5759e988-bd862e3fe1be46a99427279'), undefined);
    assert.equal(xrayToW3cTraceId('2-5759e988-bd862e3fe1be46a994272793'), undefined);
    assert.equal(xrayToW3cTraceId('1-00000000-000000000000000000000000'), undefined);
    assert.equal(w3cToXrayTraceId(TRACE_ID.toUpperCase()), undefined);
    assert.equal(w3cToXrayTraceId('0'.repeat(32)), undefined);
  });
});

void test('fuzz: 100,000 random and mutated values never throw; every accepted one re-formats to a valid header', () => {
  const seed = 0x7ace9a;
  const f = fuzzer(seed);
  const alphabet = '0123456789abcdefABCDEF-- \t\r\n\0xg.,;=é😀\u2028\x7f';
  const seeds = [VALID, `00-${TRACE_ID}-${SPAN_ID}-00`, `cc-${TRACE_ID}-${SPAN_ID}-01-future`, `01-${TRACE_ID}-${SPAN_ID}-09`];
  let accepted = 0;
  for (let i = 0; i < 100_000; i++) {
    let input: string;
    if (i % 4 === 0) input = f.string(alphabet, f.int(80));
    else {
      input = f.pick(seeds);
      for (let m = 1 + f.int(3); m > 0; m--) input = f.mutate(input, alphabet);
    }
    let parsed;
    try {
      parsed = parseTraceparent(input);
    } catch (err) {
      assert.fail(`seed ${seed}, input #${i} ${JSON.stringify(input)} threw ${String(err)}`);
    }
    if (!parsed) continue;
    accepted++;
    const out = formatTraceparent(parsed);
    assert.ok(out !== undefined && FORMATTED.test(out), `#${i} ${JSON.stringify(input)} re-formats to ${String(out)}`);
    assert.ok(!FORBIDDEN_IN_HEADERS.test(out));
    const again = parseTraceparent(out);
    assert.deepEqual([again?.traceId, again?.parentId, again?.sampled], [parsed.traceId, parsed.parentId, parsed.sampled]);
  }
  assert.ok(accepted > 1_000, `the mutations keep enough values valid to test re-formatting (${accepted})`);
});
