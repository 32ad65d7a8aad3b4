// Typed reads of OTLP attributes. Senders disagree on types (a port as a string, a status code as
// a double), so each read accepts what can be read without guessing.
import type { OtlpAttributes } from './otlp-model.js';
import type { JsonValue } from './types.js';

/** A string attribute; numbers and booleans are shown as text, like the collector's `Str()` would not. */
export function attrString(attributes: ReadonlyMap<string, JsonValue>, key: string): string | undefined {
  const value = attributes.get(key);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** An integer attribute, from an int, a whole double or a decimal string. */
export function attrInt(attributes: ReadonlyMap<string, JsonValue>, key: string): number | undefined {
  const value = attributes.get(key);
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d{1,15}$/.test(value)) return Number(value);
  return undefined;
}

/** A list of strings from an array attribute, or from one string split on `separator`. */
export function attrStrings(attributes: ReadonlyMap<string, JsonValue>, key: string, separator?: string): string[] | undefined {
  const value = attributes.get(key);
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  if (typeof value === 'string') return separator === undefined ? [value] : value.split(separator).filter((item) => item !== '');
  return undefined;
}

/** Removes and returns one attribute: the mapping consumes what it turns into a segment field. */
export function take(attributes: OtlpAttributes, key: string): JsonValue | undefined {
  const value = attributes.get(key);
  attributes.delete(key);
  return value;
}
