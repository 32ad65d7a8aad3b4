import { isEntityId, isTraceId } from './ids.js';

/** The name of the HTTP header that carries the trace context between services. */
export const TRACE_HEADER = 'X-Amzn-Trace-Id';
/** The lower-case form Node uses for incoming header lookups. */
export const TRACE_HEADER_LOWER = 'x-amzn-trace-id';

/** A sampling decision as carried by the header: sampled, not sampled, or "callee decides". */
export type SampledFlag = '1' | '0' | '?';

/** A parsed `X-Amzn-Trace-Id` header. Absent or invalid parts are `undefined`. */
export interface TraceHeader {
  /** The trace id, only when well-formed. */
  root?: string;
  /** The caller's segment or subsegment id, only when `root` is valid and the value is 16 hex. */
  parent?: string;
  /** The upstream sampling decision. */
  sampled?: SampledFlag;
  /** The id an Application Load Balancer inserted; read, never forwarded. */
  self?: string;
  /** Lambda's recursion-detection lineage, forwarded unchanged. */
  lineage?: string;
  /** Other `key=value` pairs, forwarded in order while their total size stays within the cap. */
  extra: ReadonlyArray<readonly [string, string]>;
}

/** Upper bound on the key and value characters of forwarded extra pairs (Lineage included). */
export const MAX_EXTRA_DATA = 256;
// A header larger than this is not trace context but an attack or an accident: ignore it whole.
const MAX_HEADER_LENGTH = 8192;
const TRACE_ID_LENIENT = /^1-([0-9a-f]{1,8})-([0-9a-f]{24})$/;
const ZERO_RANDOM = /-0{24}$/;
// Printable ASCII without the separators; anything else could split a header or forge a log line.
const SAFE_TOKEN = /^[\x21-\x3a\x3c\x3e-\x7e]+$/;
const LINEAGE = /^[0-9a-z:|]{1,200}$/;

const EMPTY: TraceHeader = Object.freeze({ extra: Object.freeze([]) as ReadonlyArray<readonly [string, string]> });

/**
 * Parses an `X-Amzn-Trace-Id` value leniently: keys in any case, spaces around pairs, a short epoch
 * part in the root. Never throws; an invalid root yields no root and no parent, i.e. "start a new
 * trace". When several header values are given (repeated headers), the first one is used: as an
 * array, or joined with `", "` as Node's `req.headers` joins them (no trace header value contains
 * a comma, and HTTP reads a comma-joined value as the same list as repeated headers).
 */
export function parseTraceHeader(value: string | readonly string[] | undefined | null): TraceHeader {
  const joined = typeof value === 'string' ? value : Array.isArray(value) ? value[0] : undefined;
  if (typeof joined !== 'string' || joined.length === 0 || joined.length > MAX_HEADER_LENGTH) return EMPTY;
  const comma = joined.indexOf(',');
  const raw = comma >= 0 ? joined.slice(0, comma) : joined;

  let root: string | undefined;
  let parent: string | undefined;
  let sampled: SampledFlag | undefined;
  let self: string | undefined;
  let lineage: string | undefined;
  const extra: Array<readonly [string, string]> = [];
  let extraSize = 0;

  // Walks the pairs with indexOf rather than split/trim/toLowerCase on each: this runs for every
  // request that comes through a load balancer or a traced caller.
  let start = 0;
  while (start <= raw.length) {
    let end = raw.indexOf(';', start);
    if (end < 0) end = raw.length;
    const eq = raw.indexOf('=', start);
    if (eq > start && eq < end) {
      const key = trimmed(raw, start, eq);
      const val = trimmed(raw, eq + 1, end);
      if (val.length > 0 && key.length > 0) {
        switch (keyName(key)) {
          case 'root':
            if (root === undefined) root = normaliseTraceId(val);
            break;
          case 'parent':
            if (parent === undefined) parent = entityIdOf(val);
            break;
          case 'sampled':
            if (sampled === undefined && (val === '1' || val === '0' || val === '?')) sampled = val;
            break;
          case 'self':
            if (self === undefined && SAFE_TOKEN.test(val)) self = val;
            break;
          case 'lineage':
            if (lineage === undefined && LINEAGE.test(val) && extraSize + 7 + val.length <= MAX_EXTRA_DATA) {
              lineage = val;
              extraSize += 7 + val.length;
            }
            break;
          default:
            if (SAFE_TOKEN.test(key) && SAFE_TOKEN.test(val) && extraSize + key.length + val.length <= MAX_EXTRA_DATA) {
              extra.push([key, val]);
              extraSize += key.length + val.length;
            }
        }
      }
    }
    start = end + 1;
  }
  if (root === undefined) parent = undefined; // an orphan parent links to nothing
  const header: TraceHeader = { extra };
  if (root !== undefined) header.root = root;
  if (parent !== undefined) header.parent = parent;
  if (sampled !== undefined) header.sampled = sampled;
  if (self !== undefined) header.self = self;
  if (lineage !== undefined) header.lineage = lineage;
  return header;
}

function normaliseTraceId(value: string): string | undefined {
  if (isTraceId(value)) return ZERO_RANDOM.test(value) ? undefined : value; // already canonical
  const match = TRACE_ID_LENIENT.exec(value.toLowerCase());
  if (!match) return undefined;
  const [, epoch, random] = match as unknown as [string, string, string];
  if (/^0+$/.test(random)) return undefined;
  return `1-${epoch.padStart(8, '0')}-${random}`;
}

function entityIdOf(value: string): string | undefined {
  if (isEntityId(value)) return value;
  const lower = value.toLowerCase();
  return isEntityId(lower) ? lower : undefined;
}

// The keys X-Ray defines, in the case everyone writes them, resolved without allocating.
const KNOWN_KEYS: Readonly<Record<string, string>> = { Root: 'root', Parent: 'parent', Sampled: 'sampled', Self: 'self', Lineage: 'lineage' };

function keyName(key: string): string {
  return Object.hasOwn(KNOWN_KEYS, key) ? (KNOWN_KEYS[key] as string) : key.toLowerCase();
}

// `value.slice(from, to).trim()`, without the intermediate string when there is nothing to trim.
function trimmed(value: string, from: number, to: number): string {
  if (from < to && !isSpace(value.charCodeAt(from)) && !isSpace(value.charCodeAt(to - 1))) return value.slice(from, to);
  return value.slice(from, to).trim();
}

function isSpace(code: number): boolean {
  // Everything String.prototype.trim removes in the Latin-1 range; other code points take the slow path.
  return code <= 0x20 || code === 0xa0 || code > 0xff;
}

/** What an instrumented caller sends downstream. */
export interface OutgoingTraceContext {
  /** The trace id. */
  root: string;
  /** The id of the segment or subsegment making the call. */
  parent?: string;
  /** The sampling decision passed on: `true`/`false` write `1`/`0`. */
  sampled?: boolean | SampledFlag;
  /** Lambda's recursion-detection lineage, forwarded unchanged. */
  lineage?: string;
  /** Other `key=value` pairs received, forwarded in order. */
  extra?: ReadonlyArray<readonly [string, string]>;
}

/**
 * Formats a header strictly: `Root=…;Parent=…;Sampled=…` then Lineage and extra pairs. `Self` is
 * never written: it belongs to the load balancer that added it.
 */
export function formatTraceHeader(ctx: OutgoingTraceContext): string {
  let out = `Root=${ctx.root}`;
  if (ctx.parent !== undefined) out += `;Parent=${ctx.parent}`;
  if (ctx.sampled !== undefined) {
    out += `;Sampled=${ctx.sampled === true ? '1' : ctx.sampled === false ? '0' : ctx.sampled}`;
  }
  if (ctx.lineage !== undefined) out += `;Lineage=${ctx.lineage}`;
  if (ctx.extra) for (const [k, v] of ctx.extra) out += `;${k}=${v}`;
  return out;
}
