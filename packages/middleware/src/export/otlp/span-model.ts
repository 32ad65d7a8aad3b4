// The OTLP trace data model (opentelemetry-proto `trace/v1/trace.proto`, `common/v1`,
// `resource/v1`) as plain objects: what the segment mapping produces and the protobuf and JSON
// encoders write. Ids are lowercase hex; times are epoch seconds as X-Ray keeps them
// (microsecond precision), turned into nanoseconds only on the wire.

/** `Span.SpanKind`. */
export const SpanKind = {
  UNSPECIFIED: 0,
  INTERNAL: 1,
  SERVER: 2,
  CLIENT: 3,
  PRODUCER: 4,
  CONSUMER: 5,
} as const;
/** One of {@link SpanKind}'s values. */
export type SpanKindValue = (typeof SpanKind)[keyof typeof SpanKind];

/** `Status.StatusCode`. */
export const StatusCode = {
  UNSET: 0,
  OK: 1,
  ERROR: 2,
} as const;
/** One of {@link StatusCode}'s values. */
export type StatusCodeValue = (typeof StatusCode)[keyof typeof StatusCode];

/**
 * An attribute value (`AnyValue`). Numbers that are safe integers are written as `intValue`,
 * other numbers as `doubleValue`; arrays become `arrayValue`. A `{ double }` wrapper forces
 * `doubleValue` for a whole number that is a measurement, not a count.
 */
export type OtlpValue = string | number | boolean | { readonly double: number } | ReadonlyArray<string | number | boolean>;

/** `KeyValue`. */
export interface OtlpAttribute {
  readonly key: string;
  readonly value: OtlpValue;
}

/** `Span.Event`. */
export interface OtlpEvent {
  readonly name: string;
  /** Epoch seconds. */
  readonly time: number;
  readonly attributes: readonly OtlpAttribute[];
}

/** `Span.Link`. */
export interface OtlpLink {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceState?: string;
  readonly attributes: readonly OtlpAttribute[];
}

/** `Status`. */
export interface OtlpStatus {
  readonly code: StatusCodeValue;
  readonly message?: string;
}

/** `Span`. */
export interface OtlpSpan {
  /** 32 lowercase hex characters. */
  readonly traceId: string;
  /** 16 lowercase hex characters. */
  readonly spanId: string;
  /** 16 lowercase hex characters; absent for a root span. */
  readonly parentSpanId?: string;
  /** W3C `tracestate` the span was started with. */
  readonly traceState?: string;
  /**
   * `Span.flags`: the W3C trace flags in bits 0–7 (0x01 sampled), bit 8 set when bit 9 says
   * whether the parent is remote (`SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK`, `…_IS_REMOTE_MASK`).
   */
  readonly flags?: number;
  readonly name: string;
  readonly kind: SpanKindValue;
  /** Epoch seconds. */
  readonly startTime: number;
  /** Epoch seconds. */
  readonly endTime: number;
  readonly attributes: readonly OtlpAttribute[];
  readonly events?: readonly OtlpEvent[];
  readonly links?: readonly OtlpLink[];
  readonly status?: OtlpStatus;
}

/** `InstrumentationScope`. */
export interface OtlpScope {
  readonly name: string;
  readonly version?: string;
}

/** `ResourceSpans` with one `ScopeSpans`: every span of one resource, from one scope. */
export interface OtlpResourceSpans {
  /** `Resource.attributes`. */
  readonly resource: readonly OtlpAttribute[];
  readonly scope: OtlpScope;
  readonly spans: readonly OtlpSpan[];
}

/** What an `ExportTraceServiceResponse` said about rejected spans (`partial_success`). */
export interface OtlpPartialSuccess {
  readonly rejectedSpans: number;
  readonly errorMessage: string;
}
