// RED numbers (rate, errors, duration) per service and per route, for the table beside the
// service graph. It reads the same per-trace facts as the graph and summarises with the same
// StatsAccumulator, so a service's row always agrees with its node (same counts, same p50/p99).
import type { Trace } from '../types.js';
import { StatsAccumulator } from './stats.js';
import { traceFacts, type CallFacts, type GraphNodeRef } from './trace-facts.js';

/** Routes listed per service before the rest are folded into one "other" row. */
export const DEFAULT_MAX_ROUTES = 20;

/** One row of the table: a service's total, one of its routes, or its folded "other" routes. */
export interface RedRow {
  service: string;
  /** `origin` of the service's segments (e.g. `AWS::ECS::Container`); undefined for a plain service. */
  serviceType: string | undefined;
  kind: 'service' | 'route' | 'other';
  /** `GET /api/messages/:id`; `other` for the folded row; undefined for the service's total. */
  route: string | undefined;
  /** The HTTP method, when the requests of a route row recorded one. */
  method: string | undefined;
  /** The route template (`annotations.route`) or collapsed path, without the method. */
  path: string | undefined;
  /** Where the route came from: the `route` annotation our middleware records, or the URL. */
  source: 'annotation' | 'url' | undefined;
  /** Routes folded into an `other` row (0 elsewhere). */
  folded: number;
  requests: number;
  /** Requests per minute over the window. */
  ratePerMinute: number;
  /** 4xx responses including 429 (`errorTotal / requests`), 0–1. */
  errorShare: number;
  /** 5xx responses (`fault / requests`), 0–1. */
  faultShare: number;
  errors: number;
  throttles: number;
  faults: number;
  /** Nearest-rank percentiles of the complete requests, milliseconds. */
  p50Ms: number | undefined;
  p99Ms: number | undefined;
  /** A filter expression that lists this row's traces. */
  filter: string;
}

/** The table of a set of traces. */
export interface RedTable {
  /** The window the rates are over, epoch seconds. */
  startTime: number;
  endTime: number;
  windowSeconds: number;
  traceCount: number;
  /** By service, each service's total first, then its routes by name, then `other`. */
  rows: RedRow[];
}

interface RouteKey {
  /** `GET /api/game/:id`: the row's identity, whatever the source. */
  label: string;
  method: string | undefined;
  path: string;
  source: 'annotation' | 'url';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX_ID = /^[0-9a-f]{16,}$/i;
// Long tokens with a digit (ULIDs, base64 ids, X-Ray trace ids): words like "notifications" stay.
const TOKEN_ID = /^(?=.*\d)[A-Za-z0-9_~.=+-]{20,}$/;
/** Path segments kept before the rest is cut to `…`: a deep random path must not make a new row per depth. */
const MAX_SEGMENTS = 8;
const MAX_SEGMENT_LENGTH = 64;

function idLike(segment: string): boolean {
  return /^\d+$/.test(segment) || UUID.test(segment) || HEX_ID.test(segment) || TOKEN_ID.test(segment) || segment.length > MAX_SEGMENT_LENGTH;
}

/**
 * The path of a URL with its identifiers collapsed (`/api/game/7` → `/api/game/:id`), without
 * scheme, host, query or fragment: raw URLs are unbounded, route rows must not be.
 */
export function collapsePath(url: string): string {
  let path = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '').replace(/[?#][\s\S]*$/, '');
  if (!path.startsWith('/')) path = `/${path}`;
  const segments = path.split('/').slice(1);
  const kept = segments.slice(0, MAX_SEGMENTS).map((segment) => (idLike(segment) ? ':id' : segment));
  if (segments.length > MAX_SEGMENTS) kept.push('…');
  return `/${kept.join('/')}`;
}

function routeOf(request: CallFacts): RouteKey | undefined {
  const method = request.http?.method?.toUpperCase();
  const annotated = request.node.annotations['route'];
  let path: string;
  let source: RouteKey['source'];
  if (typeof annotated === 'string' && annotated !== '') {
    path = annotated;
    source = 'annotation';
  } else if (request.http?.url) {
    path = collapsePath(request.http.url);
    source = 'url';
  } else {
    // No HTTP request (a worker's job segment): counted in the service's total only.
    return undefined;
  }
  const label = method ? `${method} ${path}` : path;
  return { label, method, path, source };
}

/** A string literal of the filter grammar (its lexer takes `\` as escaping the next character). */
function quote(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** The expression listing a row's traces; only as precise as the grammar allows (see README). */
function filterFor(service: GraphNodeRef, route: RouteKey | undefined): string {
  const selector = `service(${quote(service.name)})`;
  if (!route) return selector;
  const method = route.method ? `http.method = ${quote(route.method)}` : undefined;
  if (route.source === 'annotation') {
    // Annotations are trace-wide in the grammar: the method narrows the service's own request.
    return `${method ? `${selector} { ${method} }` : selector} AND annotation.route = ${quote(route.path)}`;
  }
  // No wildcard in the grammar: the literal part before the first collapsed segment is the best
  // the expression can say, so a click may list a few more traces than the row counted.
  const literal = route.path.split(/:id|…/)[0]!;
  const url = literal !== '/' ? `http.url CONTAINS ${quote(literal)}` : undefined;
  const conditions = [method, url].filter((c): c is string => c !== undefined);
  return conditions.length > 0 ? `${selector} { ${conditions.join(' AND ')} }` : selector;
}

interface ServiceAcc {
  ref: GraphNodeRef;
  all: CallFacts[];
  routes: Map<string, { route: RouteKey; requests: CallFacts[] }>;
}

/**
 * The RED table of `traces` (already narrowed to the window, group and filter by the caller, as
 * for {@link buildServiceGraph}). Only services count: the requests a service recorded in its
 * own segments. Inferred nodes (DynamoDB, remote APIs) have the graph's edge statistics instead.
 * Without `window.startTime` ("all held traces") the rate is over the span since the first request.
 */
export function buildRedTable(
  traces: Iterable<Trace>,
  window: { startTime: number | undefined; endTime: number },
  options: { maxRoutes?: number } = {},
): RedTable {
  const maxRoutes = Math.max(0, options.maxRoutes ?? DEFAULT_MAX_ROUTES);
  const services = new Map<string, ServiceAcc>();
  let traceCount = 0;
  let firstStart = Infinity;
  for (const trace of traces) {
    traceCount++;
    for (const node of traceFacts(trace).nodes.values()) {
      if (node.ref.kind !== 'service') continue;
      let acc = services.get(node.ref.key);
      if (!acc) {
        acc = { ref: node.ref, all: [], routes: new Map() };
        services.set(node.ref.key, acc);
      }
      for (const request of node.requests) {
        acc.all.push(request);
        firstStart = Math.min(firstStart, request.startTime);
        const route = routeOf(request);
        if (!route) continue;
        const entry = acc.routes.get(route.label);
        if (!entry) acc.routes.set(route.label, { route, requests: [request] });
        else {
          entry.requests.push(request);
          // A template equal to the collapsed path (`/api/game/:id`) is one row; when only some
          // requests were annotated, the URL condition is the one that lists all of them.
          if (entry.route.source !== route.source) entry.route = { ...entry.route, source: 'url' };
        }
      }
    }
  }
  const startTime = window.startTime ?? (Number.isFinite(firstStart) ? Math.floor(firstStart) : window.endTime);
  // At least a second, so a window of one instant gives a large rate instead of Infinity.
  const windowSeconds = Math.max(1, window.endTime - startTime);
  const perMinute = windowSeconds / 60;

  const row = (ref: GraphNodeRef, kind: RedRow['kind'], route: RouteKey | undefined, requests: readonly CallFacts[], folded: number): RedRow => {
    const stats = new StatsAccumulator();
    for (const request of requests) stats.add(request);
    const summary = stats.summary();
    const share = (part: number): number => (summary.total > 0 ? Math.round((part / summary.total) * 10_000) / 10_000 : 0);
    return {
      service: ref.name,
      serviceType: ref.type,
      kind,
      route: kind === 'other' ? 'other' : route?.label,
      method: route?.method,
      path: route?.path,
      source: route?.source,
      folded,
      requests: summary.total,
      ratePerMinute: Math.round((summary.total / perMinute) * 1000) / 1000,
      errorShare: share(summary.errorTotal),
      faultShare: share(summary.fault),
      errors: summary.error,
      throttles: summary.throttle,
      faults: summary.fault,
      p50Ms: summary.p50Ms,
      p99Ms: summary.p99Ms,
      filter: kind === 'route' ? filterFor(ref, route) : filterFor(ref, undefined),
    };
  };

  const rows: RedRow[] = [];
  const sorted = [...services.values()].sort((a, b) => a.ref.name.localeCompare(b.ref.name) || (a.ref.type ?? '').localeCompare(b.ref.type ?? ''));
  for (const acc of sorted) {
    rows.push(row(acc.ref, 'service', undefined, acc.all, 0));
    // The busiest routes keep their own row; ties by name, so the cut is stable between refreshes.
    const byTraffic = [...acc.routes.values()].sort((a, b) => b.requests.length - a.requests.length || a.route.label.localeCompare(b.route.label));
    const kept = byTraffic.slice(0, maxRoutes).sort((a, b) => a.route.label.localeCompare(b.route.label));
    for (const entry of kept) rows.push(row(acc.ref, 'route', entry.route, entry.requests, 0));
    const rest = byTraffic.slice(maxRoutes);
    if (rest.length > 0) rows.push(row(acc.ref, 'other', undefined, rest.flatMap((entry) => entry.requests), rest.length));
  }
  return { startTime, endTime: window.endTime, windowSeconds, traceCount, rows };
}
