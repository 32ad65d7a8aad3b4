// Selecting stored traces by time window, filter expression and group: the one query behind the
// web list, the service graph, the terminal filter and GetTraceSummaries.
import { FilterSyntaxError } from './filter/errors.js';
import { compileFilter, type FilterContext } from './filter/evaluate.js';
import { parseFilter } from './filter/parser.js';
import type { FilterExpr } from './filter/ast.js';
import { GroupError, type GroupStore } from './groups.js';
import type { TraceStore } from './store.js';
import type { Trace } from './types.js';

/** What to select. Times are epoch seconds and compare with each trace's start time. */
export interface TraceQuery {
  startTime?: number;
  endTime?: number;
  /** A filter expression (parsed here; a mistake throws {@link FilterSyntaxError}). */
  filter?: string;
  /** A group name or ARN; its expression is ANDed with `filter`. Unknown → {@link GroupError}. */
  group?: string;
}

/** The context that lets expressions say `group.name = "…"`. */
export function filterContext(groups: GroupStore | undefined): FilterContext {
  if (!groups) return {};
  return {
    group: (name) => {
      const group = groups.get(name);
      return group ? { arn: group.arn, filter: group.filter } : undefined;
    },
    groupNames: () => groups.list().map((group) => group.name),
  };
}

/** Parses the query's expressions once, for testing many traces. Throws on a bad expression or group. */
export function compileQuery(query: TraceQuery, groups: GroupStore | undefined): (trace: Trace) => boolean {
  const filters: FilterExpr[] = [];
  if (query.filter !== undefined && query.filter.trim() !== '') filters.push(parseFilter(query.filter));
  if (query.group !== undefined && query.group !== '') {
    const group = groups?.get(query.group);
    if (!group) throw new GroupError(`group ${query.group} not found`);
    if (group.filter) filters.push(group.filter);
  }
  const context = filterContext(groups);
  const tests = filters.map((filter) => compileFilter(filter, context));
  const { startTime, endTime } = query;
  return (trace) =>
    (startTime === undefined || trace.startTime >= startTime) &&
    (endTime === undefined || trace.startTime <= endTime) &&
    tests.every((test) => test(trace));
}

/** The stored traces matching `query`, newest first. */
export function selectTraces(store: TraceStore, query: TraceQuery, groups?: GroupStore): Trace[] {
  const test = compileQuery(query, groups);
  return store.allTraces().filter(test);
}

export { FilterSyntaxError, GroupError };
