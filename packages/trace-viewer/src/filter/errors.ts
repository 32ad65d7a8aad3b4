// The one error type of the filter language: it carries the column so every front end (the web
// view's search box, the terminal, the X-Ray API) can point at the mistake.

/** A filter expression that cannot be parsed; `column` is 1-based, `offset` 0-based. */
export class FilterSyntaxError extends Error {
  override readonly name = 'FilterSyntaxError';
  /** The expression as given. */
  readonly expression: string;
  /** 0-based character offset of the mistake. */
  readonly offset: number;
  /** 1-based column of the mistake, as shown to people. */
  readonly column: number;
  /** The explanation without the column prefix. */
  readonly reason: string;

  constructor(expression: string, offset: number, reason: string) {
    const clamped = Math.max(0, Math.min(offset, expression.length));
    super(`column ${clamped + 1}: ${reason}`);
    this.expression = expression;
    this.offset = clamped;
    this.column = clamped + 1;
    this.reason = reason;
  }

  /** The expression on one line and a caret under the column on the next, for terminals. */
  pointer(): string {
    const line = this.expression.replace(/[\r\n\t]/g, ' ');
    return `${line}\n${' '.repeat(this.offset)}^`;
  }
}
