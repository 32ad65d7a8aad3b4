// Turning the viewer's traces and graphs into the X-Ray API's response shapes (field names and
// units as in the X-Ray API reference: times in epoch seconds, durations in seconds).
import { traceFacts, type GraphNodeRef, type RootCause } from '../graph/trace-facts.js';
import type { ServiceGraph, ServiceGraphNode } from '../graph/service-graph.js';
import type { GraphStats } from '../graph/stats.js';
import type { JsonObject, JsonValue, Trace } from '../types.js';

function serviceId(ref: Pick<GraphNodeRef, 'name' | 'type'>): JsonObject {
  const id: JsonObject = { Name: ref.name, Names: [ref.name] };
  if (ref.type !== undefined) id['Type'] = ref.type;
  return id;
}

function rootCauses(causes: readonly RootCause[]): JsonValue[] {
  if (causes.length === 0) return [];
  return [
    {
      Services: causes.map((cause) => {
        const service: JsonObject = {
          ...serviceId(cause.service),
          Inferred: cause.inferred,
          EntityPath: cause.entityPath.map((name, index, all) => {
            const entity: JsonObject = { Name: name };
            if (index === all.length - 1) {
              entity['Remote'] = cause.remote;
              if (cause.exception) {
                const exception: JsonObject = {};
                if (cause.exception.type !== undefined) exception['Name'] = cause.exception.type;
                if (cause.exception.message !== undefined) exception['Message'] = cause.exception.message;
                entity['Exceptions'] = [exception];
              }
            }
            return entity;
          }),
        };
        return service;
      }),
      ClientImpacting: true,
    },
  ];
}

/** X-Ray's tagged union for an annotation value. */
function annotationValue(value: string | number | boolean): JsonObject {
  if (typeof value === 'number') return { NumberValue: value };
  if (typeof value === 'boolean') return { BooleanValue: value };
  return { StringValue: value };
}

/** A `TraceSummary` of GetTraceSummaries. */
export function toTraceSummary(trace: Trace): JsonObject {
  const facts = traceFacts(trace);
  const summary: JsonObject = {
    Id: trace.id,
    StartTime: trace.startTime,
    Duration: facts.duration,
    HasFault: trace.hasFault,
    HasError: trace.hasError,
    HasThrottle: trace.hasThrottle,
    IsPartial: facts.partial,
    Revision: trace.documentCount,
    ServiceIds: [...facts.nodes.values()].filter((node) => node.ref.kind !== 'client').map((node) => serviceId(node.ref)),
    Users: facts.users.map((user) => ({ UserName: user })),
    Annotations: Object.fromEntries(
      [...facts.annotations].map(([key, values]) => [
        key,
        [...new Set(values)].map((value): JsonObject => ({ AnnotationValue: annotationValue(value) })),
      ]),
    ),
    FaultRootCauses: rootCauses(facts.rootCauses.fault),
    ErrorRootCauses: rootCauses(facts.rootCauses.error),
  };
  if (facts.responseTime !== undefined) summary['ResponseTime'] = facts.responseTime;
  if (facts.entry) summary['EntryPoint'] = serviceId(facts.entry);
  if (facts.http) {
    const http: JsonObject = {};
    if (facts.http.url !== undefined) http['HttpURL'] = facts.http.url;
    if (facts.http.status !== undefined) http['HttpStatus'] = facts.http.status;
    if (facts.http.method !== undefined) http['HttpMethod'] = facts.http.method;
    if (facts.http.userAgent !== undefined) http['UserAgent'] = facts.http.userAgent;
    if (facts.http.clientIp !== undefined) http['ClientIp'] = facts.http.clientIp;
    summary['Http'] = http;
  }
  return summary;
}

function statistics(stats: GraphStats): JsonObject {
  return {
    OkCount: stats.ok,
    ErrorStatistics: { ThrottleCount: stats.throttle, OtherCount: stats.error, TotalCount: stats.errorTotal },
    FaultStatistics: { OtherCount: stats.fault, TotalCount: stats.fault },
    TotalCount: stats.total,
    TotalResponseTime: stats.totalResponseTime,
  };
}

/** X-Ray's histogram: response times rounded to the millisecond, with their counts. */
function histogram(times: readonly number[]): JsonValue[] {
  const counts = new Map<number, number>();
  for (const t of times) {
    const value = Math.round(t * 1000) / 1000;
    counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => a[0] - b[0]).map(([Value, Count]) => ({ Value, Count }));
}

function toService(node: ServiceGraphNode, graph: ServiceGraph): JsonObject {
  const service: JsonObject = {
    ReferenceId: node.id,
    Names: node.kind === 'client' ? [] : [node.name],
    Root: node.root,
    State: node.kind === 'service' ? 'active' : 'unknown',
    StartTime: node.startTime,
    EndTime: node.endTime,
    Edges: graph.edges
      .filter((edge) => edge.from === node.id)
      .map((edge) => ({
        ReferenceId: edge.to,
        StartTime: edge.startTime,
        EndTime: edge.endTime,
        SummaryStatistics: statistics(edge.stats),
        ResponseTimeHistogram: histogram(edge.responseTimes ?? []),
        Aliases: [],
      })),
  };
  if (node.kind !== 'client') service['Name'] = node.name;
  if (node.type !== undefined) service['Type'] = node.type;
  if (node.kind !== 'client') {
    service['SummaryStatistics'] = statistics(node.stats);
    service['ResponseTimeHistogram'] = histogram(node.responseTimes ?? []);
    service['DurationHistogram'] = histogram(node.responseTimes ?? []);
  }
  return service;
}

/** The `Services` of GetServiceGraph / GetTraceGraph (build the graph with `{ responseTimes: true }`). */
export function toServices(graph: ServiceGraph): JsonObject[] {
  return graph.nodes.map((node) => toService(node, graph));
}
