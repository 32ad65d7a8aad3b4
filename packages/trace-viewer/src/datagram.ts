// Parsing one daemon datagram. The rules follow the X-Ray daemon for the header and the
// OpenTelemetry collector's X-Ray receiver for the body, the strictest receiver a document meets
// on its way to AWS: a sender that passes here passes there.
import type { JsonValue, MalformedReason, SegmentDocument } from './types.js';

/** The daemon (and the collector) read datagrams into 64 KiB buffers; anything larger is cut. */
export const MAX_DATAGRAM_BYTES = 64 * 1024;

/**
 * How deep embedded `subsegments[]` may nest. Real SDKs rarely pass 10; the limit keeps a hostile
 * document from driving recursive code into a stack overflow.
 */
export const MAX_NESTING = 64;

const ID = /^[0-9a-fA-F]{16}$/;
const TRACE_ID = /^1-[0-9a-fA-F]{8}-[0-9a-fA-F]{24}$/;
const NEWLINE = 0x0a;

/** A datagram that carried a valid document. */
export interface ParsedDocument {
  ok: true;
  /** `subsegment` for an independent subsegment (`type: "subsegment"` with `parent_id`). */
  kind: 'segment' | 'subsegment';
  traceId: string;
  document: SegmentDocument;
  /** Size of the JSON body in bytes. */
  bytes: number;
}

/** A datagram that was rejected, and why. */
export interface RejectedDatagram {
  ok: false;
  reason: MalformedReason;
  /** A short human explanation naming the field or the problem. */
  detail: string;
}

/** Result of {@link parseDatagram}. */
export type DatagramResult = ParsedDocument | RejectedDatagram;

function reject(reason: MalformedReason, detail: string): RejectedDatagram {
  return { ok: false, reason, detail };
}

function isObject(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isValidHeader(text: string): boolean {
  let header: JsonValue;
  try {
    header = JSON.parse(text) as JsonValue;
  } catch {
    return false;
  }
  if (!isObject(header)) return false;
  const format = header['format'];
  return typeof format === 'string' && format.toLowerCase() === 'json' && header['version'] === 1;
}

/**
 * Checks one (sub)segment and its embedded children without recursion, so nesting depth cannot
 * overflow the stack before the depth check fires.
 */
function validateEntities(root: { [key: string]: JsonValue }): RejectedDatagram | undefined {
  const stack: Array<{ entity: { [key: string]: JsonValue }; depth: number; path: string }> = [
    { entity: root, depth: 0, path: 'document' },
  ];
  while (stack.length > 0) {
    const { entity, depth, path } = stack.pop()!;
    if (depth > MAX_NESTING) return reject('too_deep', `subsegments nested deeper than ${MAX_NESTING}`);
    if (typeof entity['name'] !== 'string' || entity['name'] === '') return reject('missing_field', `${path}: name`);
    if (typeof entity['id'] !== 'string') return reject('missing_field', `${path}: id`);
    if (!ID.test(entity['id'])) return reject('bad_id', `${path}: id ${JSON.stringify(entity['id'].slice(0, 40))}`);
    const start = entity['start_time'];
    if (typeof start !== 'number' || !Number.isFinite(start)) return reject('missing_field', `${path}: start_time`);
    const parent = entity['parent_id'];
    if (parent !== undefined && (typeof parent !== 'string' || !ID.test(parent))) {
      return reject('bad_id', `${path}: parent_id ${JSON.stringify(parent).slice(0, 40)}`);
    }
    const children = entity['subsegments'];
    if (children === undefined) continue;
    if (!Array.isArray(children)) return reject('missing_field', `${path}: subsegments is not an array`);
    children.forEach((child, index) => {
      // Non-object children are caught on the next pass through the loop as a missing name.
      stack.push({
        entity: isObject(child) ? child : {},
        depth: depth + 1,
        path: `${path}.subsegments[${index}]`,
      });
    });
  }
  return undefined;
}

/**
 * Parses one datagram: the header line, a newline, one JSON document. Never throws; every way a
 * datagram can be wrong maps to a {@link MalformedReason}.
 */
export function parseDatagram(datagram: Uint8Array): DatagramResult {
  if (datagram.byteLength > MAX_DATAGRAM_BYTES) {
    return reject('too_large', `${datagram.byteLength} bytes, limit ${MAX_DATAGRAM_BYTES}`);
  }
  const buffer = Buffer.from(datagram.buffer, datagram.byteOffset, datagram.byteLength);
  const newline = buffer.indexOf(NEWLINE);
  if (newline < 0) return reject('bad_header', 'no newline after the header');
  if (!isValidHeader(buffer.toString('utf8', 0, newline))) {
    return reject('bad_header', `header ${JSON.stringify(buffer.toString('utf8', 0, Math.min(newline, 60)))}`);
  }
  const bodyText = buffer.toString('utf8', newline + 1);
  if (bodyText.trim() === '') return reject('empty_body', 'nothing after the header');

  let body: JsonValue;
  try {
    body = JSON.parse(bodyText) as JsonValue;
  } catch (err) {
    return reject('invalid_json', err instanceof Error ? err.message : 'unparsable body');
  }
  if (!isObject(body)) return reject('not_object', `body is ${Array.isArray(body) ? 'an array' : typeof body}`);

  const traceId = body['trace_id'];
  if (typeof traceId !== 'string') return reject('missing_field', 'document: trace_id');
  if (!TRACE_ID.test(traceId)) return reject('bad_trace_id', `trace_id ${JSON.stringify(traceId.slice(0, 60))}`);

  const problem = validateEntities(body);
  if (problem) return problem;

  // The collector treats a document as a subsegment only when both markers are present.
  const type = body['type'];
  const isSubsegment = typeof type === 'string' && type.toLowerCase() === 'subsegment';
  if (isSubsegment && body['parent_id'] === undefined) {
    return reject('missing_field', 'independent subsegment: parent_id');
  }
  return {
    ok: true,
    kind: isSubsegment ? 'subsegment' : 'segment',
    traceId: traceId.toLowerCase(),
    document: body as SegmentDocument,
    bytes: buffer.byteLength - newline - 1,
  };
}
