/**
 * The rules by which the OpenTelemetry collector's X-Ray receiver (and with it the CloudWatch agent)
 * drops a segment document, plus the X-Ray developer guide's rules on names, ids and annotations.
 * A document with no violations is accepted by the receiver, the daemon and the service.
 */
import { isRecord } from './http-json.js';

const ENTITY_ID = /^[0-9a-f]{16}$/;
const TRACE_ID = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;
/** Unicode letters, digits, whitespace and `_ . : / % & # = + \ - @`. */
const NAME_CHARACTER = /[\p{L}\p{N}\s_.:/%&#=+\\\-@]/u;
const ANNOTATION_KEY = /^[A-Za-z0-9_]+$/;
/** scheme://host/database, as the receiver parses `sql.url`. */
const SQL_URL = /^(.+\/\/.+)\/([^?]+)/;
const NAMESPACES: readonly string[] = ['aws', 'remote'];
const BOOLEAN_FIELDS = ['in_progress', 'fault', 'error', 'throttle', 'traced'] as const;
const STRING_FIELDS = ['user', 'origin', 'type'] as const;
const OBJECT_FIELDS = ['service', 'aws', 'http'] as const;

/** Longest segment name X-Ray accepts, in characters. */
export const MAX_SEGMENT_NAME_LENGTH = 200;
/** Most annotations X-Ray indexes for one trace (checked per document). */
export const MAX_ANNOTATIONS = 50;
const MAX_DEPTH = 64;

interface Context {
  readonly violations: string[];
  annotations: number;
}

/**
 * Checks one segment document (a segment or an independent subsegment, already parsed from JSON)
 * against the rules of the OpenTelemetry collector's X-Ray receiver and the X-Ray developer guide:
 *
 * - the document is a JSON object with non-null `name`, `id`, `start_time`, `trace_id`;
 *   embedded subsegments need `name`, `id`, `start_time`;
 * - `start_time` / `end_time` are numbers, and every entity has `end_time` or `in_progress: true`;
 * - `trace_id` is `1-<8 hex>-<24 hex>`; every `id`, `parent_id` and `precursor_ids` entry is
 *   16 lowercase hex digits, recursively through `subsegments`;
 * - `namespace` is `aws` or `remote`; each `metadata` namespace holds an object;
 * - `sql.url` matches `^(.+//.+)/([^?]+)`;
 * - exceptions under `cause.exceptions` carry `id` (16 hex), `type` and `message`;
 *   a `cause` given as a string is a 16-hex exception id;
 * - an independent subsegment (`type: "subsegment"`) has `parent_id` and `trace_id`;
 * - annotation keys match `[A-Za-z0-9_]+`, values are strings, finite numbers or booleans,
 *   at most 50 per document;
 * - names are at most 200 characters of Unicode letters, digits, whitespace and `_ . : / % & # = + \ - @`;
 * - typed fields the receiver unmarshals (`in_progress`, `fault`, `error`, `throttle`, `traced`,
 *   `user`, `origin`, `type`, `service`, `aws`, `http`, `http.response.status`) have their JSON type.
 *
 * @param doc - the parsed document (anything: the function never throws)
 * @returns human-readable violations, each starting with the JSON path (`$.subsegments[0].id: ...`);
 *   empty when the document is valid
 */
export function validateSegmentDocument(doc: unknown): string[] {
  const context: Context = { violations: [], annotations: 0 };
  if (!isRecord(doc)) {
    context.violations.push(`$: a segment document must be a JSON object, got ${describeType(doc)}`);
    return context.violations;
  }
  for (const field of ['name', 'id', 'start_time', 'trace_id']) {
    if (isAbsent(doc[field])) context.violations.push(`${member('$', field)}: required at the top level`);
  }
  if (typeof doc.type === 'string' && doc.type.toLowerCase() === 'subsegment' && isAbsent(doc.parent_id)) {
    context.violations.push('$.parent_id: required for an independent subsegment (type "subsegment")');
  }
  checkEntity(doc, '$', true, 0, context);
  if (context.annotations > MAX_ANNOTATIONS) {
    context.violations.push(
      `$: ${context.annotations} annotations in one document; X-Ray indexes at most ${MAX_ANNOTATIONS} per trace`,
    );
  }
  return context.violations;
}

function checkEntity(entity: Record<string, unknown>, path: string, topLevel: boolean, depth: number, context: Context): void {
  const { violations } = context;
  if (!topLevel) {
    for (const field of ['name', 'id', 'start_time']) {
      if (isAbsent(entity[field])) violations.push(`${member(path, field)}: required in a subsegment`);
    }
  }
  checkName(entity.name, member(path, 'name'), violations);
  checkId(entity.id, member(path, 'id'), violations);
  checkId(entity.parent_id, member(path, 'parent_id'), violations);
  if (!isAbsent(entity.trace_id)) checkTraceId(entity.trace_id, member(path, 'trace_id'), violations);
  checkTimes(entity, path, violations);

  for (const field of BOOLEAN_FIELDS) {
    const value = entity[field];
    if (!isAbsent(value) && typeof value !== 'boolean') {
      violations.push(`${member(path, field)}: must be a boolean, got ${describeType(value)}`);
    }
  }
  for (const field of STRING_FIELDS) {
    const value = entity[field];
    if (!isAbsent(value) && typeof value !== 'string') {
      violations.push(`${member(path, field)}: must be a string, got ${describeType(value)}`);
    }
  }
  for (const field of OBJECT_FIELDS) {
    const value = entity[field];
    if (!isAbsent(value) && !isRecord(value)) {
      violations.push(`${member(path, field)}: must be an object, got ${describeType(value)}`);
    }
  }

  const namespace = entity.namespace;
  if (!isAbsent(namespace) && (typeof namespace !== 'string' || !NAMESPACES.includes(namespace))) {
    violations.push(`${member(path, 'namespace')}: must be "aws" or "remote", got ${JSON.stringify(namespace)}`);
  }

  checkHttp(entity.http, member(path, 'http'), violations);
  checkMetadata(entity.metadata, member(path, 'metadata'), violations);
  checkAnnotations(entity.annotations, member(path, 'annotations'), context);
  checkSql(entity.sql, member(path, 'sql'), violations);
  checkCause(entity.cause, member(path, 'cause'), violations);
  checkPrecursors(entity.precursor_ids, member(path, 'precursor_ids'), violations);

  const subsegments = entity.subsegments;
  if (isAbsent(subsegments)) return;
  const subsegmentsPath = member(path, 'subsegments');
  if (!Array.isArray(subsegments)) {
    violations.push(`${subsegmentsPath}: must be an array, got ${describeType(subsegments)}`);
    return;
  }
  if (depth >= MAX_DEPTH) {
    violations.push(`${subsegmentsPath}: subsegments nested deeper than ${MAX_DEPTH} levels`);
    return;
  }
  subsegments.forEach((child: unknown, index) => {
    const childPath = `${subsegmentsPath}[${index}]`;
    if (!isRecord(child)) {
      violations.push(`${childPath}: a subsegment must be a JSON object, got ${describeType(child)}`);
      return;
    }
    checkEntity(child, childPath, false, depth + 1, context);
  });
}

function checkName(name: unknown, path: string, violations: string[]): void {
  if (isAbsent(name)) return;
  if (typeof name !== 'string') {
    violations.push(`${path}: must be a string, got ${describeType(name)}`);
    return;
  }
  const characters = [...name];
  if (characters.length === 0) violations.push(`${path}: must not be empty`);
  if (characters.length > MAX_SEGMENT_NAME_LENGTH) {
    violations.push(`${path}: ${characters.length} characters, at most ${MAX_SEGMENT_NAME_LENGTH} allowed`);
  }
  const rejected = [...new Set(characters.filter((character) => !NAME_CHARACTER.test(character)))];
  if (rejected.length > 0) {
    violations.push(
      `${path}: ${JSON.stringify(name)} contains characters X-Ray does not allow in names: ${rejected
        .map((character) => JSON.stringify(character))
        .join(' ')}`,
    );
  }
}

function checkId(id: unknown, path: string, violations: string[]): void {
  if (isAbsent(id)) return;
  if (typeof id !== 'string' || !ENTITY_ID.test(id)) {
    violations.push(`${path}: must be 16 lowercase hex digits, got ${JSON.stringify(id)}`);
  }
}

function checkTraceId(traceId: unknown, path: string, violations: string[]): void {
  if (typeof traceId !== 'string' || !TRACE_ID.test(traceId)) {
    violations.push(`${path}: must be 1-<8 hex digits>-<24 hex digits> (lowercase), got ${JSON.stringify(traceId)}`);
  }
}

function checkTimes(entity: Record<string, unknown>, path: string, violations: string[]): void {
  for (const field of ['start_time', 'end_time']) {
    const value = entity[field];
    if (!isAbsent(value) && !isFiniteNumber(value)) {
      violations.push(`${member(path, field)}: must be a number (epoch seconds), got ${describeType(value)} ${JSON.stringify(value)}`);
    }
  }
  if (isAbsent(entity.end_time) && entity.in_progress !== true) {
    violations.push(`${path}: needs end_time, or in_progress: true for an entity still open`);
  }
}

function checkHttp(http: unknown, path: string, violations: string[]): void {
  if (!isRecord(http) || !isRecord(http.response)) return;
  const status = http.response.status;
  if (!isAbsent(status) && !(typeof status === 'number' && Number.isInteger(status))) {
    violations.push(`${path}.response.status: must be an integer, got ${describeType(status)} ${JSON.stringify(status)}`);
  }
}

function checkMetadata(metadata: unknown, path: string, violations: string[]): void {
  if (isAbsent(metadata)) return;
  if (!isRecord(metadata)) {
    violations.push(`${path}: must be an object of namespaces, got ${describeType(metadata)}`);
    return;
  }
  for (const [namespace, value] of Object.entries(metadata)) {
    if (!isRecord(value)) {
      violations.push(`${member(path, namespace)}: a metadata namespace must hold an object, got ${describeType(value)}`);
    }
  }
}

function checkAnnotations(annotations: unknown, path: string, context: Context): void {
  if (isAbsent(annotations)) return;
  if (!isRecord(annotations)) {
    context.violations.push(`${path}: must be an object, got ${describeType(annotations)}`);
    return;
  }
  for (const [key, value] of Object.entries(annotations)) {
    context.annotations += 1;
    if (!ANNOTATION_KEY.test(key)) {
      context.violations.push(`${member(path, key)}: annotation keys may only contain A-Z, a-z, 0-9 and _`);
    }
    const scalar = typeof value === 'string' || typeof value === 'boolean' || isFiniteNumber(value);
    if (!scalar) {
      context.violations.push(`${member(path, key)}: annotation values must be a string, number or boolean, got ${describeType(value)}`);
    }
  }
}

function checkSql(sql: unknown, path: string, violations: string[]): void {
  if (isAbsent(sql)) return;
  if (!isRecord(sql)) {
    violations.push(`${path}: must be an object, got ${describeType(sql)}`);
    return;
  }
  const url = sql.url;
  if (isAbsent(url)) return;
  if (typeof url !== 'string' || !SQL_URL.test(url)) {
    violations.push(`${path}.url: must look like scheme://host/database, got ${JSON.stringify(url)}`);
  }
}

function checkCause(cause: unknown, path: string, violations: string[]): void {
  if (isAbsent(cause)) return;
  if (typeof cause === 'string') {
    if (!ENTITY_ID.test(cause)) {
      violations.push(`${path}: a cause given as a string must be a 16-hex exception id, got ${JSON.stringify(cause)}`);
    }
    return;
  }
  if (!isRecord(cause)) {
    violations.push(`${path}: must be an exception id string or an object, got ${describeType(cause)}`);
    return;
  }
  const exceptions = cause.exceptions;
  if (isAbsent(exceptions)) return;
  if (!Array.isArray(exceptions)) {
    violations.push(`${path}.exceptions: must be an array, got ${describeType(exceptions)}`);
    return;
  }
  exceptions.forEach((exception: unknown, index) => {
    const exceptionPath = `${path}.exceptions[${index}]`;
    if (!isRecord(exception)) {
      violations.push(`${exceptionPath}: an exception must be an object, got ${describeType(exception)}`);
      return;
    }
    if (isAbsent(exception.id)) {
      violations.push(`${exceptionPath}.id: required (the receiver crashes on an exception without id)`);
    } else if (typeof exception.id !== 'string' || !ENTITY_ID.test(exception.id)) {
      violations.push(`${exceptionPath}.id: must be 16 lowercase hex digits, got ${JSON.stringify(exception.id)}`);
    }
    for (const field of ['type', 'message']) {
      const value = exception[field];
      if (isAbsent(value)) violations.push(`${member(exceptionPath, field)}: required`);
      else if (typeof value !== 'string') {
        violations.push(`${member(exceptionPath, field)}: must be a string, got ${describeType(value)}`);
      }
    }
    if (!isAbsent(exception.cause) && (typeof exception.cause !== 'string' || !ENTITY_ID.test(exception.cause))) {
      violations.push(`${exceptionPath}.cause: must be the 16-hex id of another exception, got ${JSON.stringify(exception.cause)}`);
    }
  });
}

function checkPrecursors(precursors: unknown, path: string, violations: string[]): void {
  if (isAbsent(precursors)) return;
  if (!Array.isArray(precursors)) {
    violations.push(`${path}: must be an array of subsegment ids, got ${describeType(precursors)}`);
    return;
  }
  precursors.forEach((id: unknown, index) => checkId(id, `${path}[${index}]`, violations));
}

function isAbsent(value: unknown): value is null | undefined {
  return value === undefined || value === null;
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function member(path: string, key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
