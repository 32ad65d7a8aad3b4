// Groups: named filter expressions, as X-Ray keeps them. Loaded from the same JSON the workshop
// passes to `aws xray create-group --cli-input-json`, created from the page or through the
// CreateGroup API; the trace list and the service graph can be narrowed to one.
import { readFileSync } from 'node:fs';
import type { FilterExpr } from './filter/ast.js';
import { FilterSyntaxError } from './filter/errors.js';
import { parseFilter } from './filter/parser.js';

/** A group as the viewer holds it. */
export interface Group {
  name: string;
  arn: string;
  /** The expression as written; undefined for the `Default` group (every trace). */
  filterExpression: string | undefined;
  /** The parsed expression. */
  filter: FilterExpr | undefined;
}

/** A bad group: a name taken or malformed, an expression that does not parse, an unknown group. */
export class GroupError extends Error {
  override readonly name = 'GroupError';
  /** `InvalidRequestException` for bad input; X-Ray answers unknown groups the same way. */
  readonly code: 'InvalidRequestException';
  /** Set when the expression did not parse. */
  readonly syntax: FilterSyntaxError | undefined;

  constructor(message: string, syntax?: FilterSyntaxError) {
    super(message);
    this.code = 'InvalidRequestException';
    this.syntax = syntax;
  }
}

/** The reserved group holding every trace, as X-Ray lists it. */
export const DEFAULT_GROUP = 'Default';
const NAME = /^[A-Za-z0-9_-]{1,32}$/;
const ACCOUNT = '000000000000';
const REGION = 'us-east-1';

/** Parses and validates a group's expression; throws {@link GroupError} pointing at the column. */
function compile(name: string, expression: string | undefined): FilterExpr | undefined {
  if (expression === undefined || expression.trim() === '') return undefined;
  try {
    return parseFilter(expression);
  } catch (error) {
    if (error instanceof FilterSyntaxError) throw new GroupError(`group ${name}: invalid filter expression: ${error.message}`, error);
    throw error;
  }
}

/** The groups of one viewer. Names are case-sensitive, as in X-Ray. */
export class GroupStore {
  readonly #groups = new Map<string, Group>();
  #counter = 0;

  constructor() {
    this.#groups.set(DEFAULT_GROUP, { name: DEFAULT_GROUP, arn: `arn:aws:xray:${REGION}:${ACCOUNT}:group/${DEFAULT_GROUP}`, filterExpression: undefined, filter: undefined });
  }

  /** Every group, `Default` first, then by name. */
  list(): Group[] {
    return [...this.#groups.values()].sort((a, b) => (a.name === DEFAULT_GROUP ? -1 : b.name === DEFAULT_GROUP ? 1 : a.name.localeCompare(b.name)));
  }

  /** A group by name or ARN. */
  get(nameOrArn: string): Group | undefined {
    return this.#groups.get(nameOrArn) ?? [...this.#groups.values()].find((group) => group.arn === nameOrArn);
  }

  /** Creates a group; throws {@link GroupError} when the name is taken or invalid or the expression does not parse. */
  create(name: string, filterExpression: string | undefined): Group {
    if (!NAME.test(name)) throw new GroupError(`group name must be 1-32 letters, digits, - or _, got ${JSON.stringify(name)}`);
    if (name === DEFAULT_GROUP) throw new GroupError(`${DEFAULT_GROUP} is a reserved group name`);
    if (this.#groups.has(name)) throw new GroupError(`group ${name} already exists`);
    const filter = compile(name, filterExpression);
    this.#counter++;
    const suffix = `${Date.now().toString(36).toUpperCase()}${this.#counter}`.padStart(26, '0').slice(-26);
    const group: Group = { name, arn: `arn:aws:xray:${REGION}:${ACCOUNT}:group/${name}/${suffix}`, filterExpression, filter };
    this.#groups.set(name, group);
    return group;
  }

  /** Replaces a group's expression. */
  update(nameOrArn: string, filterExpression: string | undefined): Group {
    const group = this.get(nameOrArn);
    if (!group) throw new GroupError(`group ${nameOrArn} not found`);
    if (group.name === DEFAULT_GROUP) throw new GroupError(`the ${DEFAULT_GROUP} group cannot be changed`);
    const updated: Group = { ...group, filterExpression, filter: compile(group.name, filterExpression) };
    this.#groups.set(group.name, updated);
    return updated;
  }

  /** Deletes a group; throws when unknown or `Default`. */
  delete(nameOrArn: string): void {
    const group = this.get(nameOrArn);
    if (!group) throw new GroupError(`group ${nameOrArn} not found`);
    if (group.name === DEFAULT_GROUP) throw new GroupError(`the ${DEFAULT_GROUP} group cannot be deleted`);
    this.#groups.delete(group.name);
  }

  /**
   * Loads groups from a JSON file in the AWS CLI's `--cli-input-json` shape for create-group
   * (`{"GroupName": …, "FilterExpression": …}`), an array of those, or `{"Groups": [...]}` as
   * GetGroups returns. Throws naming the file, the entry and what was expected.
   */
  loadFile(path: string): Group[] {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new GroupError(`${path}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const entries: unknown[] = Array.isArray(parsed)
      ? parsed
      : typeof parsed === 'object' && parsed !== null && Array.isArray((parsed as { Groups?: unknown }).Groups)
        ? (parsed as { Groups: unknown[] }).Groups
        : [parsed];
    return entries.map((entry, index) => {
      const where = entries.length > 1 ? `${path} [${index}]` : path;
      if (typeof entry !== 'object' || entry === null) throw new GroupError(`${where}: expected an object with GroupName and FilterExpression`);
      const { GroupName: name, FilterExpression: expression } = entry as { GroupName?: unknown; FilterExpression?: unknown };
      if (typeof name !== 'string') throw new GroupError(`${where}: GroupName is ${JSON.stringify(name)}; expected a string`);
      if (expression !== undefined && typeof expression !== 'string') throw new GroupError(`${where}: FilterExpression is ${JSON.stringify(expression)}; expected a string`);
      try {
        return this.#groups.has(name) && name !== DEFAULT_GROUP ? this.update(name, expression) : this.create(name, expression);
      } catch (error) {
        if (error instanceof GroupError) throw new GroupError(`${where}: ${error.message}`, error.syntax);
        throw error;
      }
    });
  }
}
