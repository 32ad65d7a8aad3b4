import type { AnnotationValue, JsonValue } from './document.js';

/** X-Ray indexes at most 50 annotations per trace. */
export const MAX_ANNOTATIONS = 50;
const ANNOTATION_KEY = /^[A-Za-z0-9_]{1,250}$/;
const MAX_STRING = 1000;

/** Why an annotation was refused, or `undefined` when it is fine. */
export function annotationProblem(key: unknown, value: unknown): string | undefined {
  if (typeof key !== 'string' || !ANNOTATION_KEY.test(key)) {
    return `annotation key ${quote(key)} is not recorded: keys must be 1–250 characters of A-Z, a-z, 0-9 and _`;
  }
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
    return `metadata namespace ${quote(namespace)} is not recorded: namespaces are non-empty strings`;
  }
  if (namespace.startsWith('AWS.')) return `metadata namespace ${quote(namespace)} is reserved for AWS`;
  return undefined;
}

/**
 * Copies a metadata value into plain JSON, so later mutation by the caller cannot change what is
 * sent and nothing unserialisable reaches the emitter. Returns an error message instead when the
 * value cannot be represented (circular, BigInt, a getter that throws, too deep).
 */
export function toJsonValue(value: unknown): { value: JsonValue } | { problem: string } {
  if (value === undefined || value === null) return { value: null };
  const t = typeof value;
  if (t === 'string' || t === 'boolean') return { value: value as JsonValue };
  if (t === 'number') return { value: Number.isFinite(value) ? (value as number) : null };
  try {
    const text = JSON.stringify(value);
    if (text === undefined) return { problem: `${describeType(value)} values cannot be serialised` };
    return { value: JSON.parse(text) as JsonValue };
  } catch (err) {
    return { problem: err instanceof Error ? err.message : 'value cannot be serialised' };
  }
}

function quote(value: unknown): string {
  if (typeof value !== 'string') return describeType(value);
  const shown = value.length > 60 ? `${value.slice(0, 60)}…` : value;
  return JSON.stringify(shown);
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
