// What one trace contributes to the service graph and to filter expressions: its graph nodes
// (services, inferred remote/AWS resources, the client), the calls between them, and its root
// causes. Computed once per built trace and cached, so a filter over every stored trace and the
// cross-trace graph both read precomputed facts instead of walking trees again.
import { walk } from '../tree.js';
import type { NodeHttp, Trace, TraceNode } from '../types.js';

/** A box of the service graph: X-Ray identifies nodes by name and type. */
export interface GraphNodeRef {
  /** `type\0name`, unique within a graph. */
  key: string;
  name: string;
  /** `origin` of a service (`AWS::ECS::Container`), `remote`, an `AWS::…` resource type, `client`; undefined for a plain service. */
  type: string | undefined;
  kind: 'client' | 'service' | 'remote' | 'aws';
}

/** One request to a node, or one call along an edge. */
export interface CallFacts {
  /** The segment (requests to a service) or subsegment (calls) recorded for it. */
  node: TraceNode;
  /** Epoch seconds. */
  startTime: number;
  /** Seconds; undefined while in progress. */
  responseTime: number | undefined;
  ok: boolean;
  error: boolean;
  fault: boolean;
  throttle: boolean;
  /** The request's HTTP facts (the caller's view for calls). */
  http: NodeHttp | undefined;
  /** True for a request that entered the system here (no parent segment). */
  root: boolean;
  /** True for nodes X-Ray infers from a caller's subsegment (no segment of their own). */
  inferred: boolean;
}

/** A root cause as X-Ray computes it: the deepest entity flagged along a failing path. */
export interface RootCause {
  /** The service the entity belongs to (the inferred resource for a failing remote/AWS call). */
  service: GraphNodeRef;
  /** The failing entity itself (a segment or subsegment). */
  entity: TraceNode;
  /** Names from the service's segment down to the entity. */
  entityPath: string[];
  /** The exception recorded on the entity or its nearest ancestor in the service. */
  exception: { type?: string; message?: string } | undefined;
  /** The failure came from a downstream call (a remote or AWS subsegment). */
  remote: boolean;
  inferred: boolean;
}

/** A node of one trace's graph with the requests it served. */
export interface FactsNode {
  ref: GraphNodeRef;
  requests: CallFacts[];
}

/** An edge of one trace's graph with its calls. */
export interface FactsEdge {
  from: GraphNodeRef;
  to: GraphNodeRef;
  calls: CallFacts[];
}

/** Everything filters and the service graph need from one trace. */
export interface TraceFacts {
  trace: Trace;
  /** Seconds from the first start to the last end. */
  duration: number;
  /** Seconds the entry segment took; undefined without a complete entry segment. */
  responseTime: number | undefined;
  /** HTTP facts of the entry segment. */
  http: NodeHttp | undefined;
  ok: boolean;
  partial: boolean;
  inferred: boolean;
  users: string[];
  annotations: Map<string, Array<string | number | boolean>>;
  entry: GraphNodeRef | undefined;
  nodes: Map<string, FactsNode>;
  edges: Map<string, FactsEdge>;
  rootCauses: { fault: RootCause[]; error: RootCause[]; responsetime: RootCause[] };
}

const AWS_TYPES: Record<string, string> = {
  dynamodb: 'AWS::DynamoDB::Table',
  s3: 'AWS::S3::Bucket',
  sqs: 'AWS::SQS::Queue',
  sns: 'AWS::SNS::Topic',
  lambda: 'AWS::Lambda',
  kinesis: 'AWS::Kinesis::Stream',
  cloudwatchlogs: 'AWS::Logs',
  stepfunctions: 'AWS::StepFunctions::StateMachine',
};

/** The resource type X-Ray gives an AWS SDK call's inferred node (`DynamoDB` → `AWS::DynamoDB::Table`). */
export function awsNodeType(name: string): string {
  const key = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  return AWS_TYPES[key] ?? `AWS::${name.replace(/[^A-Za-z0-9]/g, '')}`;
}

/** The client node every entry segment is called from. */
export const CLIENT_NODE: GraphNodeRef = { key: 'client\u0000client', name: 'client', type: 'client', kind: 'client' };

function ref(name: string, type: string | undefined, kind: GraphNodeRef['kind']): GraphNodeRef {
  return { key: `${type ?? ''}\u0000${name}`, name, type, kind };
}

function flagged(node: TraceNode, kind: 'fault' | 'error'): boolean {
  return kind === 'fault' ? node.fault : node.error || node.throttle;
}

function call(node: TraceNode, flagsFrom: readonly TraceNode[], http: NodeHttp | undefined, root: boolean, inferred: boolean): CallFacts {
  const error = flagsFrom.some((n) => n.error);
  const fault = flagsFrom.some((n) => n.fault);
  const throttle = flagsFrom.some((n) => n.throttle);
  return {
    node,
    startTime: node.startTime,
    responseTime: node.durationMs !== undefined ? node.durationMs / 1000 : undefined,
    ok: !error && !fault && !throttle,
    error,
    fault,
    throttle,
    http,
    root,
    inferred,
  };
}

const cache = new WeakMap<Trace, TraceFacts>();

/** The facts of a trace; cached per built trace (the store rebuilds a trace only when it changes). */
export function traceFacts(trace: Trace): TraceFacts {
  const cached = cache.get(trace);
  if (cached) return cached;
  const facts = computeFacts(trace);
  cache.set(trace, facts);
  return facts;
}

function computeFacts(trace: Trace): TraceFacts {
  const nodes = new Map<string, FactsNode>();
  const edges = new Map<string, FactsEdge>();
  const annotations = new Map<string, Array<string | number | boolean>>();
  const users = new Set<string>();
  const parents = new Map<TraceNode, TraceNode | undefined>();
  const segmentOf = new Map<TraceNode, TraceNode>();
  const refOf = new Map<TraceNode, GraphNodeRef>();
  let entry: TraceNode | undefined;
  let inferredSeen = false;

  const addRequest = (target: GraphNodeRef, facts: CallFacts): void => {
    const existing = nodes.get(target.key);
    if (existing) existing.requests.push(facts);
    else nodes.set(target.key, { ref: target, requests: [facts] });
  };
  const addCall = (from: GraphNodeRef, to: GraphNodeRef, facts: CallFacts): void => {
    const key = `${from.key}\u0001${to.key}`;
    const existing = edges.get(key);
    if (existing) existing.calls.push(facts);
    else edges.set(key, { from, to, calls: [facts] });
  };

  walk(trace.roots, (node, parent) => {
    parents.set(node, parent);
    for (const [key, value] of Object.entries(node.annotations)) {
      const list = annotations.get(key);
      if (list) list.push(value);
      else annotations.set(key, [value]);
    }
    if (node.user !== undefined) users.add(node.user);
    if (node.kind === 'segment') {
      segmentOf.set(node, node);
      const me = ref(node.name, node.origin, 'service');
      refOf.set(node, me);
      const isEntry = node.parentId === undefined;
      if (isEntry && entry === undefined) entry = node;
      addRequest(me, call(node, [node], node.http, isEntry, false));
      if (isEntry) {
        addCall(CLIENT_NODE, me, call(node, [node], node.http, true, false));
      } else if (parent) {
        const callerSegment = segmentOf.get(parent);
        const caller = callerSegment ? refOf.get(callerSegment) : undefined;
        // The caller's subsegment is the client-side view of the call: its duration includes
        // the network, and its status is what the caller saw.
        const via = parent.kind === 'subsegment' ? parent : node;
        if (caller) addCall(caller, me, call(via, [node, via], via.http ?? node.http, false, false));
      }
      return;
    }
    const segment = parent ? segmentOf.get(parent) : undefined;
    if (segment) segmentOf.set(node, segment);
    if (node.namespace !== 'remote' && node.namespace !== 'aws') return;
    if (node.children.some((child) => child.kind === 'segment')) return;
    // A call whose callee sent no segment: X-Ray infers a node for it.
    inferredSeen = true;
    const target = node.namespace === 'aws' ? ref(node.name, awsNodeType(node.name), 'aws') : ref(node.name, 'remote', 'remote');
    refOf.set(node, target);
    const facts = call(node, [node], node.http, false, true);
    addRequest(target, facts);
    const caller = segment ? refOf.get(segment) : undefined;
    if (caller) addCall(caller, target, facts);
  });

  const rootCauses = {
    fault: findRootCauses(trace.roots, 'fault', parents, segmentOf, refOf),
    error: findRootCauses(trace.roots, 'error', parents, segmentOf, refOf),
    responsetime: slowestEntity(trace.roots, parents, segmentOf, refOf),
  };
  const entryRef = entry ? refOf.get(entry) : undefined;
  return {
    trace,
    duration: trace.durationMs / 1000,
    responseTime: entry?.durationMs !== undefined ? entry.durationMs / 1000 : undefined,
    http: entry?.http,
    ok: !trace.hasError && !trace.hasFault && !trace.hasThrottle,
    partial: trace.partial || trace.inProgress,
    inferred: inferredSeen,
    users: [...users],
    annotations,
    entry: entryRef,
    nodes,
    edges,
    rootCauses,
  };
}

function causeOf(
  entity: TraceNode,
  parents: Map<TraceNode, TraceNode | undefined>,
  segmentOf: Map<TraceNode, TraceNode>,
  refOf: Map<TraceNode, GraphNodeRef>,
): RootCause | undefined {
  const inferredRef = refOf.get(entity);
  const segment = segmentOf.get(entity);
  const service = inferredRef ?? (segment ? refOf.get(segment) : undefined);
  if (!service) return undefined;
  const path: string[] = [];
  let exception: RootCause['exception'];
  for (let n: TraceNode | undefined = entity; n; n = parents.get(n)) {
    path.unshift(n.name);
    exception ??= n.exception;
    if (n === segment) break;
  }
  const remote = entity.namespace === 'remote' || entity.namespace === 'aws';
  return { service, entity, entityPath: path, exception, remote, inferred: service.kind === 'remote' || service.kind === 'aws' };
}

/** The deepest flagged entities: flagged, with no flagged descendant. */
function findRootCauses(
  roots: readonly TraceNode[],
  kind: 'fault' | 'error',
  parents: Map<TraceNode, TraceNode | undefined>,
  segmentOf: Map<TraceNode, TraceNode>,
  refOf: Map<TraceNode, GraphNodeRef>,
): RootCause[] {
  const causes: RootCause[] = [];
  const hasFlaggedBelow = new Set<TraceNode>();
  const order: TraceNode[] = [];
  walk(roots, (node) => order.push(node));
  // Children come after parents in a depth-first walk: walking backwards sees them first.
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i]!;
    const below = hasFlaggedBelow.has(node);
    if (flagged(node, kind) && !below) {
      const cause = causeOf(node, parents, segmentOf, refOf);
      if (cause) causes.push(cause);
    }
    const parent = parents.get(node);
    if (parent && (below || flagged(node, kind))) hasFlaggedBelow.add(parent);
  }
  return causes;
}

/** The entity with the most time of its own (duration minus its children's), X-Ray's response-time culprit. */
function slowestEntity(
  roots: readonly TraceNode[],
  parents: Map<TraceNode, TraceNode | undefined>,
  segmentOf: Map<TraceNode, TraceNode>,
  refOf: Map<TraceNode, GraphNodeRef>,
): RootCause[] {
  let best: TraceNode | undefined;
  let bestSelf = -1;
  walk(roots, (node) => {
    if (node.durationMs === undefined) return;
    const children = node.children.reduce((sum, child) => sum + (child.durationMs ?? 0), 0);
    const self = node.durationMs - children;
    if (self > bestSelf) {
      bestSelf = self;
      best = node;
    }
  });
  const cause = best ? causeOf(best, parents, segmentOf, refOf) : undefined;
  return cause ? [cause] : [];
}
