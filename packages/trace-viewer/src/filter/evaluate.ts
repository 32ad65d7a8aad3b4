// Evaluating a parsed filter expression against one trace's facts. A comparison on a value the
// trace does not have is false (X-Ray returns no trace for `http.status = 500` when no status was
// recorded), `!` negates the whole condition after it.
import { traceFacts, type CallFacts, type FactsNode, type GraphNodeRef, type RootCause, type TraceFacts } from '../graph/trace-facts.js';
import type { Trace } from '../types.js';
import type { CompareOp, FilterExpr, FilterValue, NodeSelector, RootCauseTarget } from './ast.js';

/** What an expression may refer to besides the trace: the groups, for `group.name = "…"`. */
export interface FilterContext {
  /** The parsed expression of a group by name (and its ARN), or undefined when there is no such group. */
  group?: (name: string) => { arn: string; filter: FilterExpr | undefined } | undefined;
  /** Every group name, for `group.name CONTAINS …`. */
  groupNames?: () => string[];
}

/** A subject inside service()/edge(): one request or call, and the node it reached. */
interface CallSubject {
  call: CallFacts;
  node: GraphNodeRef;
}

const MAX_GROUP_DEPTH = 8;

function compare(actual: FilterValue | undefined, op: CompareOp, expected: FilterValue): boolean {
  if (actual === undefined || typeof actual !== typeof expected) return false;
  switch (op) {
    case '=':
      return actual === expected;
    case '!=':
      return actual !== expected;
    case '<':
      return actual < expected;
    case '<=':
      return actual <= expected;
    case '>':
      return actual > expected;
    case '>=':
      return actual >= expected;
    case 'CONTAINS':
      return String(actual).includes(String(expected));
    case 'BEGINSWITH':
      return String(actual).startsWith(String(expected));
    case 'ENDSWITH':
      return String(actual).endsWith(String(expected));
  }
}

function selects(selector: NodeSelector | undefined, node: GraphNodeRef): boolean {
  if (node.kind === 'client') return false;
  if (!selector) return true;
  if (selector.name !== undefined && selector.name !== node.name) return false;
  if (selector.type !== undefined && selector.type !== node.type) return false;
  return true;
}

function httpValue(http: CallFacts['http'], field: string): FilterValue | undefined {
  switch (field) {
    case 'http.url':
      return http?.url;
    case 'http.method':
      return http?.method;
    case 'http.status':
      return http?.status;
    case 'http.useragent':
      return http?.userAgent;
    case 'http.clientip':
      return http?.clientIp;
    default:
      return undefined;
  }
}

function traceValue(facts: TraceFacts, field: string): FilterValue | undefined {
  switch (field) {
    case 'responsetime':
      return facts.responseTime;
    case 'duration':
      return facts.duration;
    case 'ok':
      return facts.ok;
    case 'error':
      return facts.trace.hasError;
    case 'fault':
      return facts.trace.hasFault;
    case 'throttle':
      return facts.trace.hasThrottle;
    case 'partial':
      return facts.partial;
    case 'inferred':
      return facts.inferred;
    default:
      return httpValue(facts.http, field);
  }
}

function callValue(subject: CallSubject, field: string): FilterValue | undefined {
  const { call, node } = subject;
  switch (field) {
    case 'responsetime':
    case 'duration':
      return call.responseTime;
    case 'ok':
    case 'error':
    case 'fault':
    case 'throttle':
    case 'root':
    case 'inferred':
      return call[field];
    case 'name':
      return node.name;
    case 'type':
      return node.type;
    case 'user':
      return call.node.user;
    default:
      return httpValue(call.http, field);
  }
}

function causeValue(cause: RootCause, target: RootCauseTarget, field: string): FilterValue | undefined {
  if (field === 'remote') return cause.remote;
  if (field === 'inferred') return cause.inferred;
  if (target === 'service') return field === 'name' ? cause.service.name : field === 'type' ? cause.service.type : undefined;
  if (target === 'entity') return field === 'name' ? cause.entity.name : field === 'message' ? cause.exception?.message : undefined;
  return field === 'name' ? cause.exception?.type : field === 'message' ? cause.exception?.message : undefined;
}

type Lookup = (field: string) => FilterValue | undefined;

class Evaluator {
  readonly #context: FilterContext;
  #depth = 0;

  constructor(context: FilterContext) {
    this.#context = context;
  }

  trace(expr: FilterExpr, facts: TraceFacts): boolean {
    return this.#eval(expr, (field) => traceValue(facts, field), facts);
  }

  #eval(expr: FilterExpr, lookup: Lookup, facts: TraceFacts | undefined): boolean {
    switch (expr.kind) {
      case 'and':
        return this.#eval(expr.left, lookup, facts) && this.#eval(expr.right, lookup, facts);
      case 'or':
        return this.#eval(expr.left, lookup, facts) || this.#eval(expr.right, lookup, facts);
      case 'not':
        return !this.#eval(expr.operand, lookup, facts);
      case 'flag':
        return lookup(expr.keyword) === true;
      case 'compare':
        if (expr.field === 'group.name' || expr.field === 'group.arn') return facts !== undefined && this.#group(expr.field, expr.op, expr.value, facts);
        if (expr.field === 'user' && facts !== undefined) {
          const { op, value } = expr;
          return op === '!=' ? !facts.users.includes(String(value)) : facts.users.some((user) => compare(user, op, value));
        }
        return compare(lookup(expr.field), expr.op, expr.value);
      case 'annotation': {
        const values = facts?.annotations.get(expr.key);
        if (!values) return false;
        if (expr.op === undefined || expr.value === undefined) return true;
        const { op, value } = expr;
        // `!=` holds when no recorded value equals the literal, not when any one differs.
        if (op === '!=') return !values.some((actual) => compare(actual, '=', value));
        return values.some((actual) => compare(actual, op, value));
      }
      case 'service':
        if (facts === undefined) return false;
        for (const node of facts.nodes.values()) if (selects(expr.node, node.ref) && this.#anyRequest(node, expr.filter)) return true;
        return false;
      case 'edge': {
        if (facts === undefined) return false;
        const filter = expr.filter;
        for (const edge of facts.edges.values()) {
          if (!selects(expr.from, edge.from) || !selects(expr.to, edge.to)) continue;
          if (filter === undefined || edge.calls.some((call) => this.#eval(filter, (field) => callValue({ call, node: edge.to }, field), undefined))) return true;
        }
        return false;
      }
      case 'rootcause': {
        const causes = facts?.rootCauses[expr.cause] ?? [];
        return causes.some((cause) => expr.filter === undefined || this.#eval(expr.filter, (field) => causeValue(cause, expr.target, field), undefined));
      }
    }
  }

  #anyRequest(node: FactsNode, filter: FilterExpr | undefined): boolean {
    if (filter === undefined) return true;
    return node.requests.some((call) => this.#eval(filter, (field) => callValue({ call, node: node.ref }, field), undefined));
  }

  #group(field: 'group.name' | 'group.arn', op: CompareOp, value: FilterValue, facts: TraceFacts): boolean {
    const lookup = this.#context.group;
    if (!lookup || typeof value !== 'string') return false;
    const names = this.#context.groupNames?.() ?? [];
    const candidates = names.filter((name) => {
      const group = lookup(name);
      return group !== undefined && compare(field === 'group.name' ? name : group.arn, op === '!=' ? '=' : op, value);
    });
    const inAny = candidates.some((name) => {
      const group = lookup(name);
      if (!group) return false;
      if (group.filter === undefined) return true;
      // A group naming itself (directly or through others) must not recurse forever.
      if (this.#depth >= MAX_GROUP_DEPTH) return false;
      this.#depth++;
      try {
        return this.trace(group.filter, facts);
      } finally {
        this.#depth--;
      }
    });
    return op === '!=' ? !inAny : inAny;
  }
}

/** True when `trace` matches the parsed expression. */
export function matchesFilter(expr: FilterExpr, trace: Trace, context: FilterContext = {}): boolean {
  return new Evaluator(context).trace(expr, traceFacts(trace));
}

/** A reusable test for many traces (one evaluator, no per-trace set-up). */
export function compileFilter(expr: FilterExpr, context: FilterContext = {}): (trace: Trace) => boolean {
  const evaluator = new Evaluator(context);
  return (trace) => evaluator.trace(expr, traceFacts(trace));
}
