import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeader } from 'node:http';
import { channel } from 'node:diagnostics_channel';
import { nowSeconds } from './clock.js';
import type { Segment } from './segment.js';
import { wildcardMatch } from './sampling/wildcard.js';
import { extractTraceContext } from '../propagation/propagator.js';
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
  /** Set once {@link recordIncomingError} recorded the request's error. */
  errorRecorded: boolean;
}

/** How a request ended. */
export interface IncomingResult {
  status: number;
  contentLength?: number;
  /** The client went away before the response was complete. */
  aborted?: boolean;
  /**
   * False when the client went away before a status line was written: then `status` is only what
   * the response would have carried, so no `http.response` is recorded. Defaults to true.
   */
  headersSent?: boolean;
}

/** The parts of Node's `http.ServerResponse` that tell how a response ended. */
export interface NodeResponseState {
  readonly statusCode: number;
  readonly headersSent: boolean;
  /** `end()` was called: the whole response was handed to Node. */
  readonly writableEnded: boolean;
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
// A Content-Length is digits only (`Number()` alone would take `1e3` or `0x10`).
const DIGITS = /^\d{1,15}$/;

/**
 * The neutral view of a Node request, as both Express and Fastify hand it over (`req` and
 * `request.raw` are `http.IncomingMessage`s).
 * @param url - the path and query as the client sent it; Express passes `req.originalUrl`
 *   because routers rewrite `req.url`.
 */
export function incomingRequestView(req: IncomingMessage, url: string = req.url ?? '/'): IncomingRequestView {
  return new NodeRequestView(req, url);
}

type NodeSocket = (IncomingMessage['socket'] & { encrypted?: boolean }) | null;

// A class, so the peer address is read only when asked for (sampled requests and listeners):
// `socket.remoteAddress` calls into the socket.
class NodeRequestView implements IncomingRequestView {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly encrypted: boolean;
  readonly #socket: NodeSocket;

  constructor(req: IncomingMessage, url: string) {
    const socket = req.socket as NodeSocket;
    this.method = req.method ?? 'GET';
    this.url = url;
    this.headers = req.headers;
    this.encrypted = socket?.encrypted === true;
    this.#socket = socket;
  }

  get remoteAddress(): string | undefined {
    return this.#socket?.remoteAddress;
  }
}

/**
 * The one request mapping both framework integrations share: extracts the trace context
 * (`X-Amzn-Trace-Id` and W3C `traceparent`/`tracestate`, by the precedence of
 * {@link extractTraceContext}), names the segment, decides sampling, records `http.request` (URL
 * without its query string, which often carries secrets), and prepares the response header.
 */
export function beginIncomingRequest(tracer: Tracer, view: IncomingRequestView, options: IncomingTraceOptions): IncomingTrace {
  const context = extractTraceContext(view.headers, tracer.propagators);
  const header = context.header;
  const host = firstHeader(view.headers.host);
  // AWS_XRAY_TRACING_NAME wins, then the integration's option, then the tracer's own name.
  const defaultName = (tracer.nameFromEnv ? tracer.name : (options.name ?? tracer.name)) ?? 'service';
  const name = options.dynamicNaming !== undefined && host !== undefined ? dynamicName(options.dynamicNaming, host, defaultName) : defaultName;
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
    traceState: context.traceState,
  });

  // The client's address and agent go to the segment and to RequestEndEvent listeners: an
  // unsampled request with no listener skips them (the peer address is a call into the socket).
  const details = segment.isSampled || requestEnd.hasSubscribers;
  const fromForwarded = details ? firstListEntry(firstHeader(view.headers['x-forwarded-for'])) : undefined;
  const clientIp = details ? fromForwarded || view.remoteAddress : undefined;
  const userAgent = details ? firstHeader(view.headers['user-agent']) : undefined;
  if (segment.isSampled) {
    const scheme = view.encrypted || firstListEntry(firstHeader(view.headers['x-forwarded-proto'])) === 'https' ? 'https' : 'http';
    let url = `${scheme}://${host ?? 'localhost'}${path}`;
    if (url.length > MAX_URL) url = url.slice(0, MAX_URL);
    segment.setHttpRequest({ method: view.method, url });
    const request = segment.http!.request!;
    if (userAgent !== undefined) request.user_agent = userAgent.length > 500 ? userAgent.slice(0, 500) : userAgent;
    if (clientIp !== undefined) request.client_ip = clientIp.slice(0, 100);
    if (fromForwarded) request.x_forwarded_for = true;
  }
  let responseHeader = `Root=${segment.traceId}`;
  // A `Sampled=?` is answered even when a traceparent flag, not the sampler, made the decision.
  if (decision.answerRequested || context.answerRequested) responseHeader += `;Sampled=${segment.isSampled ? '1' : '0'}`;
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
    errorRecorded: false,
  };
}

/** Records the route template (e.g. `/api/activities/@:handle`) so traces group by route. */
export function setIncomingRoute(trace: IncomingTrace, route: string | undefined): void {
  if (!route || trace.route === route) return;
  trace.route = route;
  if (trace.segment.isSampled) trace.segment.addAnnotation('route', route);
}

/**
 * Records the error that failed a request as the segment's cause, once per request: the first
 * error wins (later ones are usually the same failure seen by another handler). The response
 * status decides the flags, so an error answered with a 4xx stays an `error`, not a `fault`.
 * Unsampled requests skip the work (stack parsing) entirely.
 */
export function recordIncomingError(trace: IncomingTrace, error: unknown): void {
  if (trace.errorRecorded || trace.ended) return;
  trace.errorRecorded = true;
  if (trace.segment.isSampled) trace.segment.addError(error, { fault: false });
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
    if (result.headersSent !== false) segment.setHttpResponse(result.status, result.contentLength);
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

/**
 * Whether ending `trace` uses the response's details (its length, the route): the segment records
 * them, or someone (access log, metrics) listens on {@link REQUEST_END_CHANNEL}. An unsampled
 * request nobody listens to skips reading them.
 */
export function wantsResponseDetails(trace: IncomingTrace): boolean {
  return trace.segment.isSampled || requestEnd.hasSubscribers;
}

/**
 * Ends a request from Node's response once it emitted `close` (which it does after every
 * response, finished or not): a response whose `end()` never ran was cut short by the client.
 * @param contentLength - the response's `Content-Length` header as the framework holds it.
 */
export function endIncomingResponse(trace: IncomingTrace, res: NodeResponseState, contentLength: OutgoingHttpHeader | undefined): void {
  if (trace.ended) return;
  if (!wantsResponseDetails(trace)) {
    // Nothing records or reads the result: close the segment, build nothing.
    trace.ended = true;
    trace.segment.close();
    return;
  }
  const headersSent = res.headersSent;
  endIncomingRequest(trace, {
    status: res.statusCode,
    contentLength: headersSent ? contentLengthOf(contentLength) : undefined,
    aborted: !res.writableEnded,
    headersSent,
  });
}

/** Reads a `Content-Length` header value (number, numeric string, or the first of a list). */
export function contentLengthOf(value: OutgoingHttpHeader | undefined): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  const text = Array.isArray(value) ? value[0] : value;
  return typeof text === 'string' && DIGITS.test(text) ? Number(text) : undefined;
}

/**
 * The `Host` header as the segment name when it matches the pattern. The Host header is whatever
 * the client sends: the name is checked again once sanitised (characters removed, cut to 200), so
 * a spoofed host can never produce a name outside the pattern's set.
 */
function dynamicName(pattern: string, host: string, defaultName: string): string {
  if (!wildcardMatch(pattern, host)) return defaultName;
  const name = sanitizeName(host, defaultName);
  return wildcardMatch(pattern, name) ? name : defaultName;
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

// First entry of a comma-separated header, trimmed, without splitting the whole list.
function firstListEntry(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const comma = value.indexOf(',');
  return (comma >= 0 ? value.slice(0, comma) : value).trim();
}
