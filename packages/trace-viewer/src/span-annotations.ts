// The attributes left after the structured blocks took theirs → `user`, `annotations` and
// `metadata`, after the collector's X-Ray exporter (segment.go makeXRayAttributes).
import { take } from './otlp-attributes.js';
import type { OtlpAttributes } from './otlp-model.js';
import type { JsonObject, JsonValue } from './types.js';

/** Names the attributes to index as annotations (a string array attribute). */
export const ANNOTATIONS_ATTRIBUTE = 'aws.xray.annotations';
/** `aws.xray.metadata.<namespace>` holds one metadata namespace as a JSON object string. */
export const METADATA_PREFIX = 'aws.xray.metadata.';
const DEFAULT_NAMESPACE = 'default';

/** What {@link takeXRayAttributes} produces. */
export interface XRayAttributes {
  user: string | undefined;
  annotations: JsonObject | undefined;
  metadata: { [namespace: string]: JsonObject } | undefined;
}

/**
 * X-Ray accepts annotation keys of letters, digits and underscores. Unlike the collector (whose
 * `exporter.xray.allowDot` gate keeps dots), dots become underscores too: this project's rule.
 */
export function fixAnnotationKey(key: string): string {
  return key.replace(/[^A-Za-z0-9_]/g, '_');
}

function annotationValue(value: JsonValue | undefined): string | number | boolean | undefined {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : undefined;
}

function setOwn(target: JsonObject, key: string, value: JsonValue): void {
  // Keys come from the network: __proto__ must stay a plain property.
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function parseObject(text: string): JsonObject | undefined {
  try {
    const parsed = JSON.parse(text) as JsonValue;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Consumes every remaining attribute: `enduser.id` → `user`; keys listed in `aws.xray.annotations`
 * → `annotations` (when their value is a string, number or boolean); `aws.xray.metadata.<ns>`
 * JSON objects → `metadata.<ns>` (`default` merges); everything else → `metadata.default`. For a
 * segment the resource attributes are kept too, as `otel.resource.<key>`.
 */
export function takeXRayAttributes(attributes: OtlpAttributes, resource: OtlpAttributes, storeResource: boolean): XRayAttributes {
  const userValue = take(attributes, 'enduser.id');
  const user = userValue === undefined || userValue === null ? undefined : String(annotationValue(userValue) ?? JSON.stringify(userValue));
  const indexed = new Set<string>();
  const listed = take(attributes, ANNOTATIONS_ATTRIBUTE);
  if (Array.isArray(listed)) for (const key of listed) if (typeof key === 'string') indexed.add(key);

  const annotations: JsonObject = {};
  const metadata: { [namespace: string]: JsonObject } = {};
  const defaults: JsonObject = {};
  if (storeResource) {
    for (const [key, value] of resource) {
      const name = `otel.resource.${key}`;
      const annotation = annotationValue(value);
      if (indexed.has(name) && annotation !== undefined) setOwn(annotations, fixAnnotationKey(name), annotation);
      else if (value !== null) setOwn(defaults, name, value);
    }
  }
  for (const [key, value] of attributes) {
    if (indexed.has(key)) {
      const annotation = annotationValue(value);
      if (annotation !== undefined) setOwn(annotations, fixAnnotationKey(key), annotation);
      continue;
    }
    if (key.startsWith(METADATA_PREFIX) && typeof value === 'string') {
      const namespace = key.slice(METADATA_PREFIX.length);
      const parsed = parseObject(value);
      if (parsed === undefined) setOwn(defaults, key, value);
      else if (namespace.toLowerCase() === DEFAULT_NAMESPACE) for (const [k, v] of Object.entries(parsed)) setOwn(defaults, k, v);
      else setOwn(metadata, namespace, parsed);
      continue;
    }
    if (value !== null) setOwn(defaults, key, value);
  }
  attributes.clear();
  if (Object.keys(defaults).length > 0) metadata[DEFAULT_NAMESPACE] = defaults;
  return {
    user,
    annotations: Object.keys(annotations).length > 0 ? annotations : undefined,
    metadata: Object.keys(metadata).length > 0 ? metadata : undefined,
  };
}
