// The X-Ray API's read operations (and group management) over the viewer's store, answered in the
// request and response shapes of the X-Ray API reference, so `@aws-sdk/client-xray` and the AWS
// CLI pointed at the viewer (`endpoint`, `--endpoint-url`) work unchanged.
import { FilterSyntaxError } from '../filter/errors.js';
import { buildServiceGraph } from '../graph/service-graph.js';
import { GroupError, type Group, type GroupStore } from '../groups.js';
import { compileQuery } from '../query.js';
import type { TraceStore } from '../store.js';
import type { JsonObject, JsonValue, Trace } from '../types.js';
import { invalidRequest, XRayApiError } from './errors.js';
import { decodeToken, page } from './paging.js';
import { toServices, toTraceSummary } from './shapes.js';

/** What the operations read and change. */
export interface XRayApiDeps {
  store: TraceStore;
  groups: GroupStore;
  /** Trace summaries per GetTraceSummaries page. Default 100. */
  pageSize?: number;
}

/** Request paths (all POST) of the operations served, as the SDK's REST-JSON protocol sends them. */
export const XRAY_API_PATHS: ReadonlySet<string> = new Set([
  '/TraceSummaries',
  '/Traces',
  '/TraceGraph',
  '/ServiceGraph',
  '/Groups',
  '/GetGroup',
  '/CreateGroup',
  '/UpdateGroup',
  '/DeleteGroup',
]);

function time(body: JsonObject, field: string, required: boolean): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) {
    if (required) throw invalidRequest(`${field} is required`);
    return undefined;
  }
  // The SDK and the AWS CLI send epoch seconds (the CLI converts ISO input itself); ISO strings
  // are accepted from hand-written requests.
  const seconds = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) / 1000 : NaN;
  if (!Number.isFinite(seconds)) throw invalidRequest(`${field} is not a timestamp: ${JSON.stringify(value)}`);
  return seconds;
}

function window(body: JsonObject): { startTime: number; endTime: number } {
  const startTime = time(body, 'StartTime', true)!;
  const endTime = time(body, 'EndTime', true)!;
  if (endTime < startTime) throw invalidRequest('EndTime must not be before StartTime');
  return { startTime, endTime };
}

function stringField(body: JsonObject, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidRequest(`${field} must be a string`);
  return value;
}

function traceIds(body: JsonObject): string[] {
  const ids = body['TraceIds'];
  if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string')) throw invalidRequest('TraceIds must be a list of trace ids');
  return ids as string[];
}

function groupShape(group: Group): JsonObject {
  const shape: JsonObject = { GroupName: group.name, GroupARN: group.arn, InsightsConfiguration: { InsightsEnabled: false, NotificationsEnabled: false } };
  if (group.filterExpression !== undefined) shape['FilterExpression'] = group.filterExpression;
  return shape;
}

/** Runs `compile`, turning a bad expression or an unknown group into InvalidRequestException. */
function translated<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof FilterSyntaxError) throw invalidRequest(`Invalid filter expression: ${error.message}`);
    if (error instanceof GroupError) throw invalidRequest(error.message);
    throw error;
  }
}

function traceSummaries(body: JsonObject, deps: XRayApiDeps): JsonObject {
  const { startTime, endTime } = window(body);
  const filter = stringField(body, 'FilterExpression');
  const test = translated(() => compileQuery({ startTime, endTime, ...(filter !== undefined ? { filter } : {}) }, deps.groups));
  const request = { startTime, endTime, filter, type: body['TimeRangeType'] ?? null };
  const offset = decodeToken(body['NextToken'], request);
  const inWindow = deps.store.allTraces().filter((trace) => trace.startTime >= startTime && trace.startTime <= endTime);
  const matching = inWindow.filter(test);
  const { items, nextToken } = page(matching, offset, deps.pageSize ?? 100, request);
  const result: JsonObject = {
    TraceSummaries: items.map(toTraceSummary),
    ApproximateTime: Date.now() / 1000,
    TracesProcessedCount: inWindow.length,
  };
  if (nextToken) result['NextToken'] = nextToken;
  return result;
}

function batchGetTraces(body: JsonObject, deps: XRayApiDeps): JsonObject {
  const traces: JsonValue[] = [];
  const unprocessed: string[] = [];
  for (const id of traceIds(body)) {
    const trace = deps.store.getTrace(id);
    if (!trace) {
      unprocessed.push(id);
      continue;
    }
    traces.push({
      Id: trace.id,
      Duration: trace.durationMs / 1000,
      LimitExceeded: trace.truncated,
      // X-Ray returns each segment document as a JSON string; independent subsegments are kept
      // as they were received rather than merged into their segment.
      Segments: trace.documents.map((doc) => ({ Id: doc.id, Document: JSON.stringify(doc) })),
    });
  }
  return { Traces: traces, UnprocessedTraceIds: unprocessed };
}

function graphOf(traces: Trace[], startTime: number, endTime: number): JsonObject[] {
  return toServices(buildServiceGraph(traces, { startTime, endTime }, { responseTimes: true }));
}

function traceGraph(body: JsonObject, deps: XRayApiDeps): JsonObject {
  const traces = traceIds(body)
    .map((id) => deps.store.getTrace(id))
    .filter((trace): trace is Trace => trace !== undefined);
  const start = Math.min(...traces.map((t) => t.startTime));
  const end = Math.max(...traces.map((t) => t.startTime + t.durationMs / 1000));
  return { Services: traces.length > 0 ? graphOf(traces, start, end) : [] };
}

function serviceGraph(body: JsonObject, deps: XRayApiDeps): JsonObject {
  const { startTime, endTime } = window(body);
  const group = stringField(body, 'GroupARN') ?? stringField(body, 'GroupName');
  const test = translated(() => compileQuery({ startTime, endTime, ...(group !== undefined ? { group } : {}) }, deps.groups));
  const traces = deps.store.allTraces().filter(test);
  return { StartTime: startTime, EndTime: endTime, Services: graphOf(traces, startTime, endTime), ContainsOldGroupVersions: false };
}

function findGroup(body: JsonObject, deps: XRayApiDeps): Group {
  const key = stringField(body, 'GroupARN') ?? stringField(body, 'GroupName');
  if (key === undefined) throw invalidRequest('GroupName or GroupARN is required');
  const group = deps.groups.get(key);
  if (!group) throw invalidRequest(`Group not found: ${key}`);
  return group;
}

/**
 * Answers one X-Ray API call: `path` is the request path (see {@link XRAY_API_PATHS}), `body`
 * the parsed JSON body. Throws {@link XRayApiError} for what X-Ray refuses.
 */
export function handleXRayCall(path: string, body: JsonObject, deps: XRayApiDeps): JsonObject {
  switch (path) {
    case '/TraceSummaries':
      return traceSummaries(body, deps);
    case '/Traces':
      return batchGetTraces(body, deps);
    case '/TraceGraph':
      return traceGraph(body, deps);
    case '/ServiceGraph':
      return serviceGraph(body, deps);
    case '/Groups': {
      const request = { op: 'groups' };
      const { items, nextToken } = page(deps.groups.list(), decodeToken(body['NextToken'], request), 100, request);
      return { Groups: items.map(groupShape), ...(nextToken ? { NextToken: nextToken } : {}) };
    }
    case '/GetGroup':
      return { Group: groupShape(findGroup(body, deps)) };
    case '/CreateGroup': {
      const name = stringField(body, 'GroupName');
      if (name === undefined) throw invalidRequest('GroupName is required');
      const expression = stringField(body, 'FilterExpression');
      return { Group: groupShape(translated(() => deps.groups.create(name, expression))) };
    }
    case '/UpdateGroup': {
      const group = findGroup(body, deps);
      const expression = stringField(body, 'FilterExpression') ?? group.filterExpression;
      return { Group: groupShape(translated(() => deps.groups.update(group.name, expression))) };
    }
    case '/DeleteGroup': {
      const group = findGroup(body, deps);
      translated(() => deps.groups.delete(group.name));
      return {};
    }
    default:
      throw new XRayApiError('UnknownOperationException', `operation ${path} is not served by the viewer`, 404);
  }
}
