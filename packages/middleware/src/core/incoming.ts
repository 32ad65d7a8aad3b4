import type { IncomingHttpHeaders } from 'node:http';
import { channel } from 'node:diagnostics_channel';
import { nowSeconds } from './clock.js';
import type { Segment } from './segment.js';
import { wildcardMatch } from './sampling/wildcard.js';
import { parseTraceHeader, TRACE_HEADER_LOWER } from './trace-header.js';
import type { Tracer } from './tracer.js';
import { sanitizeName } from './names.js';

/** What an integration knows about an incoming request, framework-neutral. */
export interface IncomingRequestView {
  method: string;
  /** Path and query as received (`req.url`). */
  url: string;
  headers: IncomingHttpHeaders;
  /** The socket's peer address. */
  remoteAddress: string | undefined;
  /** TLS terminated in this process. */
  encrypted: boolean;
}

/** How integrations name and trace incoming requests. */
export interface IncomingTraceOptions {
  /** Segment name; `AWS_XRAY_TRACING_NAME` (through the tracer) overrides it. */
  name?: string;
  /**
   * Name segments after the `Host` header when it matches this wildcard pattern (e.g.
   * `*.example.com`); other hosts get the default name. Env: `AWS_XRAY_URL`-style patterns work.
   */
  dynamicNaming?: string;
}

/** A request being traced. */
export interface IncomingTrace {
  segment: Segment;
  /** The value for the `X-Amzn-Trace-Id` response header. */
  responseHeader: string;
  /** Epoch seconds at start, for durations. */
  startedAt: number;
  method: string;
  /** The path without the query. */
  path: string;
  userAgent: string | undefined;
  clientIp: string | undefined;
  /** The route template once the framework knows it. */
  route: string | undefined;
  /** Set once {@link endIncomingRequest} ran. */
  ended: boolean;
}

/** How a request ended. */
export interface IncomingResult {
  status: number;
  contentLength?: number;
  /** The client went away before the response was complete. */
  aborted?: boolean;
}

/** Published on {@link REQUEST_END_CHANNEL} for every finished request (the access log listens). */
export interface RequestEndEvent {
  segment: Segment;
  method: string;
  route: string | undefined;
  path: string;
  status: number;
  durationMs: number;
  contentLength: number | undefined;
  userAgent: string | undefined;
  clientIp: string | undefined;
  aborted: boolean;
}

/** The diagnostics channel every integration publishes finished requests on. */
export const REQUEST_END_CHANNEL = 'cruddur.middleware.request.end';
const requestEnd = channel(REQUEST_END_CHANNEL);
const MAX_URL = 2000;

/**
 * The one request mapping both framework integrations share: parses the trace header, names the
 * segment, decides sampling, records `http.request` (URL without its query string, which often
 * carries secrets), and prepares the response header.
 */
export function beginIncomingRequest(tracer: Tracer, view: IncomingRequestView, options: IncomingTraceOptions): IncomingTrace {
  const header = parseTraceHeader(view.headers[TRACE_HEADER_LOWER]);
  const host = firstHeader(view.headers.host);
  const defaultName = tracer.name ?? options.name ?? 'service';
  const name =
    options.dynamicNaming !== undefined && host !== undefined && wildcardMatch(options.dynamicNaming, host)
      ? sanitizeName(host, defaultName)
      : defaultName;
  const q = view.url.indexOf('?');
  const path = q >= 0 ? view.url.slice(0, q) : view.url;
  const decision = tracer.decide(header, {
    host,
    method: view.method,
    urlPath: path,
    serviceName: name,
    serviceType: tracer.segmentDefaults.origin,
  });
  const segment = tracer.beginSegment({
    name,
    traceId: header.root,
    parentId: header.parent,
    sampled: decision.sampled,
    ruleName: decision.ruleName,
    header,
  });

  const forwarded = firstHeader(view.headers['x-forwarded-for']);
  const fromForwarded = forwarded?.split(',')[0]?.trim();
  const clientIp = fromForwarded || view.remoteAddress;
  const userAgent = firstHeader(view.headers['user-agent']);
  if (segment.isSampled) {
    const scheme = firstHeader(view.headers['x-forwarded-proto'])?.split(',')[0]?.trim() === 'https' || view.encrypted ? 'https' : 'http';
    let url = `${scheme}://${host ?? 'localhost'}${path}`;
    if (url.length > MAX_URL) url = url.slice(0, MAX_URL);
    segment.setHttpRequest({ method: view.method, url });
    const request = segment.http!.request!;
    if (userAgent !== undefined) request.user_agent = userAgent.length > 500 ? userAgent.slice(0, 500) : userAgent;
    if (clientIp !== undefined) request.client_ip = clientIp.slice(0, 100);
    if (fromForwarded) request.x_forwarded_for = true;
  }
  let responseHeader = `Root=${segment.traceId}`;
  if (decision.answerRequested) responseHeader += `;Sampled=${segment.isSampled ? '1' : '0'}`;
  return {
    segment,
    responseHeader,
    startedAt: segment.startTime,
    method: view.method,
    path,
    userAgent,
    clientIp,
    route: undefined,
    ended: false,
  };
}

/** Records the route template (e.g. `/api/activities/@:handle`) so traces group by route. */
export function setIncomingRoute(trace: IncomingTrace, route: string | undefined): void {
  if (!route || trace.route === route) return;
  trace.route = route;
  if (trace.segment.isSampled) trace.segment.addAnnotation('route', route);
}

/** Records an error thrown by a handler, once; the status decides the flags. */
export function recordIncomingError(trace: IncomingTrace, error: unknown): void {
  trace.segment.addError(error, { fault: false });
}

/**
 * Closes the request's segment exactly once: `http.response`, flags from the status, `aborted`
 * annotation when the client went away. Then publishes the request for the access log.
 */
export function endIncomingRequest(trace: IncomingTrace, result: IncomingResult): void {
  if (trace.ended) return;
  trace.ended = true;
  const segment = trace.segment;
  if (segment.isSampled) {
    segment.setHttpResponse(result.status, result.contentLength);
    if (result.aborted) segment.addAnnotation('client_aborted', true);
  }
  segment.close();
  if (requestEnd.hasSubscribers) {
    requestEnd.publish({
      segment,
      method: trace.method,
      route: trace.route,
      path: trace.path,
      status: result.status,
      durationMs: Math.round((nowSeconds() - trace.startedAt) * 1e6) / 1000,
      contentLength: result.contentLength,
      userAgent: trace.userAgent,
      clientIp: trace.clientIp,
      aborted: result.aborted === true,
    } satisfies RequestEndEvent);
  }
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
