// Tokens of X-Ray filter expressions. Keywords such as `http.url` or `annotation.feed` are read
// as one dotted word; the parser decides what a word means, so the lexer stays small.
import { FilterSyntaxError } from './errors.js';

/** Kinds of token. Words (keywords, AND/OR/NOT, operators spelled as words) are `word`. */
export type TokenKind = 'word' | 'string' | 'number' | 'op' | 'punct' | 'end';

/** One token with its 0-based offset in the expression. */
export interface Token {
  kind: TokenKind;
  /** The text: a word as written, a string's decoded value, a number's digits, an operator. */
  text: string;
  /** 0-based offset of the first character. */
  offset: number;
  /** Decoded numeric value of a `number` token. */
  value?: number;
}

const OPERATORS = ['!=', '<=', '>=', '=', '<', '>', '!'] as const;
const PUNCTUATION = new Set(['(', ')', '{', '}', ',', ':', '[', ']']);
const WORD_START = /[A-Za-z_]/;
const WORD_PART = /[A-Za-z0-9_.]/;
const NUMBER = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/;

/** Splits an expression into tokens; throws {@link FilterSyntaxError} at the first bad character. */
export function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expression.length) {
    const c = expression[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      const start = i;
      let text = '';
      i++;
      for (;;) {
        if (i >= expression.length) throw new FilterSyntaxError(expression, start, `string starting here is not closed with ${c}`);
        const d = expression[i]!;
        if (d === '\\' && i + 1 < expression.length) {
          text += expression[i + 1]!;
          i += 2;
          continue;
        }
        if (d === c) break;
        text += d;
        i++;
      }
      i++;
      tokens.push({ kind: 'string', text, offset: start });
      continue;
    }
    const number = /[-\d.]/.test(c) ? NUMBER.exec(expression.slice(i)) : null;
    if (number && !(c === '.' && !/\d/.test(expression[i + 1] ?? ''))) {
      tokens.push({ kind: 'number', text: number[0], offset: i, value: Number(number[0]) });
      i += number[0].length;
      continue;
    }
    if (WORD_START.test(c)) {
      const start = i;
      while (i < expression.length && WORD_PART.test(expression[i]!)) i++;
      tokens.push({ kind: 'word', text: expression.slice(start, i), offset: start });
      continue;
    }
    const op = OPERATORS.find((candidate) => expression.startsWith(candidate, i));
    if (op) {
      tokens.push({ kind: 'op', text: op, offset: i });
      i += op.length;
      continue;
    }
    if (PUNCTUATION.has(c)) {
      tokens.push({ kind: 'punct', text: c, offset: i });
      i++;
      continue;
    }
    if (c === '&' || c === '|') {
      const doubled = expression[i + 1] === c;
      throw new FilterSyntaxError(expression, i, `unexpected "${doubled ? c + c : c}": write ${c === '&' ? 'AND' : 'OR'}`);
    }
    throw new FilterSyntaxError(expression, i, `unexpected character ${JSON.stringify(c)}`);
  }
  tokens.push({ kind: 'end', text: '', offset: expression.length });
  return tokens;
}
