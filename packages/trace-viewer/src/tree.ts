// Reassembling a trace's documents into one tree. Documents arrive in any order, from several
// services, as whole segments, embedded subsegments or independent subsegments; the tree is built
// from scratch each time from the documents kept, which makes arrival order irrelevant.
import type { JsonValue, SegmentDocument, ServiceMap, ServiceMapEdge, ServiceMapNode, TraceNode } from './types.js';

/** A top-level document as the store keeps it. */
export interface TreeInput {
  document: SegmentDocument;
  kind: 'segment' | 'subsegment';
}

/** The reassembled tree plus the facts the summary needs. */
export interface BuiltTree {
  roots: TraceNode[];
  nodeCount: number;
  inProgress: boolean;
  serviceMap: ServiceMap;
}

type Obj = { [key: string]: JsonValue };

function obj(value: JsonValue | undefined): Obj | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
}

function str(value: JsonValue | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function num(value: JsonValue | undefined): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  // Some senders write status codes as strings; the collector accepts that too.
  if (typeof value === 'string' && /^\d{1,3}$/.test(value)) return Number(value);
  return undefined;
}

function readHttp(entity: Obj): TraceNode['http'] {
  const http = obj(entity['http']);
  if (!http) return undefined;
  const request = obj(http['request']);
  const response = obj(http['response']);
  const result: NonNullable<TraceNode['http']> = {};
  const method = str(request?.['method']);
  const url = str(request?.['url']);
  const status = num(response?.['status']);
  const userAgent = str(request?.['user_agent']);
  const clientIp = str(request?.['client_ip']);
  if (userAgent !== undefined && userAgent !== '') result.userAgent = userAgent;
  if (clientIp !== undefined) result.clientIp = clientIp;
  if (method !== undefined) result.method = method;
  if (url !== undefined) result.url = url;
  if (status !== undefined) result.status = status;
  return Object.keys(result).length > 0 ? result : undefined;
}

function readCause(entity: Obj): string | undefined {
  const cause = entity['cause'];
  if (typeof cause === 'string') return `exception ${cause}`;
  const exceptions = obj(cause)?.['exceptions'];
  if (!Array.isArray(exceptions)) return undefined;
  const first = obj(exceptions[0]);
  if (!first) return undefined;
  const type = str(first['type']);
  const message = str(first['message']);
  if (type && message) return `${type}: ${message}`;
  return type ?? message ?? (str(first['id']) ? `exception ${str(first['id'])}` : undefined);
}

function readException(entity: Obj): TraceNode['exception'] {
  const list = obj(entity['cause'])?.['exceptions'];
  const head = Array.isArray(list) ? obj(list[0]) : undefined;
  if (!head) return undefined;
  const result: NonNullable<TraceNode['exception']> = {};
  const type = str(head['type']);
  const message = str(head['message']);
  if (type !== undefined) result.type = type;
  if (message !== undefined) result.message = message;
  return type !== undefined || message !== undefined ? result : undefined;
}

function readAnnotations(entity: Obj): TraceNode['annotations'] {
  const result: TraceNode['annotations'] = {};
  const annotations = obj(entity['annotations']);
  if (!annotations) return result;
  for (const [key, value] of Object.entries(annotations)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') result[key] = value;
  }
  return result;
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** Turns one entity (validated by the receiver) into a node without children. */
function toNode(entity: Obj, kind: TraceNode['kind'], parentId: string | undefined): TraceNode {
  const startTime = num(entity['start_time']) ?? 0;
  const end = num(entity['end_time']);
  const inProgress = entity['in_progress'] === true || end === undefined;
  const node: TraceNode = {
    id: (str(entity['id']) ?? '').toLowerCase(),
    name: str(entity['name']) ?? '',
    kind,
    startTime,
    inProgress,
    error: entity['error'] === true,
    throttle: entity['throttle'] === true,
    fault: entity['fault'] === true,
    annotations: readAnnotations(entity),
    children: [],
  };
  if (parentId !== undefined) node.parentId = parentId.toLowerCase();
  if (!inProgress && end !== undefined) {
    node.endTime = end;
    node.durationMs = round3((end - startTime) * 1000);
  }
  const namespace = str(entity['namespace']);
  if (namespace !== undefined) node.namespace = namespace;
  const http = readHttp(entity);
  if (http) node.http = http;
  const operation = str(obj(entity['aws'])?.['operation']);
  if (operation !== undefined) node.operation = operation;
  const sql = obj(entity['sql']);
  const query = str(sql?.['sanitized_query']) ?? str(sql?.['url']);
  if (query !== undefined) node.sql = query;
  const cause = readCause(entity);
  if (cause !== undefined) node.cause = cause;
  const exception = readException(entity);
  if (exception) node.exception = exception;
  const origin = str(entity['origin']);
  if (origin !== undefined) node.origin = origin;
  const user = str(entity['user']);
  if (user !== undefined) node.user = user;
  return node;
}

/** Every entity of the documents as a flat list of nodes, embedded children included. */
function flatten(inputs: readonly TreeInput[]): TraceNode[] {
  const nodes: TraceNode[] = [];
  for (const input of inputs) {
    const stack: Array<{ entity: Obj; kind: TraceNode['kind']; parentId: string | undefined }> = [
      { entity: input.document, kind: input.kind, parentId: str(input.document['parent_id']) },
    ];
    while (stack.length > 0) {
      const { entity, kind, parentId } = stack.pop()!;
      const node = toNode(entity, kind, parentId);
      nodes.push(node);
      const children = entity['subsegments'];
      if (!Array.isArray(children)) continue;
      for (const child of children) {
        const childObj = obj(child);
        if (childObj) stack.push({ entity: childObj, kind: 'subsegment', parentId: node.id });
      }
    }
  }
  return nodes;
}

/**
 * One node per id. A complete record beats an in-progress one (the in-progress document of a
 * subsegment may sit embedded in its segment while the finished one arrives on its own);
 * otherwise the first one wins, like the store's duplicate rule.
 */
function dedupe(nodes: readonly TraceNode[]): Map<string, TraceNode> {
  const byId = new Map<string, TraceNode>();
  for (const node of nodes) {
    const existing = byId.get(node.id);
    if (!existing || (existing.inProgress && !node.inProgress)) byId.set(node.id, node);
  }
  return byId;
}

const byStart = (a: TraceNode, b: TraceNode): number => a.startTime - b.startTime;

/** Links nodes to their parents; nodes whose parent is unknown (or that sit in a cycle) become roots. */
function link(byId: Map<string, TraceNode>): TraceNode[] {
  const parentOf = new Map<TraceNode, TraceNode>();
  const roots: TraceNode[] = [];
  for (const node of byId.values()) {
    const parent = node.parentId !== undefined && node.parentId !== node.id ? byId.get(node.parentId) : undefined;
    if (parent) {
      parent.children.push(node);
      parentOf.set(node, parent);
    } else {
      roots.push(node);
    }
  }
  // Hostile or buggy senders can name each other as parents; nodes no root reaches are in such
  // a cycle, so cut the cycle at one node and make it a root.
  const visited = new Set<TraceNode>();
  const visit = (root: TraceNode): void => {
    const stack = [root];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (visited.has(node)) continue;
      visited.add(node);
      stack.push(...node.children);
    }
  };
  roots.forEach(visit);
  if (visited.size < byId.size) {
    for (const node of byId.values()) {
      if (visited.has(node)) continue;
      const parent = parentOf.get(node);
      if (parent) parent.children = parent.children.filter((child) => child !== node);
      roots.push(node);
      visit(node);
    }
  }
  for (const node of byId.values()) node.children.sort(byStart);
  return roots.sort(byStart);
}

/** Depth-first walk with each node's parent, without recursion. */
export function walk(roots: readonly TraceNode[], visit: (node: TraceNode, parent: TraceNode | undefined, depth: number) => void): void {
  const stack: Array<{ node: TraceNode; parent: TraceNode | undefined; depth: number }> = [];
  for (let i = roots.length - 1; i >= 0; i--) stack.push({ node: roots[i]!, parent: undefined, depth: 0 });
  while (stack.length > 0) {
    const { node, parent, depth } = stack.pop()!;
    visit(node, parent, depth);
    for (let i = node.children.length - 1; i >= 0; i--) stack.push({ node: node.children[i]!, parent: node, depth: depth + 1 });
  }
}

function flagged(node: TraceNode): boolean {
  return node.error || node.fault || node.throttle;
}

/**
 * Who called whom: a segment under another service's subsegment is a call between services; a
 * `remote` or `aws` subsegment with no traced segment under it is a call to something that is
 * not instrumented (a database, an AWS service, a third-party API).
 */
function buildServiceMap(roots: readonly TraceNode[]): ServiceMap {
  const nodes = new Map<string, ServiceMapNode>();
  const edges = new Map<string, ServiceMapEdge>();
  const addNode = (name: string, kind: ServiceMapNode['kind'], error: boolean): void => {
    const key = `${kind === 'service' ? 'service' : 'external'}\u0000${name}`;
    const existing = nodes.get(key) ?? { name, kind, count: 0, errors: 0 };
    existing.count++;
    if (error) existing.errors++;
    nodes.set(key, existing);
  };
  const addEdge = (from: string, to: string, error: boolean): void => {
    const key = `${from}\u0000${to}`;
    const existing = edges.get(key) ?? { from, to, calls: 0, errors: 0 };
    existing.calls++;
    if (error) existing.errors++;
    edges.set(key, existing);
  };
  walk(roots, (node, parent) => {
    if (node.kind === 'segment') {
      addNode(node.name, 'service', flagged(node));
      if (parent?.service !== undefined) addEdge(parent.service, node.name, flagged(node) || flagged(parent));
      return;
    }
    if (node.namespace !== 'remote' && node.namespace !== 'aws') return;
    if (node.children.some((child) => child.kind === 'segment')) return;
    addNode(node.name, node.namespace, flagged(node));
    if (node.service !== undefined) addEdge(node.service, node.name, flagged(node));
  });
  return { nodes: [...nodes.values()], edges: [...edges.values()] };
}

/** Builds the tree of one trace from its top-level documents. */
export function buildTree(inputs: readonly TreeInput[]): BuiltTree {
  const byId = dedupe(flatten(inputs));
  const roots = link(byId);
  let inProgress = false;
  walk(roots, (node, parent) => {
    const service = node.kind === 'segment' ? node.name : parent?.service;
    if (service !== undefined) node.service = service;
    if (node.inProgress) inProgress = true;
  });
  return { roots, nodeCount: byId.size, inProgress, serviceMap: buildServiceMap(roots) };
}
