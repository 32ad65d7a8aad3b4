// OTLP/HTTP response bodies, in the request's own encoding: `ExportTraceServiceResponse` for a
// processed request and `google.rpc.Status` for a refused one.
import { traceServiceTypes } from './otlp-proto.js';

/** The two encodings OTLP/HTTP defines. */
export type OtlpFormat = 'protobuf' | 'json';

/** The content type of each encoding. */
export const CONTENT_TYPES: Record<OtlpFormat, string> = {
  protobuf: 'application/x-protobuf',
  json: 'application/json',
};

/** `google.rpc.Code` values used in refusals. */
export const RpcCode = {
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
} as const;

function varint(value: number): number[] {
  const bytes: number[] = [];
  let rest = value >>> 0;
  while (rest > 0x7f) {
    bytes.push((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  bytes.push(rest);
  return bytes;
}

/**
 * `google.rpc.Status { int32 code = 1; string message = 2; }`, encoded by hand: the generated
 * OTLP definitions do not include it, and two fields do not justify another dependency.
 */
function encodeStatus(code: number, message: string): Buffer {
  const text = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from([0x08, ...varint(code), 0x12, ...varint(text.byteLength)]), text]);
}

/** The body of a refused request. */
export function statusBody(format: OtlpFormat, code: number, message: string): Buffer {
  if (format === 'protobuf') return encodeStatus(code, message);
  return Buffer.from(JSON.stringify({ code, message }));
}

/**
 * The body of a processed request. `partial_success` is set only when spans were rejected, as the
 * specification asks ("MUST leave it unset" when everything was accepted).
 */
export function exportResponseBody(format: OtlpFormat, rejectedSpans: number, errorMessage: string): Buffer {
  if (format === 'json') {
    // int64 is a decimal string in the protobuf JSON mapping.
    const body = rejectedSpans > 0 ? { partialSuccess: { rejectedSpans: String(rejectedSpans), errorMessage } } : {};
    return Buffer.from(JSON.stringify(body));
  }
  const type = traceServiceTypes().ExportTraceServiceResponse;
  const message = type.fromObject(rejectedSpans > 0 ? { partialSuccess: { rejectedSpans, errorMessage } } : {});
  return Buffer.from(type.encode(message).finish());
}
