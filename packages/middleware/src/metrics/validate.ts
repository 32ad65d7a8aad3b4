import { MAX_ABS_VALUE, MAX_DIMENSION_NAME_LENGTH, MAX_DIMENSION_VALUE_LENGTH, MAX_DIMENSIONS_PER_SET, MAX_METRIC_NAME_LENGTH, MAX_NAMESPACE_LENGTH } from './limits.js';
import { isMetricUnit, METRIC_UNITS } from './units.js';

// Each check returns what is wrong, in words a user can act on, or undefined. CloudWatch silently
// ignores a document that breaks one of these rules, so they are checked before anything is kept.

// Printable ASCII with at least one non-space character (CloudWatch's rule for names and values).
const PRINTABLE_ASCII = /^[\x20-\x7e]*[\x21-\x7e][\x20-\x7e]*$/;
// Root members the EMF document itself uses.
const RESERVED = new Set(['_aws']);

/** Why `name` cannot name a metric, if it cannot. */
export function metricNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string' || name.length === 0) return `metric name ${show(name)} is not a non-empty string`;
  if (name.length > MAX_METRIC_NAME_LENGTH) return `metric name ${show(name)} is longer than ${MAX_METRIC_NAME_LENGTH} characters`;
  if (!PRINTABLE_ASCII.test(name)) return `metric name ${show(name)} must be printable ASCII with a non-space character`;
  if (RESERVED.has(name)) return `metric name ${show(name)} is reserved by the embedded metric format`;
  return undefined;
}

/** Why `unit` is not a CloudWatch unit, if it is not. */
export function unitProblem(unit: unknown): string | undefined {
  return isMetricUnit(unit) ? undefined : `unit ${show(unit)} is not a CloudWatch unit (${METRIC_UNITS.join(', ')})`;
}

/** Why `value` cannot be a metric value, if it cannot. */
export function valueProblem(name: string, value: unknown): string | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return `metric ${show(name)}: value ${show(value)} is not a finite number`;
  if (Math.abs(value) > MAX_ABS_VALUE) return `metric ${show(name)}: value ${value} is beyond CloudWatch's range of ±2^360`;
  return undefined;
}

/** Why `resolution` is not a storage resolution, if it is not. */
export function resolutionProblem(name: string, resolution: unknown): string | undefined {
  return resolution === undefined || resolution === 1 || resolution === 60 ? undefined : `metric ${show(name)}: storage resolution ${show(resolution)} is not 1 or 60`;
}

/** Why a dimension set cannot be used, if it cannot (names, values, count). */
export function dimensionsProblem(dimensions: unknown, extraKeys = 0): string | undefined {
  if (dimensions === null || typeof dimensions !== 'object' || Array.isArray(dimensions)) return `dimensions ${show(dimensions)} are not an object of name → value`;
  const entries = Object.entries(dimensions);
  if (entries.length + extraKeys > MAX_DIMENSIONS_PER_SET) {
    return `a dimension set has ${entries.length + extraKeys} dimensions (${entries.map(([k]) => k).join(', ')}${extraKeys > 0 ? ` and ${extraKeys} default ones` : ''}); the limit is ${MAX_DIMENSIONS_PER_SET}`;
  }
  for (const [name, value] of entries) {
    if (name.length > MAX_DIMENSION_NAME_LENGTH || !PRINTABLE_ASCII.test(name) || name.startsWith(':')) {
      return `dimension name ${show(name)} must be 1-${MAX_DIMENSION_NAME_LENGTH} printable ASCII characters, not starting with ":"`;
    }
    if (RESERVED.has(name)) return `dimension name ${show(name)} is reserved by the embedded metric format`;
    if (typeof value !== 'string' || value.length > MAX_DIMENSION_VALUE_LENGTH || !PRINTABLE_ASCII.test(value)) {
      return `dimension ${show(name)}: value ${show(value)} must be a string of 1-${MAX_DIMENSION_VALUE_LENGTH} printable ASCII characters`;
    }
  }
  return undefined;
}

/** Why `namespace` cannot be a CloudWatch namespace, if it cannot. */
export function namespaceProblem(namespace: unknown): string | undefined {
  if (typeof namespace !== 'string' || namespace.length === 0 || namespace.length > MAX_NAMESPACE_LENGTH) return `1-${MAX_NAMESPACE_LENGTH} characters`;
  if (!/^[A-Za-z0-9._#/-][A-Za-z0-9._#:/ -]*$/.test(namespace) || namespace.trim() !== namespace) return 'letters, digits and . _ # : / - (not starting with ":")';
  if (namespace.startsWith('AWS/')) return 'a namespace not starting with "AWS/" (reserved for AWS services)';
  return undefined;
}

/** A dimension value taken from request data, made valid: printable ASCII, 1-1024 characters. */
export function dimensionValue(raw: string | undefined, fallback: string): string {
  if (raw === undefined || raw.length === 0) return fallback;
  let value = raw.length > MAX_DIMENSION_VALUE_LENGTH ? raw.slice(0, MAX_DIMENSION_VALUE_LENGTH) : raw;
  if (!PRINTABLE_ASCII.test(value)) value = value.replace(/[^\x20-\x7e]/g, '?');
  return value.trim() === '' ? fallback : value;
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  return typeof value;
}
