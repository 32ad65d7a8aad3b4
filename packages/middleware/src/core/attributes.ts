import type { AnnotationValue, JsonValue } from './document.js';
import { isSensitiveName, REDACTED, scrubText } from './scrub.js';

/** X-Ray indexes at most 50 annotations per trace. */
export const MAX_ANNOTATIONS = 50;
const ANNOTATION_KEY = /^[A-Za-z0-9_]{1,250}$/;
const MAX_STRING = 1000;

/** Why an annotation was refused, or `undefined` when it is fine. */
export function annotationProblem(key: unknown, value: unknown): string | undefined {
  if (typeof key !== 'string' || !ANNOTATION_KEY.test(key)) {
    return `annotation key ${quoteKey(key)} is not recorded: keys must be 1–250 characters of A-Z, a-z, 0-9 and _`;
  }
  // Assigning it would replace the object's prototype, not add a key.
  if (key === '__proto__') return 'annotation key "__proto__" is not recorded: it cannot be stored as a key';
  if (typeof value === 'number') {
    return Number.isFinite(value) ? undefined : `annotation ${key} is not recorded: ${String(value)} is not a finite number`;
  }
  if (typeof value === 'string' || typeof value === 'boolean') return undefined;
  return `annotation ${key} is not recorded: values must be a string, number or boolean, got ${describeType(value)}`;
}

/** Strings longer than this are cut so one annotation cannot fill a datagram. */
export function clampAnnotation(value: AnnotationValue): AnnotationValue {
  return typeof value === 'string' && value.length > MAX_STRING ? value.slice(0, MAX_STRING) : value;
}

/** Why a metadata namespace is refused, or `undefined`. */
export function namespaceProblem(namespace: unknown): string | undefined {
  if (typeof namespace !== 'string' || namespace.length === 0) {
    return `metadata namespace ${quoteKey(namespace)} is not recorded: namespaces are non-empty strings`;
  }
  if (namespace.startsWith('AWS.')) return `metadata namespace ${quoteKey(namespace)} is reserved for AWS`;
  // Assigning it would write into Object.prototype (every object of the process), not add a key.
  if (namespace === '__proto__') return 'metadata namespace "__proto__" is not recorded: it cannot be stored as a key';
  return undefined;
}

/**
 * Copies a metadata value into plain JSON, so later mutation by the caller cannot change what is
 * sent and nothing unserialisable reaches the emitter. The package's scrubbing policy applies on
 * the way (metadata often holds whole headers or configs): secret-named fields become
 * `[REDACTED]`, strings lose connection-string passwords and tokens. Returns an error message
 * instead when the value cannot be represented (circular, BigInt, a getter that throws, too deep).
 */
export function toJsonValue(value: unknown): { value: JsonValue } | { problem: string } {
  if (value === undefined || value === null) return { value: null };
  const t = typeof value;
  if (t === 'string') return { value: scrubText(value as string) };
  if (t === 'boolean') return { value: value as JsonValue };
  if (t === 'number') return { value: Number.isFinite(value) ? (value as number) : null };
  try {
    const text = JSON.stringify(value, scrubbing);
    if (text === undefined) return { problem: `${describeType(value)} values cannot be serialised` };
    return { value: JSON.parse(text) as JsonValue };
  } catch (err) {
    // One line: V8 quotes the caller's property names in some of these messages (circular paths).
    return { problem: err instanceof Error ? oneLine(err.message) : 'value cannot be serialised' };
  }
}

/**
 * A key as diagnostics show it: quoted and escaped (a key with a line break cannot forge a log
 * line) and cut to 60 characters.
 */
export function quoteKey(value: unknown): string {
  if (typeof value !== 'string') return describeType(value);
  const shown = value.length > 60 ? `${value.slice(0, 60)}…` : value;
  return JSON.stringify(shown);
}

function oneLine(text: string): string {
  const flat = text.replace(/\s*[\r\n\u2028\u2029]+\s*/g, ' ');
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}

// A JSON.stringify replacer: one pass copies and scrubs, at any depth JSON itself allows.
function scrubbing(key: string, value: unknown): unknown {
  if (key !== '' && isSensitiveName(key)) return REDACTED;
  return typeof value === 'string' ? scrubText(value) : value;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
