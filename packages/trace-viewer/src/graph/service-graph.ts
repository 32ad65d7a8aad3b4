// The service graph across traces (the X-Ray console's main view): every trace in a time window
// contributes its nodes and calls; nodes are keyed by name and type, so a service seen twice in
// one trace (backend → worker → backend) is one node with two requests and one edge each way.
import type { Trace } from '../types.js';
import { StatsAccumulator, type GraphStats } from './stats.js';
import { traceFacts, type GraphNodeRef } from './trace-facts.js';

/** A node of the cross-trace graph. */
export interface ServiceGraphNode {
  /** Position in `nodes`, X-Ray's `ReferenceId`. */
  id: number;
  name: string;
  /** See {@link GraphNodeRef.type}. */
  type: string | undefined;
  kind: GraphNodeRef['kind'];
  /** Some request entered the system here. */
  root: boolean;
  stats: GraphStats;
  /** Traces that reached this node (list them with a `service(...)` filter). */
  traceCount: number;
  /** Epoch seconds of the first and last request seen. */
  startTime: number;
  endTime: number;
  /** Every response time in seconds, only with `{ responseTimes: true }` (the X-Ray API's histograms). */
  responseTimes?: number[];
}

/** A call arrow of the cross-trace graph. */
export interface ServiceGraphEdge {
  /** `id` of the calling and the called node. */
  from: number;
  to: number;
  stats: GraphStats;
  /** Traces with this call (list them with an `edge(...)` filter). */
  traceCount: number;
  startTime: number;
  endTime: number;
  /** See {@link ServiceGraphNode.responseTimes}. */
  responseTimes?: number[];
}

/** The graph of a set of traces. */
export interface ServiceGraph {
  /** The window asked for, epoch seconds. */
  startTime: number;
  endTime: number;
  /** Traces that contributed. */
  traceCount: number;
  nodes: ServiceGraphNode[];
  edges: ServiceGraphEdge[];
}

interface NodeAcc {
  ref: GraphNodeRef;
  stats: StatsAccumulator;
  traces: number;
  /** The last trace counted: each trace is visited once, so a counter replaces a set of ids. */
  lastTrace: Trace | undefined;
  root: boolean;
  start: number;
  end: number;
}

interface EdgeAcc {
  from: GraphNodeRef;
  to: GraphNodeRef;
  stats: StatsAccumulator;
  traces: number;
  lastTrace: Trace | undefined;
  start: number;
  end: number;
}

function countTrace(acc: { traces: number; lastTrace: Trace | undefined }, trace: Trace): void {
  if (acc.lastTrace === trace) return;
  acc.lastTrace = trace;
  acc.traces++;
}

/**
 * Builds the service graph of `traces` (already narrowed to a window or a group by the caller).
 * Request counts come from segments (a service's own record of each request) and, for inferred
 * nodes, from the callers' subsegments; edge counts and latencies from the callers' view.
 */
export function buildServiceGraph(
  traces: Iterable<Trace>,
  window: { startTime: number; endTime: number },
  options: { responseTimes?: boolean } = {},
): ServiceGraph {
  const times = (acc: { stats: StatsAccumulator }): { responseTimes?: number[] } => (options.responseTimes ? { responseTimes: [...acc.stats.times] } : {});
  const nodes = new Map<string, NodeAcc>();
  const edges = new Map<string, EdgeAcc>();
  let traceCount = 0;
  for (const trace of traces) {
    traceCount++;
    const facts = traceFacts(trace);
    for (const node of facts.nodes.values()) {
      let acc = nodes.get(node.ref.key);
      if (!acc) {
        acc = { ref: node.ref, stats: new StatsAccumulator(), traces: 0, lastTrace: undefined, root: false, start: Infinity, end: -Infinity };
        nodes.set(node.ref.key, acc);
      }
      for (const request of node.requests) {
        acc.stats.add(request);
        acc.root ||= request.root;
        acc.start = Math.min(acc.start, request.startTime);
        acc.end = Math.max(acc.end, request.startTime + (request.responseTime ?? 0));
      }
      countTrace(acc, trace);
    }
    for (const [key, edge] of facts.edges) {
      if (edge.from.kind === 'client' && !nodes.has(edge.from.key)) {
        nodes.set(edge.from.key, { ref: edge.from, stats: new StatsAccumulator(), traces: 0, lastTrace: undefined, root: false, start: Infinity, end: -Infinity });
      }
      let acc = edges.get(key);
      if (!acc) {
        acc = { from: edge.from, to: edge.to, stats: new StatsAccumulator(), traces: 0, lastTrace: undefined, start: Infinity, end: -Infinity };
        edges.set(key, acc);
      }
      for (const call of edge.calls) {
        acc.stats.add(call);
        acc.start = Math.min(acc.start, call.startTime);
        acc.end = Math.max(acc.end, call.startTime + (call.responseTime ?? 0));
      }
      countTrace(acc, trace);
      if (edge.from.kind === 'client') {
        const client = nodes.get(edge.from.key)!;
        countTrace(client, trace);
        client.start = Math.min(client.start, acc.start);
        client.end = Math.max(client.end, acc.end);
      }
    }
  }
  // The client first, then services before inferred resources, each by name: a stable order.
  const rank = { client: 0, service: 1, remote: 2, aws: 2 } as const;
  const sorted = [...nodes.values()].sort((a, b) => rank[a.ref.kind] - rank[b.ref.kind] || a.ref.name.localeCompare(b.ref.name) || (a.ref.type ?? '').localeCompare(b.ref.type ?? ''));
  const idOf = new Map(sorted.map((acc, index) => [acc.ref.key, index]));
  const finite = (value: number, fallback: number): number => (Number.isFinite(value) ? value : fallback);
  return {
    startTime: window.startTime,
    endTime: window.endTime,
    traceCount,
    nodes: sorted.map((acc, id) => ({
      id,
      name: acc.ref.name,
      type: acc.ref.type,
      kind: acc.ref.kind,
      root: acc.root,
      stats: acc.stats.summary(),
      traceCount: acc.traces,
      startTime: finite(acc.start, window.startTime),
      endTime: finite(acc.end, window.endTime),
      ...times(acc),
    })),
    edges: [...edges.values()]
      .map((acc) => ({
        from: idOf.get(acc.from.key)!,
        to: idOf.get(acc.to.key)!,
        stats: acc.stats.summary(),
        traceCount: acc.traces,
        startTime: finite(acc.start, window.startTime),
        endTime: finite(acc.end, window.endTime),
        ...times(acc),
      }))
      .sort((a, b) => a.from - b.from || a.to - b.to),
  };
}
