// A recursive-descent parser for X-Ray filter expressions, following the grammar in the X-Ray
// developer guide ("Using filter expressions"): keyword comparisons, annotations, service(),
// edge(), id(), rootcause.*, combined with AND, OR, NOT/! and parentheses. Precedence, from
// loosest: OR, AND, NOT. Words are case-insensitive, as in the console.
import type {
  BooleanKeyword,
  CompareOp,
  FilterExpr,
  FilterScope,
  FilterValue,
  NodeSelector,
  NumberKeyword,
  RootCauseKind,
  RootCauseTarget,
  StringKeyword,
} from './ast.js';
import { FilterSyntaxError } from './errors.js';
import { tokenize, type Token } from './lexer.js';

const BOOLEAN_KEYWORDS: Record<FilterScope, readonly BooleanKeyword[]> = {
  trace: ['ok', 'error', 'fault', 'throttle', 'partial', 'inferred'],
  service: ['ok', 'error', 'fault', 'throttle', 'root', 'inferred'],
  edge: ['ok', 'error', 'fault', 'throttle', 'inferred'],
  rootcause: ['remote', 'inferred'],
};
const NUMBER_KEYWORDS: Record<FilterScope, readonly NumberKeyword[]> = {
  trace: ['responsetime', 'duration', 'http.status'],
  service: ['responsetime', 'duration', 'http.status'],
  edge: ['responsetime', 'duration', 'http.status'],
  rootcause: [],
};
const STRING_KEYWORDS: Record<FilterScope, readonly StringKeyword[]> = {
  trace: ['http.url', 'http.method', 'http.useragent', 'http.clientip', 'user', 'group.name', 'group.arn'],
  service: ['http.url', 'http.method', 'http.useragent', 'http.clientip', 'user', 'name', 'type'],
  edge: ['http.url', 'http.method', 'http.useragent', 'http.clientip'],
  rootcause: ['name', 'type', 'message'],
};
const NUMBER_OPS: readonly CompareOp[] = ['=', '!=', '<', '<=', '>', '>='];
const STRING_OPS: readonly CompareOp[] = ['=', '!=', 'CONTAINS', 'BEGINSWITH', 'ENDSWITH'];
const WORD_OPS = new Set(['CONTAINS', 'BEGINSWITH', 'ENDSWITH']);
const ROOT_CAUSES: readonly RootCauseKind[] = ['fault', 'error', 'responsetime'];
const ROOT_TARGETS: readonly RootCauseTarget[] = ['service', 'entity', 'exception'];
const ANNOTATION_KEY = /^[A-Za-z0-9_]+$/;

function describe(token: Token): string {
  if (token.kind === 'end') return 'the end of the expression';
  if (token.kind === 'string') return `the string ${JSON.stringify(token.text)}`;
  return `"${token.text}"`;
}

class Parser {
  readonly #source: string;
  readonly #tokens: Token[];
  #index = 0;

  constructor(source: string) {
    this.#source = source;
    this.#tokens = tokenize(source);
  }

  parse(): FilterExpr {
    if (this.#peek().kind === 'end') throw this.#error(this.#peek(), 'the expression is empty');
    const expr = this.#or('trace');
    const rest = this.#peek();
    if (rest.kind !== 'end') {
      throw this.#error(rest, rest.text === ')' ? 'unmatched ")"' : `expected AND, OR or the end of the expression, found ${describe(rest)}`);
    }
    return expr;
  }

  #peek(ahead = 0): Token {
    return this.#tokens[Math.min(this.#index + ahead, this.#tokens.length - 1)]!;
  }

  #next(): Token {
    const token = this.#peek();
    if (token.kind !== 'end') this.#index++;
    return token;
  }

  #error(token: Token, reason: string): FilterSyntaxError {
    return new FilterSyntaxError(this.#source, token.offset, reason);
  }

  #isWord(token: Token, word: string): boolean {
    return token.kind === 'word' && token.text.toUpperCase() === word;
  }

  #expectPunct(text: string, context: string): Token {
    const token = this.#next();
    if (token.kind !== 'punct' || token.text !== text) throw this.#error(token, `expected "${text}" ${context}, found ${describe(token)}`);
    return token;
  }

  #or(scope: FilterScope): FilterExpr {
    let left = this.#and(scope);
    while (this.#isWord(this.#peek(), 'OR')) {
      const op = this.#next();
      left = { kind: 'or', left, right: this.#and(scope), offset: op.offset };
    }
    return left;
  }

  #and(scope: FilterScope): FilterExpr {
    let left = this.#unary(scope);
    while (this.#isWord(this.#peek(), 'AND')) {
      const op = this.#next();
      left = { kind: 'and', left, right: this.#unary(scope), offset: op.offset };
    }
    return left;
  }

  #unary(scope: FilterScope): FilterExpr {
    const token = this.#peek();
    if (this.#isWord(token, 'NOT') || (token.kind === 'op' && token.text === '!')) {
      this.#next();
      return { kind: 'not', operand: this.#unary(scope), offset: token.offset };
    }
    return this.#primary(scope);
  }

  #primary(scope: FilterScope): FilterExpr {
    const token = this.#peek();
    if (token.kind === 'punct' && token.text === '(') {
      this.#next();
      if (this.#peek().kind === 'punct' && this.#peek().text === ')') throw this.#error(this.#peek(), 'empty parentheses');
      const inner = this.#or(scope);
      const close = this.#peek();
      if (close.kind !== 'punct' || close.text !== ')') throw this.#error(close, `expected ")" to close the "(" at column ${token.offset + 1}, found ${describe(close)}`);
      this.#next();
      return inner;
    }
    if (token.kind !== 'word') {
      throw this.#error(token, token.kind === 'end' ? 'expected a condition, found the end of the expression' : `expected a keyword such as service(), responsetime or annotation.<key>, found ${describe(token)}`);
    }
    const word = token.text.toLowerCase();
    if (word === 'and' || word === 'or') throw this.#error(token, `expected a condition before ${token.text.toUpperCase()}`);
    if (word === 'service') return this.#service(scope);
    if (word === 'edge') return this.#edge(scope);
    if (word.startsWith('rootcause.')) return this.#rootCause(scope);
    if (word === 'annotation' || word.startsWith('annotation.')) return this.#annotation(scope);
    return this.#comparison(scope);
  }

  #requireTop(scope: FilterScope, token: Token, what: string): void {
    if (scope !== 'trace') throw this.#error(token, `${what} cannot be used inside a service(), edge() or rootcause filter`);
  }

  #service(scope: FilterScope): FilterExpr {
    const keyword = this.#next();
    this.#requireTop(scope, keyword, 'service()');
    this.#expectPunct('(', 'after service');
    let node: NodeSelector | undefined;
    if (!(this.#peek().kind === 'punct' && this.#peek().text === ')')) node = this.#nodeSelector('service()');
    this.#expectPunct(')', 'to close service(');
    return { kind: 'service', node, filter: this.#braces('service'), offset: keyword.offset };
  }

  #edge(scope: FilterScope): FilterExpr {
    const keyword = this.#next();
    this.#requireTop(scope, keyword, 'edge()');
    this.#expectPunct('(', 'after edge');
    const from = this.#nodeSelector('edge()');
    this.#expectPunct(',', 'between the two services of edge()');
    const to = this.#nodeSelector('edge()');
    this.#expectPunct(')', 'to close edge(');
    return { kind: 'edge', from, to, filter: this.#braces('edge'), offset: keyword.offset };
  }

  #braces(scope: FilterScope): FilterExpr | undefined {
    const open = this.#peek();
    if (open.kind !== 'punct' || open.text !== '{') return undefined;
    this.#next();
    if (this.#peek().kind === 'punct' && this.#peek().text === '}') throw this.#error(this.#peek(), 'empty { } filter');
    const inner = this.#or(scope);
    const close = this.#peek();
    if (close.kind !== 'punct' || close.text !== '}') throw this.#error(close, `expected "}" to close the "{" at column ${open.offset + 1}, found ${describe(close)}`);
    this.#next();
    return inner;
  }

  #nodeSelector(where: string): NodeSelector {
    const token = this.#next();
    if (token.kind === 'string') return { name: token.text };
    if (!this.#isWord(token, 'ID')) throw this.#error(token, `expected a service name in quotes or id(name: "…", type: "…") in ${where}, found ${describe(token)}`);
    this.#expectPunct('(', 'after id');
    const selector: NodeSelector = {};
    for (;;) {
      const key = this.#next();
      const name = key.kind === 'word' ? key.text.toLowerCase() : '';
      if (name !== 'name' && name !== 'type' && name !== 'account.id') {
        throw this.#error(key, `expected name, type or account.id in id(), found ${describe(key)}`);
      }
      this.#expectPunct(':', `after ${key.text} in id()`);
      const value = this.#next();
      if (value.kind !== 'string') throw this.#error(value, `expected a string in quotes after "${key.text}:", found ${describe(value)}`);
      if (name === 'name') selector.name = value.text;
      else if (name === 'type') selector.type = value.text;
      else selector.accountId = value.text;
      const after = this.#next();
      if (after.kind === 'punct' && after.text === ')') return selector;
      if (after.kind !== 'punct' || after.text !== ',') throw this.#error(after, `expected "," or ")" in id(), found ${describe(after)}`);
    }
  }

  #rootCause(scope: FilterScope): FilterExpr {
    const token = this.#next();
    this.#requireTop(scope, token, 'rootcause');
    const parts = token.text.toLowerCase().split('.');
    const cause = parts[1] as RootCauseKind;
    const target = parts[2] as RootCauseTarget;
    if (parts.length !== 3 || !ROOT_CAUSES.includes(cause) || !ROOT_TARGETS.includes(target)) {
      throw this.#error(token, `unknown keyword "${token.text}": expected rootcause.<fault|error|responsetime>.<service|entity|exception>`);
    }
    return { kind: 'rootcause', cause, target, filter: this.#braces('rootcause'), offset: token.offset };
  }

  #annotation(scope: FilterScope): FilterExpr {
    const token = this.#next();
    if (scope !== 'trace') throw this.#error(token, 'annotations cannot be combined with service(), edge() or rootcause filters');
    let key: string;
    if (token.text.toLowerCase() === 'annotation') {
      // annotation[key] is the documented form for keys that a dotted word cannot hold.
      this.#expectPunct('[', 'after annotation (write annotation.<key> or annotation[<key>])');
      const keyToken = this.#next();
      if (keyToken.kind !== 'word' && keyToken.kind !== 'string') throw this.#error(keyToken, `expected an annotation key, found ${describe(keyToken)}`);
      key = keyToken.text;
      this.#expectPunct(']', 'after the annotation key');
    } else {
      key = token.text.slice('annotation.'.length);
      if (!ANNOTATION_KEY.test(key)) {
        throw new FilterSyntaxError(this.#source, token.offset + 'annotation.'.length, `annotation keys hold only letters, digits and _ , got ${JSON.stringify(key)}`);
      }
    }
    const op = this.#operator();
    if (!op) return { kind: 'annotation', key, op: undefined, value: undefined, offset: token.offset };
    const value = this.#value(op.token);
    if (typeof value === 'boolean' && op.op !== '=' && op.op !== '!=') throw this.#error(op.token, `${op.op} does not apply to true/false`);
    if (typeof value === 'number' && WORD_OPS.has(op.op)) throw this.#error(op.token, `${op.op} applies to strings, not to the number ${String(value)}`);
    if (typeof value === 'string' && !STRING_OPS.includes(op.op)) throw this.#error(op.token, `${op.op} compares numbers, not the string ${JSON.stringify(value)}`);
    return { kind: 'annotation', key, op: op.op, value, offset: token.offset };
  }

  #operator(): { op: CompareOp; token: Token } | undefined {
    const token = this.#peek();
    if (token.kind === 'op' && token.text !== '!') {
      this.#next();
      return { op: token.text as CompareOp, token };
    }
    if (token.kind === 'word' && WORD_OPS.has(token.text.toUpperCase())) {
      this.#next();
      return { op: token.text.toUpperCase() as CompareOp, token };
    }
    return undefined;
  }

  #value(after: Token): FilterValue {
    const token = this.#next();
    if (token.kind === 'string') return token.text;
    if (token.kind === 'number') return token.value!;
    if (this.#isWord(token, 'TRUE')) return true;
    if (this.#isWord(token, 'FALSE')) return false;
    throw this.#error(token, `expected a value (a "string", a number, true or false) after ${after.text}, found ${describe(token)}`);
  }

  #comparison(scope: FilterScope): FilterExpr {
    const token = this.#next();
    const word = token.text.toLowerCase();
    const booleans = BOOLEAN_KEYWORDS[scope] as readonly string[];
    const numbers = NUMBER_KEYWORDS[scope] as readonly string[];
    const strings = STRING_KEYWORDS[scope] as readonly string[];
    if (booleans.includes(word)) {
      const keyword = word as BooleanKeyword;
      const op = this.#operator();
      if (!op) return { kind: 'flag', keyword, offset: token.offset };
      if (op.op !== '=' && op.op !== '!=') throw this.#error(op.token, `${word} is true or false: compare it with = or !=`);
      const value = this.#value(op.token);
      if (typeof value !== 'boolean') throw this.#error(this.#peek(-1), `${word} is true or false, not ${JSON.stringify(value)}`);
      return { kind: 'compare', field: keyword, op: op.op, value, offset: token.offset };
    }
    if (numbers.includes(word) || strings.includes(word)) {
      const isNumber = numbers.includes(word);
      const op = this.#operator();
      if (!op) throw this.#error(this.#peek(), `expected an operator after ${word} (${(isNumber ? NUMBER_OPS : STRING_OPS).join(' ')}), found ${describe(this.#peek())}`);
      const allowed = isNumber ? NUMBER_OPS : STRING_OPS;
      if (!allowed.includes(op.op)) throw this.#error(op.token, `${op.op} does not apply to ${word}; use one of ${allowed.join(' ')}`);
      const valueToken = this.#peek();
      const value = this.#value(op.token);
      if (isNumber && typeof value !== 'number') throw this.#error(valueToken, `${word} is a number, got ${describe(valueToken)}`);
      if (!isNumber && typeof value !== 'string') throw this.#error(valueToken, `${word} is a string: put the value in quotes`);
      return { kind: 'compare', field: word as NumberKeyword | StringKeyword, op: op.op, value, offset: token.offset };
    }
    const known = [...booleans, ...numbers, ...strings];
    const anywhere = ['ok', 'error', 'fault', 'throttle', 'partial', 'responsetime', 'duration', 'http.status', 'http.url', 'http.method', 'user', 'group.name', 'name', 'type', 'message', 'remote', 'root'];
    if (anywhere.includes(word)) throw this.#error(token, `${word} cannot be used ${scope === 'trace' ? 'at the top level' : `inside a ${scope} filter`}; here: ${known.join(', ')}`);
    throw this.#error(token, `unknown keyword "${token.text}"`);
  }
}

/**
 * Parses an X-Ray filter expression. Throws {@link FilterSyntaxError} with the column of the first
 * mistake (1-based) and a message saying what was expected there.
 *
 * @example parseFilter('service("cruddur-backend") { fault OR responsetime > 0.5 }')
 */
export function parseFilter(expression: string): FilterExpr {
  return new Parser(expression).parse();
}
