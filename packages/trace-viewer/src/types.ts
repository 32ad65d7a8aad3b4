// Public data shapes. Documents arrive from the network, so everything beyond the fields the
// receiver validates is typed as optional and read defensively.

/** Any JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

/**
 * A segment or subsegment document as received. The receiver guarantees `name`, `id`,
 * `start_time` (and `trace_id` on top-level documents); every other field is whatever the sender
 * wrote, so read it defensively rather than trusting its type.
 */
export interface SegmentDocument extends JsonObject {
  name: string;
  id: string;
  start_time: number;
}

/** Why a datagram was rejected. Each reason has its own counter in {@link ViewerStats}. */
export type MalformedReason =
  /** Larger than the 64 KiB a daemon reads. */
  | 'too_large'
  /** No newline, or a first line that is not `{"format":"json","version":1}`. */
  | 'bad_header'
  /** A valid header with nothing after it. */
  | 'empty_body'
  /** The body is not JSON (truncated datagrams land here). */
  | 'invalid_json'
  /** The body is JSON but not an object (an array, a string, …). */
  | 'not_object'
  /** `name`, `id`, `trace_id`, `start_time` (or `parent_id` of an independent subsegment) missing or of the wrong type. */
  | 'missing_field'
  /** An `id` or `parent_id` that is not 16 hex digits. */
  | 'bad_id'
  /** A `trace_id` that is not `1-<8 hex>-<24 hex>`. */
  | 'bad_trace_id'
  /** Subsegments nested deeper than the receiver accepts. */
  | 'too_deep';

/** HTTP facts of one segment or subsegment. */
export interface NodeHttp {
  method?: string;
  url?: string;
  status?: number;
  /** `http.request.user_agent`. */
  userAgent?: string;
  /** `http.request.client_ip`. */
  clientIp?: string;
}

/** One segment or subsegment placed in its trace's tree. */
export interface TraceNode {
  id: string;
  name: string;
  /** `segment` for a service's own record of a request, `subsegment` for work inside it. */
  kind: 'segment' | 'subsegment';
  /** `remote` (downstream HTTP call), `aws` (AWS SDK call), or undefined for local work. */
  namespace?: string;
  /** The parent named by the document, whether or not it was received. */
  parentId?: string;
  /** Name of the segment (service) this node belongs to; undefined for an orphan subsegment. */
  service?: string;
  /** Epoch seconds. */
  startTime: number;
  /** Epoch seconds; undefined while in progress. */
  endTime?: number;
  inProgress: boolean;
  /** `end_time - start_time` in milliseconds; undefined while in progress. */
  durationMs?: number;
  http?: NodeHttp;
  /** `aws.operation` of an AWS SDK subsegment. */
  operation?: string;
  /** `sql.sanitized_query` or `sql.url`, when present. */
  sql?: string;
  error: boolean;
  throttle: boolean;
  fault: boolean;
  /** The first exception's `type: message`, when the document records a cause. */
  cause?: string;
  /** The first exception's type and message, apart, for root causes and filter expressions. */
  exception?: { type?: string; message?: string };
  annotations: Record<string, string | number | boolean>;
  /** `origin` of a segment, e.g. `AWS::ECS::Container`. */
  origin?: string;
  /** `user` of a segment. */
  user?: string;
  /** Children ordered by start time. */
  children: TraceNode[];
}

/** One row of the trace list. */
export interface TraceSummary {
  id: string;
  /** Earliest `start_time` in the trace, epoch seconds. */
  startTime: number;
  /** From the earliest start to the latest end seen, in milliseconds. */
  durationMs: number;
  /** Entry point: the first root segment's HTTP method, URL and status, when it has them. */
  method?: string;
  url?: string;
  status?: number;
  /** Name of the entry segment (the first root). */
  entry: string;
  /** Segment names in order of first start. */
  services: string[];
  hasError: boolean;
  hasFault: boolean;
  hasThrottle: boolean;
  /** Documents kept for this trace (after de-duplication). */
  documentCount: number;
  /** Segments and subsegments in the tree. */
  nodeCount: number;
  /** Some document is still `in_progress`. */
  inProgress: boolean;
  /** See the README: complete root, nothing in progress, and quiet for the configured period. */
  finished: boolean;
  /** Finished by the open-trace time limit rather than by completing. */
  partial: boolean;
  /** Documents were refused because the trace hit its per-trace limit. */
  truncated: boolean;
  /** Wall-clock times (epoch milliseconds) of the first and latest document. */
  firstReceivedAt: number;
  lastReceivedAt: number;
}

/** A box of the service map. */
export interface ServiceMapNode {
  name: string;
  /** `service` for a segment name, `remote` or `aws` for an untraced downstream. */
  kind: 'service' | 'remote' | 'aws';
  /** Segments or subsegments that stand for this node. */
  count: number;
  /** Of those, how many had error, fault or throttle set. */
  errors: number;
}

/** An arrow of the service map: `from` called `to`. */
export interface ServiceMapEdge {
  from: string;
  to: string;
  calls: number;
  errors: number;
}

/** Who called whom in one trace. */
export interface ServiceMap {
  nodes: ServiceMapNode[];
  edges: ServiceMapEdge[];
}

/** Everything known about one trace: its summary, the reassembled tree and the raw documents. */
export interface Trace extends TraceSummary {
  /** Root nodes: normally one entry segment; more when parents never arrived. */
  roots: TraceNode[];
  serviceMap: ServiceMap;
  /** The documents as received, in arrival order, one per id. */
  documents: SegmentDocument[];
}

/** Counters of the store. */
export interface StoreStats {
  /** Valid documents accepted. */
  documents: number;
  /** Documents ignored because the same id was already kept (complete, or the same in-progress). */
  duplicates: number;
  /** In-progress documents replaced by their complete version. */
  replaced: number;
  /** Traces dropped to stay within the trace count or memory limit. */
  evictions: number;
  /** Documents refused because their trace reached the per-trace limit. */
  documentsDropped: number;
  /** Traces held now. */
  traces: number;
  /** Approximate bytes of documents held now. */
  bytes: number;
}

/** Counters of the whole viewer, as `GET /api/stats` returns them. */
export interface ViewerStats extends StoreStats {
  /** Datagrams read from the socket, valid or not. */
  received: number;
  /** Rejected datagrams by reason. */
  malformed: Record<MalformedReason, number>;
  /** The last few rejections, newest last, to see what a sender got wrong. */
  recentMalformed: MalformedSample[];
  /** Relay to `--forward`: datagrams sent, failed and dropped because too many were in flight. */
  forward?: { target: string; sent: number; errors: number; dropped: number };
  /** Socket errors on the receiving side. */
  socketErrors: number;
  /** The OTLP/HTTP receiver's counters, when it runs. */
  otlp?: OtlpStats;
}

/** Why an OTLP/HTTP request was refused. Each reason has its own counter in {@link OtlpStats}. */
export type OtlpRefusal =
  /** 400: the body is not an `ExportTraceServiceRequest` (bad protobuf, bad JSON, bad gzip). */
  | 'bad_request'
  /** 404: a path other than `/v1/traces`. */
  | 'not_found'
  /** 405: a method other than POST. */
  | 'method_not_allowed'
  /** 413: larger than the body limit, as sent or once decompressed. */
  | 'too_large'
  /** 415: a content type other than protobuf or JSON, or an encoding other than gzip. */
  | 'unsupported_media_type'
  /** 500: a bug in the viewer; the receiver keeps running. */
  | 'internal_error';

/** Counters of the OTLP/HTTP receiver. */
export interface OtlpStats {
  /** Export requests processed (answered 200, with or without partial success). */
  requests: number;
  /** Spans kept, as segments or subsegments. */
  spans: number;
  /** Spans refused (invalid ids or times), reported to senders in `partial_success`. */
  rejectedSpans: number;
  /** Documents added to the store (a segment with its embedded subsegments is one). */
  documents: number;
  /**
   * Spans whose trace id X-Ray itself would refuse: its time part more than 28 days old or more
   * than 5 minutes ahead (W3C random trace ids usually are). Shown here anyway; counted so a trace
   * that would not reach AWS through an X-Ray exporter is not a surprise.
   */
  outsideXrayWindow: number;
  /** Refused requests by reason. */
  refused: Record<OtlpRefusal, number>;
  /** The last few refusals, newest last. */
  recentRefused: Array<{ reason: OtlpRefusal; status: number; detail: string; at: number }>;
}

/** One rejected datagram, kept for diagnosis. */
export interface MalformedSample {
  reason: MalformedReason;
  detail: string;
  bytes: number;
  /** Epoch milliseconds. */
  at: number;
}
