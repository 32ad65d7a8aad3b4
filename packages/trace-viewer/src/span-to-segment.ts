// One OTLP span → one X-Ray segment document, following the OpenTelemetry collector's X-Ray
// exporter (exporter/awsxrayexporter/internal/translator/segment.go). Server spans and root spans
// become segments; other spans with a parent become subsegments. The README has the whole table,
// including where the viewer deliberately differs.
import { attrString } from './otlp-attributes.js';
import { SpanKind, type OtlpAttributes, type OtlpLink, type OtlpSpan } from './otlp-model.js';
import { awsOrigin, serviceBlock, takeAws } from './span-aws.js';
import { makeCause } from './span-cause.js';
import { takeHttp } from './span-http.js';
import { takeXRayAttributes } from './span-annotations.js';
import { takeSql } from './span-sql.js';
import type { JsonObject, JsonValue, SegmentDocument } from './types.js';

/** X-Ray's in-progress flag as the collector's X-Ray receiver writes it into spans. */
export const IN_PROGRESS_ATTRIBUTE = 'aws.xray.inprogress';

/** X-Ray refuses trace ids older than 30 days; the collector checks 28 days back and 5 minutes ahead. */
const MAX_TRACE_AGE_SECONDS = 28 * 24 * 60 * 60;
const MAX_TRACE_SKEW_SECONDS = 5 * 60;
const MAX_NAME_LENGTH = 200;

/** One span's document and what the batch assembly needs to know about it. */
export interface MappedSpan {
  document: SegmentDocument;
  /** `subsegment` when the span is not a server span and has a parent. */
  kind: 'segment' | 'subsegment';
  /** X-Ray form, `1-<8 hex>-<24 hex>`. */
  traceId: string;
  /** The span's own id and its parent's (16 hex), for nesting subsegments in a batch. */
  spanId: string;
  parentSpanId: string | undefined;
  /** The trace id's time part is outside the window X-Ray accepts (kept here, counted in stats). */
  outsideXrayWindow: boolean;
}

/** `1-<first 8 hex>-<last 24 hex>`: the OTLP id's first 32 bits are read as X-Ray's epoch seconds. */
export function toXRayTraceId(hex: string): string {
  return `1-${hex.slice(0, 8)}-${hex.slice(8, 32)}`;
}

/** Whether X-Ray itself would refuse the trace id for its age (or for being in the future). */
export function isOutsideXRayWindow(hex: string, nowSeconds: number): boolean {
  const delta = nowSeconds - Number.parseInt(hex.slice(0, 8), 16);
  return delta > MAX_TRACE_AGE_SECONDS || delta < -MAX_TRACE_SKEW_SECONDS;
}

/** Nanoseconds → epoch seconds with microsecond precision, exact for any realistic date. */
function toSeconds(nanos: bigint): number {
  return Number(nanos / 1000n) / 1e6;
}

/** Keeps the characters X-Ray allows in names (letters, digits, spaces and `_.:/%&#=+\-@`). */
export function fixSegmentName(name: string): string {
  const fixed = name.replace(/[^ \p{L}\p{N}_.:/%&#=+\\\-@]/gu, '').slice(0, MAX_NAME_LENGTH);
  return fixed === '' ? 'span' : fixed;
}

function trimAwsPrefix(name: string): string {
  if (name.startsWith('AWS.SDK.')) return name.slice('AWS.SDK.'.length);
  if (name.startsWith('AWS::')) return name.slice('AWS::'.length);
  return name;
}

function hostOf(connection: string): string | undefined {
  try {
    return new URL(connection.replace(/^jdbc:/, '')).hostname || undefined;
  } catch {
    return undefined;
  }
}

/** X-Ray names are service names, span names are operations: find the service, in the exporter's order. */
function nameAndNamespace(span: OtlpSpan, resource: OtlpAttributes): { name: string; namespace: string | undefined } {
  const attributes = span.attributes;
  const awsSdk = attrString(attributes, 'rpc.system') === 'aws-api';
  const outgoing = span.kind === SpanKind.CLIENT || span.kind === SpanKind.PRODUCER || span.kind === SpanKind.CONSUMER;
  let name: string | undefined;
  let namespace: string | undefined = awsSdk ? 'aws' : undefined;
  if (span.kind === SpanKind.SERVER || (span.kind === SpanKind.INTERNAL && attrString(attributes, 'aws.span.kind') === 'LOCAL_ROOT')) {
    name = attrString(attributes, 'aws.local.service');
  }
  const remoteService = attrString(attributes, 'aws.remote.service');
  if (outgoing && remoteService) {
    name = awsSdk ? trimAwsPrefix(remoteService) : remoteService;
    // A call to a named remote service is a remote call even when it is a producer or consumer.
    namespace ??= 'remote';
  }
  name ||= attrString(attributes, 'peer.service');
  if (!name) {
    name = attrString(attributes, 'aws.service');
    if (name) namespace ??= 'aws';
  }
  if (!name) {
    const database = attrString(attributes, 'db.name');
    const connection = attrString(attributes, 'db.connection_string');
    const host = database && connection ? hostOf(connection) : undefined;
    if (database) name = host ? `${database}@${host}` : database;
  }
  if (!name && span.kind === SpanKind.SERVER) name = attrString(resource, 'service.name');
  name ||= attrString(attributes, 'rpc.service') || attrString(attributes, 'http.host') || attrString(attributes, 'net.peer.name');
  // The current conventions name the peer server.address; the exporter only knows net.peer.name.
  if (!name && outgoing) name = attrString(attributes, 'server.address');
  if (!name) name = fixSegmentName(span.name);
  if (span.kind === SpanKind.CLIENT) namespace ??= 'remote';
  return { name, namespace };
}

function makeLinks(links: readonly OtlpLink[]): JsonValue[] | undefined {
  if (links.length === 0) return undefined;
  return links.map((link) => {
    const entry: JsonObject = { trace_id: toXRayTraceId(link.traceId), id: link.spanId };
    if (link.attributes.size > 0) entry['attributes'] = Object.fromEntries(link.attributes);
    return entry;
  });
}

/**
 * Maps one span. Never throws for a span the decoder accepted. `nowSeconds` is only used to
 * flag trace ids X-Ray would refuse for their age; the viewer shows them anyway.
 */
export function spanToSegment(span: OtlpSpan, resource: OtlpAttributes, nowSeconds: number = Date.now() / 1000): MappedSpan {
  const isSubsegment = span.kind !== SpanKind.SERVER && span.parentSpanId !== undefined;
  const traceId = toXRayTraceId(span.traceId);
  // The blocks below each consume the attributes they turn into fields; the rest become metadata.
  const attributes: OtlpAttributes = new Map(span.attributes);
  const inProgress = attributes.get(IN_PROGRESS_ATTRIBUTE) === true;
  attributes.delete(IN_PROGRESS_ATTRIBUTE);
  const { name, namespace } = nameAndNamespace(span, resource);
  const http = takeHttp(span, attributes);
  const flags = makeCause(span, attributes, resource);
  const aws = takeAws(attributes, resource, !isSubsegment);
  const sql = takeSql(span, attributes);
  const { user, annotations, metadata } = takeXRayAttributes(attributes, resource, !isSubsegment);

  const document: SegmentDocument = { name, id: span.spanId, start_time: toSeconds(span.startTimeUnixNano) };
  // Only top-level documents carry the trace id; embedded subsegments lose it when nested.
  document['trace_id'] = traceId;
  if (span.parentSpanId !== undefined) document['parent_id'] = span.parentSpanId;
  if (isSubsegment) document['type'] = 'subsegment';
  if (inProgress) document['in_progress'] = true;
  else document['end_time'] = Math.max(toSeconds(span.endTimeUnixNano), document.start_time);
  if (isSubsegment && namespace !== undefined) document['namespace'] = namespace;
  if (!isSubsegment) {
    const origin = awsOrigin(resource);
    if (origin !== undefined) document['origin'] = origin;
    const service = serviceBlock(resource);
    if (service !== undefined) document['service'] = service;
  }
  if (user !== undefined) document['user'] = user;
  if (http !== undefined) document['http'] = http;
  if (aws !== undefined) document['aws'] = aws;
  if (sql !== undefined) document['sql'] = sql;
  if (flags.error) document['error'] = true;
  if (flags.fault) document['fault'] = true;
  if (flags.throttle) document['throttle'] = true;
  if (flags.cause !== undefined) document['cause'] = flags.cause;
  if (annotations !== undefined) document['annotations'] = annotations;
  if (metadata !== undefined) document['metadata'] = metadata;
  const links = makeLinks(span.links);
  if (links !== undefined) document['links'] = links;

  return {
    document,
    kind: isSubsegment ? 'subsegment' : 'segment',
    traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    outsideXrayWindow: isOutsideXRayWindow(span.traceId, nowSeconds),
  };
}
