import type { AwsDocument, CauseDocument, ExceptionDocument, HttpDocument, SqlDocument } from '../../core/document.js';
import type { Entity } from '../../core/entity.js';
import { stackFrameLines } from '../../core/exception.js';
import { Segment } from '../../core/segment.js';
import { w3cFormOf } from '../../propagation/trace-id.js';
import type { Subsegment } from '../../core/subsegment.js';
import { SpanKind, StatusCode, type OtlpAttribute, type OtlpEvent, type OtlpSpan, type SpanKindValue, type StatusCodeValue } from './span-model.js';

// The mapping of one segment or subsegment to one OTLP span. It follows the OpenTelemetry
// semantic conventions for what a span means (names, kinds, http.*, rpc.*, exception events), and
// the OpenTelemetry collector's X-Ray translators for what X-Ray needs back (aws.xray.annotations,
// aws.xray.metadata.<namespace>, aws.* fields, enduser.id), so that the X-Ray OTLP endpoint and the
// collector's X-Ray exporter rebuild the document the UDP path sends. The table is in
// README-otlp.md; every row has a test in otlp-mapping.test.ts.

/** `aws.xray.annotations`: the attribute keys X-Ray indexes as annotations. */
export const ANNOTATIONS_ATTRIBUTE = 'aws.xray.annotations';
/** `aws.xray.metadata.<namespace>`: one JSON string per metadata namespace. */
export const METADATA_ATTRIBUTE_PREFIX = 'aws.xray.metadata.';
/** `aws.xray.inprogress`: the span was exported before it ended (at shutdown). */
export const IN_PROGRESS_ATTRIBUTE = 'aws.xray.inprogress';

// Span flags: W3C sampled, and the two bits that say whether the parent is remote.
const FLAG_SAMPLED = 0x01;
const FLAG_HAS_IS_REMOTE = 0x100;
const FLAG_IS_REMOTE = 0x200;

/**
 * Maps a closed (or, at shutdown, still open) segment or subsegment to a span.
 * @param endTime - used for an entity that is still open, which is then marked in progress.
 */
export function entityToSpan(entity: Entity, endTime?: number): OtlpSpan {
  const isSegment = entity instanceof Segment;
  const sub = isSegment ? undefined : (entity as Subsegment);
  const kind: SpanKindValue = isSegment ? SpanKind.SERVER : sub?.namespace ? SpanKind.CLIENT : SpanKind.INTERNAL;
  const attributes: OtlpAttribute[] = [];
  const http = entity.http;
  if (http) (isSegment ? serverHttp : clientHttp)(http, attributes);
  if (sub?.namespace === 'aws') awsCall(entity.name, entity.aws, attributes);
  else if (sub?.namespace === 'remote') attributes.push({ key: 'peer.service', value: entity.name });
  if (sub?.sql) sql(sub.sql, attributes);
  if (isSegment && (entity as Segment).user !== undefined) attributes.push({ key: 'enduser.id', value: (entity as Segment).user as string });
  const route = entity.annotations?.route;
  if (isSegment && typeof route === 'string') attributes.push({ key: 'http.route', value: route });
  annotations(entity, attributes);
  metadata(entity, attributes);
  const open = entity.endTime === undefined;
  if (open) attributes.push({ key: IN_PROGRESS_ATTRIBUTE, value: true });

  const end = entity.endTime ?? endTime ?? entity.startTime;
  const events = exceptionEvents(entity.cause, end);
  const status = spanStatus(entity, kind, entity.cause);
  const segment = entity.segment;
  const parent = isSegment ? segment.parentId : sub?.parent.id;
  let flags = FLAG_SAMPLED;
  if (parent !== undefined) flags |= FLAG_HAS_IS_REMOTE | (isSegment ? FLAG_IS_REMOTE : 0);
  const traceState = segment.traceState;
  return {
    // Entities only ever carry well-formed X-Ray ids (validated when parsed, or made here).
    traceId: w3cFormOf(entity.traceId),
    spanId: entity.id,
    ...(parent !== undefined ? { parentSpanId: parent } : {}),
    ...(traceState ? { traceState } : {}),
    flags,
    name: spanName(entity, isSegment, sub, typeof route === 'string' ? route : undefined),
    kind,
    startTime: entity.startTime,
    endTime: end,
    attributes,
    ...(events.length > 0 ? { events } : {}),
    ...(status ? { status } : {}),
  };
}

// Span names follow the semantic conventions (`GET /api/users/:id`, `GET`, `DynamoDB.Query`);
// X-Ray's names travel in `service.name`, `peer.service` and `rpc.service`, which the X-Ray side
// turns back into the segment and subsegment names.
function spanName(entity: Entity, isSegment: boolean, sub: Subsegment | undefined, route: string | undefined): string {
  const method = entity.http?.request?.method;
  if (isSegment) return method ? (route ? `${method} ${route}` : method) : entity.name;
  if (sub?.namespace === 'aws') {
    const operation = entity.aws?.operation;
    return typeof operation === 'string' ? `${entity.name}.${operation}` : entity.name;
  }
  if (sub?.namespace === 'remote' && method) return method;
  return entity.name;
}

function serverHttp(http: HttpDocument, out: OtlpAttribute[]): void {
  const request = http.request;
  if (request) {
    if (request.method) out.push({ key: 'http.request.method', value: request.method });
    if (request.url) {
      const url = splitUrl(request.url);
      if (url) {
        out.push({ key: 'url.scheme', value: url.scheme }, { key: 'server.address', value: url.host }, { key: 'url.path', value: url.path });
        if (url.port !== undefined) out.push({ key: 'server.port', value: url.port });
      }
    }
    if (request.client_ip) {
      out.push({ key: 'client.address', value: request.client_ip });
      // A direct client is also the socket's peer; X-Ray reads a client address without it as forwarded.
      if (!request.x_forwarded_for) out.push({ key: 'network.peer.address', value: request.client_ip });
    }
    if (request.user_agent) out.push({ key: 'user_agent.original', value: request.user_agent });
  }
  response(http, out);
}

function clientHttp(http: HttpDocument, out: OtlpAttribute[]): void {
  const request = http.request;
  if (request) {
    if (request.method) out.push({ key: 'http.request.method', value: request.method });
    if (request.url) {
      out.push({ key: 'url.full', value: request.url });
      const url = splitUrl(request.url);
      if (url) {
        out.push({ key: 'server.address', value: url.host });
        out.push({ key: 'server.port', value: url.port ?? (url.scheme === 'https' ? 443 : 80) });
      }
    }
  }
  response(http, out);
}

function response(http: HttpDocument, out: OtlpAttribute[]): void {
  const status = http.response?.status;
  if (status !== undefined) out.push({ key: 'http.response.status_code', value: status });
  const length = http.response?.content_length;
  if (length !== undefined) out.push({ key: 'http.response.body.size', value: length });
}

interface UrlParts {
  readonly scheme: string;
  readonly host: string;
  readonly port: number | undefined;
  readonly path: string;
}

// Most requests of a service hit a few URLs: their parts are kept (bounded, cleared when full).
// One lookup per span: a URL that does not parse is kept as `null`.
const urlCache = new Map<string, UrlParts | null>();
const URL_CACHE_LIMIT = 512;

function splitUrl(url: string): UrlParts | undefined {
  let parts = urlCache.get(url);
  if (parts === undefined) {
    parts = parseUrl(url) ?? null;
    if (urlCache.size >= URL_CACHE_LIMIT) urlCache.clear();
    urlCache.set(url, parts);
  }
  return parts ?? undefined;
}

// `http://host:port/path` without `new URL()`, which costs more than the rest of the mapping and
// would normalise what the request carried.
function parseUrl(url: string): UrlParts | undefined {
  const schemeEnd = url.indexOf('://');
  if (schemeEnd <= 0) return undefined;
  const hostStart = schemeEnd + 3;
  let pathStart = url.indexOf('/', hostStart);
  if (pathStart < 0) pathStart = url.length;
  const authority = url.slice(hostStart, pathStart);
  const colon = authority.lastIndexOf(':');
  const bracket = authority.lastIndexOf(']');
  let host = authority;
  let port: number | undefined;
  if (colon > bracket && /^\d{1,5}$/.test(authority.slice(colon + 1))) {
    host = authority.slice(0, colon);
    port = Number(authority.slice(colon + 1));
  }
  const query = url.indexOf('?', pathStart);
  return { scheme: url.slice(0, schemeEnd), host, port, path: query >= 0 ? url.slice(pathStart, query) : url.slice(pathStart) || '/' };
}

// AWS SDK calls: `rpc.*` as the semantic conventions for the AWS SDK define them, plus the
// X-Ray `aws.*` keys the conventions do not cover (the collector maps both back to the `aws` block).
function awsCall(service: string, aws: AwsDocument | undefined, out: OtlpAttribute[]): void {
  out.push({ key: 'rpc.system', value: 'aws-api' }, { key: 'rpc.service', value: service });
  if (!aws) return;
  if (typeof aws.operation === 'string') out.push({ key: 'rpc.method', value: aws.operation });
  if (typeof aws.region === 'string') out.push({ key: 'aws.region', value: aws.region });
  if (typeof aws.request_id === 'string') out.push({ key: 'aws.request_id', value: aws.request_id });
  if (typeof aws.account_id === 'string') out.push({ key: 'aws.account_id', value: aws.account_id });
  if (typeof aws.queue_url === 'string') out.push({ key: 'aws.queue_url', value: aws.queue_url });
  const tables = aws.table_names ?? (typeof aws.table_name === 'string' ? [aws.table_name] : undefined);
  if (tables) out.push({ key: service === 'DynamoDB' ? 'aws.dynamodb.table_names' : 'aws.table_name', value: service === 'DynamoDB' ? tables : tables.join(',') });
  if (typeof aws.retries === 'number') out.push({ key: 'aws.xray.retries', value: aws.retries });
}

// The `sql` block as the `db.*` keys the collector's X-Ray exporter reads back into it.
function sql(block: SqlDocument, out: OtlpAttribute[]): void {
  // The conventions' ids are lower case (`postgresql`); X-Ray shows the value as given.
  if (block.database_type) out.push({ key: 'db.system', value: block.database_type.toLowerCase() });
  if (block.url) out.push({ key: 'db.connection_string', value: block.url });
  if (block.user) out.push({ key: 'db.user', value: block.user });
  if (block.sanitized_query) out.push({ key: 'db.statement', value: block.sanitized_query });
  if (block.database_version) out.push({ key: 'db.version', value: block.database_version });
}

// Annotations travel as attributes under their own keys, listed in `aws.xray.annotations` so
// X-Ray indexes exactly these (and not every attribute).
function annotations(entity: Entity, out: OtlpAttribute[]): void {
  const all = entity.annotations;
  if (!all) return;
  const keys = Object.keys(all);
  if (keys.length === 0) return;
  for (const key of keys) out.push({ key, value: all[key] as string | number | boolean });
  out.push({ key: ANNOTATIONS_ATTRIBUTE, value: keys });
}

function metadata(entity: Entity, out: OtlpAttribute[]): void {
  const all = entity.metadata;
  if (!all) return;
  for (const namespace of Object.keys(all)) {
    out.push({ key: METADATA_ATTRIBUTE_PREFIX + namespace, value: JSON.stringify(all[namespace]) });
  }
}

/**
 * Status from the same rules the X-Ray side applies in reverse: a fault is `ERROR`; a 4xx is
 * `ERROR` on a client span and left unset on a server span (semantic conventions), where X-Ray
 * reads `error` and `throttle` back from `http.response.status_code`.
 */
function spanStatus(entity: Entity, kind: SpanKindValue, cause: CauseDocument | string | undefined): { code: StatusCodeValue; message?: string } | undefined {
  const failed = entity.fault || (entity.error && kind === SpanKind.CLIENT);
  if (!failed) return undefined;
  const message = typeof cause === 'object' ? cause.exceptions[0]?.message : undefined;
  return message ? { code: StatusCode.ERROR, message } : { code: StatusCode.ERROR };
}

/** Each exception of `cause` as an `exception` span event (`exception.type`, `.message`, `.stacktrace`). */
function exceptionEvents(cause: CauseDocument | string | undefined, time: number): OtlpEvent[] {
  if (cause === undefined || typeof cause === 'string') return [];
  return cause.exceptions.map((exception) => ({ name: 'exception', time, attributes: exceptionAttributes(exception) }));
}

function exceptionAttributes(exception: ExceptionDocument): OtlpAttribute[] {
  const out: OtlpAttribute[] = [
    { key: 'exception.type', value: exception.type },
    { key: 'exception.message', value: exception.message },
  ];
  if (exception.stack && exception.stack.length > 0) out.push({ key: 'exception.stacktrace', value: stackText(exception) });
  return out;
}

// The V8 text form (`Type: message` then `    at label (path:line:column)`), which is what
// `exception.stacktrace` holds for Node and what the X-Ray side parses back into frames. The
// message line is rebuilt from the scrubbed message; the frame lines are the original ones when
// the exception was recorded in this process, else rebuilt from the X-Ray frames (no column).
function stackText(exception: ExceptionDocument): string {
  let text = exception.message ? `${exception.type}: ${exception.message}` : exception.type;
  const original = stackFrameLines(exception);
  if (original !== undefined) text += `\n${original}`;
  else {
    for (const frame of exception.stack ?? []) {
      const where = frame.line === null ? frame.path : `${frame.path}:${frame.line}`;
      text += frame.label ? `\n    at ${frame.label} (${where})` : `\n    at ${where}`;
    }
  }
  if (exception.truncated) text += `\n    ... ${exception.truncated} more`;
  return text;
}
