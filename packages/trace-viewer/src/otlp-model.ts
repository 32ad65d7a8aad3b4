// The OTLP trace data as the viewer works with it, after decoding either wire form (protobuf or
// JSON): ids as lowercase hex, times as exact nanosecond bigints, attributes as JSON values.
import type { JsonValue } from './types.js';

/** `Span.SpanKind` values of opentelemetry-proto `trace/v1/trace.proto`. */
export const SpanKind = {
  UNSPECIFIED: 0,
  INTERNAL: 1,
  SERVER: 2,
  CLIENT: 3,
  PRODUCER: 4,
  CONSUMER: 5,
} as const;

/** `Status.StatusCode` values. */
export const StatusCode = {
  UNSET: 0,
  OK: 1,
  ERROR: 2,
} as const;

/**
 * Attributes by key. A `Map`, not an object, so keys like `__proto__` from the network stay plain
 * data. Values keep their OTLP type as far as JSON can: `intValue` and `doubleValue` are numbers,
 * `bytesValue` is base64 text, `arrayValue` an array, `kvlistValue` an object, an empty value null.
 */
export type OtlpAttributes = Map<string, JsonValue>;

/** `Span.Event`. */
export interface OtlpEvent {
  name: string;
  timeUnixNano: bigint;
  attributes: OtlpAttributes;
}

/** `Span.Link`. */
export interface OtlpLink {
  /** 32 lowercase hex digits. */
  traceId: string;
  /** 16 lowercase hex digits. */
  spanId: string;
  attributes: OtlpAttributes;
}

/** One span whose ids are valid (spans with invalid ids are counted and dropped while decoding). */
export interface OtlpSpan {
  /** 32 lowercase hex digits, not all zero. */
  traceId: string;
  /** 16 lowercase hex digits, not all zero. */
  spanId: string;
  /** 16 lowercase hex digits, or undefined for a root span. */
  parentSpanId: string | undefined;
  name: string;
  /** One of {@link SpanKind}; unknown numbers are kept as they came. */
  kind: number;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: OtlpAttributes;
  events: OtlpEvent[];
  links: OtlpLink[];
  status: { code: number; message: string };
}

/** The spans of one resource (one service instance), scopes flattened. */
export interface OtlpResourceSpans {
  resource: OtlpAttributes;
  spans: OtlpSpan[];
}

/** An `ExportTraceServiceRequest` after decoding. */
export interface DecodedTraces {
  resourceSpans: OtlpResourceSpans[];
  /** Spans present in the request but unusable (invalid ids or times); they count as rejected. */
  rejectedSpans: number;
  /** Why the first few spans were rejected, for the `partial_success` error message. */
  rejectReasons: string[];
}
