// The parser against the examples of AWS's filter-expression documentation, and its errors.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FilterSyntaxError } from '../src/filter/errors.js';
import { parseFilter } from '../src/filter/parser.js';

const DOCUMENTED = [
  'responsetime > 5',
  'duration >= 5 AND duration <= 8',
  'ok',
  '!partial',
  'fault',
  'error AND !throttle',
  'http.status != 200',
  'http.status = 404',
  'http.url CONTAINS "/api/game/"',
  'http.url BEGINSWITH "http://api.example.com/" AND http.url CONTAINS "/v2/" AND !service("api.example.com")',
  'http.method = "POST"',
  'user = "alice"',
  'ok AND duration < 3',
  'annotation.gameid = "817DL6VO"',
  'annotation.age > 29',
  'annotation.account',
  '!annotation.account',
  'annotation.isEnabled = true',
  'annotation[game_name] = "tic tac toe"',
  'service("api.example.com")',
  'service("api.example.com") { fault }',
  'service("api.example.com") { fault OR responsetime > 2.5 }',
  'service() { fault }',
  'service(id(name: "api.example.com", type: "AWS::EC2::Instance"))',
  'edge("api.example.com", "backend.example.com")',
  'edge("api.example.com", "backend.example.com") { error }',
  'edge(id(name: "api.example.com"), id(name: "backend.example.com", type: "AWS::EC2::Instance")) { responsetime > 3 }',
  'rootcause.fault.service { name = "Auth" }',
  'rootcause.fault.entity { name = "DynamoDB" AND remote = true }',
  'rootcause.fault.exception { name = "QueueFullError" }',
  'rootcause.error.service { type = "remote" }',
  'rootcause.responsetime.service { name = "cruddur-worker" }',
  'group.name = "Cruddur"',
  'service("cruddur-backend") { fault OR error }',
  '(fault OR error) AND NOT service("worker")',
];

void describe('filter parser', () => {
  for (const expression of DOCUMENTED) {
    void it(`parses ${expression}`, () => {
      assert.doesNotThrow(() => parseFilter(expression));
    });
  }

  void it('binds AND tighter than OR and NOT tighter than AND', () => {
    const expr = parseFilter('fault OR error AND NOT throttle');
    assert.equal(expr.kind, 'or');
    assert.ok(expr.kind === 'or' && expr.right.kind === 'and' && expr.right.right.kind === 'not');
  });

  void it('reads words case-insensitively', () => {
    assert.doesNotThrow(() => parseFilter('Fault and http.url contains "x" or not OK'));
  });

  const ERRORS: Array<[string, number, RegExp]> = [
    ['', 1, /empty/],
    ['responsetime >', 15, /expected a value/],
    ['responsetime > "slow"', 16, /is a number/],
    ['http.url = 5', 12, /string: put the value in quotes/],
    ['http.url > "a"', 10, /does not apply to http\.url/],
    ['service("a" { fault }', 13, /expected "\)"/],
    ['service("a") { fault', 21, /expected "}" to close the "{" at column 14/],
    ['(fault OR error', 16, /expected "\)" to close the "\(" at column 1/],
    ['fault OR', 9, /expected a condition/],
    ['fault error', 7, /expected AND, OR/],
    ['responsetim > 5', 1, /unknown keyword "responsetim"/],
    ['service("a") { annotation.x = 1 }', 16, /annotations cannot be combined/],
    ['http.url CONTAINS "abc', 19, /not closed/],
    ['fault && error', 7, /write AND/],
    ['edge("a") { error }', 9, /expected ","/],
    ['id(name: "a")', 1, /unknown keyword "id"/],
    ['service(id(nme: "a"))', 12, /expected name, type or account\.id/],
    ['rootcause.fault.people { name = "x" }', 1, /rootcause\.<fault\|error\|responsetime>/],
    ['annotation.bad-key = 1', 15, /unexpected character "-"/],
    ['fault = 1', 9, /true or false/],
    ['service("a") { group.name = "x" }', 16, /cannot be used inside a service filter/],
  ];
  for (const [expression, column, message] of ERRORS) {
    void it(`points at column ${column} of ${JSON.stringify(expression)}`, () => {
      assert.throws(
        () => parseFilter(expression),
        (error: unknown) => {
          assert.ok(error instanceof FilterSyntaxError, String(error));
          assert.match(error.message, message);
          assert.equal(error.column, column, error.message);
          assert.ok(error.message.startsWith(`column ${column}: `));
          return true;
        },
      );
    });
  }

  void it('draws a caret under the column', () => {
    try {
      parseFilter('responsetime > "x"');
      assert.fail('should throw');
    } catch (error) {
      assert.ok(error instanceof FilterSyntaxError);
      assert.equal(error.pointer(), 'responsetime > "x"\n               ^');
    }
  });
});
