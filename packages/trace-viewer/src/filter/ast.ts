// The parsed form of a filter expression. Every node keeps the offset it came from, so a later
// check (an unknown group name, say) can still point at the column.

/** A literal on the right of a comparison. */
export type FilterValue = string | number | boolean;

/** Comparison operators; the word operators apply to strings only. */
export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'CONTAINS' | 'BEGINSWITH' | 'ENDSWITH';

/** Where an expression is evaluated: a whole trace, one service's requests, one edge's calls, one root cause. */
export type FilterScope = 'trace' | 'service' | 'edge' | 'rootcause';

/** The flags that can be tested on their own (`fault`, `!partial`). */
export type BooleanKeyword = 'ok' | 'error' | 'fault' | 'throttle' | 'partial' | 'root' | 'remote' | 'inferred';

/** Number-valued keywords. Times are in seconds, as X-Ray documents them. */
export type NumberKeyword = 'responsetime' | 'duration' | 'http.status';

/** String-valued keywords. */
export type StringKeyword =
  | 'http.url'
  | 'http.method'
  | 'http.useragent'
  | 'http.clientip'
  | 'user'
  | 'name'
  | 'type'
  | 'message'
  | 'group.name'
  | 'group.arn';

/** How `service(...)`, `edge(...)` and `id(...)` name a node of the service graph. */
export interface NodeSelector {
  name?: string;
  type?: string;
  accountId?: string;
}

/** The three kinds of root cause X-Ray computes, and what inside them a filter looks at. */
export type RootCauseKind = 'fault' | 'error' | 'responsetime';
export type RootCauseTarget = 'service' | 'entity' | 'exception';

/** One node of the expression tree. */
export type FilterExpr =
  | { kind: 'and'; left: FilterExpr; right: FilterExpr; offset: number }
  | { kind: 'or'; left: FilterExpr; right: FilterExpr; offset: number }
  | { kind: 'not'; operand: FilterExpr; offset: number }
  | { kind: 'flag'; keyword: BooleanKeyword; offset: number }
  | { kind: 'compare'; field: NumberKeyword | StringKeyword | BooleanKeyword; op: CompareOp; value: FilterValue; offset: number }
  | { kind: 'annotation'; key: string; op: CompareOp | undefined; value: FilterValue | undefined; offset: number }
  | { kind: 'service'; node: NodeSelector | undefined; filter: FilterExpr | undefined; offset: number }
  | { kind: 'edge'; from: NodeSelector; to: NodeSelector; filter: FilterExpr | undefined; offset: number }
  | { kind: 'rootcause'; cause: RootCauseKind; target: RootCauseTarget; filter: FilterExpr | undefined; offset: number };
