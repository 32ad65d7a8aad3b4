import { SpanKind, type Attributes } from '@opentelemetry/api';
import { toJsonValue } from '../core/attributes.js';
import type { AwsDocument, JsonValue, SqlDocument } from '../core/document.js';
import type { Entity } from '../core/entity.js';
import { sanitizeName } from '../core/names.js';
import { isSensitiveName, REDACTED } from '../core/scrub.js';
import type { Segment } from '../core/segment.js';
import type { Subsegment } from '../core/subsegment.js';
import type { BridgeConfig } from './options.js';

// The mapping of an OpenTelemetry span onto a segment or subsegment: the inverse of
// export/otlp/segment-to-span.ts (a subsegment exported over OTLP and bridged back gives the same
// fields), following the OpenTelemetry collector's X-Ray translator (awsxrayexporter) for what it
// leaves open. Both the old (`db.system`, `http.method`, `net.peer.name`) and the stable
// (`db.system.name`, `http.request.method`, `server.address`) semantic conventions are read,
// stable first. The table is in README-otel-bridge.md.

// The SQL databases, as the collector lists them: only these get a `sql` block. Other databases
// (Redis, MongoDB, Cassandra...) are `remote` subsegments with their attributes in metadata.
const SQL_SYSTEMS = new Set([
  'postgresql', 'mysql', 'mariadb', 'mssql', 'oracle', 'db2', 'derby', 'h2', 'hive', 'hsqldb', 'sqlite', 'teradata',
  'cockroachdb', 'redshift', 'trino', 'clickhouse', 'other_sql', 'microsoft.sql_server', 'oracle.db', 'ibm.db2',
]);

// Attributes that may hold the values of a query: never recorded, not even as metadata.
const NEVER_RECORDED = /^(db\.postgresql\.values|db\.query\.parameter\.|db\.statement$|db\.query\.text$|db\.connection_string$)/;

/** Reads the first present string attribute. */
function str(attributes: Attributes, a: string, b?: string): string | undefined {
  const v = attributes[a] ?? (b === undefined ? undefined : attributes[b]);
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function num(attributes: Attributes, a: string, b?: string): number | undefined {
  const v = attributes[a] ?? (b === undefined ? undefined : attributes[b]);
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\d{1,9}$/.test(v)) return Number(v);
  return undefined;
}

/** The database system of a span, when it is a database span. */
export function dbSystemOf(attributes: Attributes): string | undefined {
  return str(attributes, 'db.system.name', 'db.system');
}

/** The attributes {@link subsegmentName} reads besides the span's name. */
export const NAMING_KEYS: ReadonlySet<string> = new Set(['peer.service', 'rpc.system', 'rpc.service', 'db.system.name', 'db.system', 'db.namespace', 'db.name', 'server.address', 'net.peer.name']);

/**
 * The subsegment name for a span, following the collector: `peer.service`; for AWS calls the
 * service (`DynamoDB`); for databases `<db.namespace | db.name>@<host>` (or `<system>@<host>` when
 * the span names no database, as Redis spans do); otherwise the span's own name. Sanitised.
 */
export function subsegmentName(spanName: string, attributes: Attributes): string {
  const peer = str(attributes, 'peer.service');
  if (peer) return sanitizeName(peer);
  if (attributes['rpc.system'] === 'aws-api') {
    const service = str(attributes, 'rpc.service');
    if (service) return sanitizeName(service);
  }
  const system = dbSystemOf(attributes);
  if (system) {
    const db = str(attributes, 'db.namespace', 'db.name') ?? system;
    const host = str(attributes, 'server.address', 'net.peer.name');
    return host ? remembered(remembered(databaseNames, db, newNameMap), host, databaseAtHost, db) : sanitizeName(db);
  }
  return sanitizeName(spanName);
}

// `<db>@<host>` names, by database then host: a span of a known database builds and hashes no new
// string for its name.
const databaseNames = new Map<string, Map<string, string>>();
const newNameMap = (): Map<string, string> => new Map();
const databaseAtHost = (host: string, db: string): string => sanitizeName(`${db}@${host}`);

/** `remote` for client and producer spans, `aws` for AWS SDK calls (`rpc.system = aws-api`), none otherwise. */
export function namespaceOf(kind: SpanKind, attributes: Attributes): 'aws' | 'remote' | undefined {
  if (attributes['rpc.system'] === 'aws-api') return 'aws';
  return kind === SpanKind.CLIENT || kind === SpanKind.PRODUCER ? 'remote' : undefined;
}

/**
 * Masks the literals of a SQL statement: quoted strings and numbers become `?`. Placeholders
 * (`$1`, `?`, `:name`) and identifiers stay, so a parameterised statement from `pg` is unchanged
 * and a statement that inlined a value cannot leak it.
 */
export function sanitizeSql(statement: string): string {
  // An instrumentation sends the same few parameterised statements over and over.
  return remembered(sanitizedStatements, statement, maskSqlLiterals);
}

function maskSqlLiterals(statement: string): string {
  return statement
    .replace(/'(?:[^']|'')*'/g, '?')
    .replace(/(?<![\w$.:])-?\d+(?:\.\d+)?(?:e[+-]?\d+)?\b/gi, '?')
    .slice(0, 2000);
}

const sanitizedStatements = new Map<string, string>();

/**
 * `compute(key, context)`, remembered for keys that repeat (statements, attribute keys, names). The map is
 * emptied when full rather than tracking recency: a process uses far fewer distinct keys than
 * that, and one that does not pays only the computation it would pay anyway.
 */
function remembered<V>(cache: Map<string, V>, key: string, compute: (key: string, context: string) => V, context = ''): V {
  let value = cache.get(key);
  if (value === undefined) {
    value = compute(key, context);
    if (key.length <= 2000) {
      if (cache.size >= 1024) cache.clear();
      cache.set(key, value);
    }
  }
  return value;
}

/** A connection URL without its credentials (user info and password-like query parameters). */
export function urlWithoutCredentials(url: string): string {
  const scheme = url.indexOf('://');
  let out = url;
  if (scheme > 0) {
    const start = scheme + 3;
    const slash = url.indexOf('/', start);
    const authorityEnd = slash < 0 ? url.length : slash;
    const at = url.lastIndexOf('@', authorityEnd);
    if (at >= start) out = url.slice(0, start) + url.slice(at + 1);
  }
  const q = out.indexOf('?');
  return q < 0 ? out : out.slice(0, q);
}

// The keys a mapping consumed are not repeated in metadata. The blocks consume fixed sets of
// keys (a bit each, no per-span set to fill); the `aws` block and the end user add single keys.
const SQL_KEYS = new Set(['db.system', 'db.system.name', 'db.user', 'db.version', 'db.namespace', 'db.name', 'server.address', 'server.port', 'net.peer.name', 'net.peer.port']);
const HTTP_CLIENT_KEYS = new Set(['http.request.method', 'http.method', 'url.full', 'http.url']);
const HTTP_SERVER_KEYS = new Set(['http.request.method', 'http.method', 'http.url', 'url.scheme', 'http.scheme', 'url.path', 'http.target', 'client.address', 'http.client_ip', 'user_agent.original', 'http.user_agent']);
const HTTP_RESPONSE_KEYS = new Set(['http.response.status_code', 'http.status_code', 'http.response.body.size', 'http.response_content_length']);
const SQL = 1;
const HTTP_CLIENT = 2;
const HTTP_SERVER = 4;
const HTTP_RESPONSE = 8;
type Consumed = Set<string>;

function consumed(key: string, blocks: number, keys: Consumed | undefined): boolean {
  return (
    (blocks !== 0 &&
      (((blocks & SQL) !== 0 && SQL_KEYS.has(key)) ||
        ((blocks & HTTP_CLIENT) !== 0 && HTTP_CLIENT_KEYS.has(key)) ||
        ((blocks & HTTP_SERVER) !== 0 && HTTP_SERVER_KEYS.has(key)) ||
        ((blocks & HTTP_RESPONSE) !== 0 && HTTP_RESPONSE_KEYS.has(key)))) ||
    (keys !== undefined && keys.has(key))
  );
}

// What becomes of an unmapped attribute in metadata, by key: decided once per key (two regular
// expressions), as instrumentations use a fixed set of keys.
const RECORD = 0;
const NEVER = 1;
const REDACT = 2;
const keyPolicies = new Map<string, number>();
function keyPolicy(key: string): number {
  return NEVER_RECORDED.test(key) ? NEVER : isSensitiveName(key) ? REDACT : RECORD;
}

/**
 * The `sql` block of a span. With `shared`, the block is frozen and shared by the spans of a
 * repeated query (same statement, same connection), so it is neither built nor serialised again
 * (`stringifyShared`): each statement remembers its last block and the attributes it came from.
 */
function sqlBlock(system: string, attributes: Attributes, shared: boolean): SqlDocument {
  const host = str(attributes, 'server.address', 'net.peer.name');
  const port = num(attributes, 'server.port', 'net.peer.port');
  const db = str(attributes, 'db.namespace', 'db.name');
  const connection = str(attributes, 'db.connection_string');
  const user = str(attributes, 'db.user');
  const version = str(attributes, 'db.version');
  const statement = str(attributes, 'db.query.text', 'db.statement');
  if (!shared || statement === undefined) return newSqlBlock(system, host, port, db, connection, user, version, statement);
  const last = sqlBlocks.get(statement);
  if (
    last !== undefined &&
    last.system === system &&
    last.host === host &&
    last.port === port &&
    last.db === db &&
    last.connection === connection &&
    last.user === user &&
    last.version === version
  ) {
    return last.sql;
  }
  const sql = Object.freeze(newSqlBlock(system, host, port, db, connection, user, version, statement));
  if (statement.length <= 2000) {
    if (sqlBlocks.size >= 1024) sqlBlocks.clear();
    sqlBlocks.set(statement, { system, host, port, db, connection, user, version, sql });
  }
  return sql;
}

interface SharedSqlBlock {
  readonly system: string;
  readonly host: string | undefined;
  readonly port: number | undefined;
  readonly db: string | undefined;
  readonly connection: string | undefined;
  readonly user: string | undefined;
  readonly version: string | undefined;
  readonly sql: SqlDocument;
}
const sqlBlocks = new Map<string, SharedSqlBlock>();

function newSqlBlock(
  system: string,
  host: string | undefined,
  port: number | undefined,
  db: string | undefined,
  connection: string | undefined,
  user: string | undefined,
  version: string | undefined,
  statement: string | undefined,
): SqlDocument {
  const sql: SqlDocument = { database_type: system };
  if (connection) sql.url = urlWithoutCredentials(connection);
  else if (host) sql.url = `${system}://${host}${port !== undefined ? `:${port}` : ''}${db ? `/${db}` : ''}`;
  if (user) sql.user = user;
  if (version) sql.database_version = version;
  if (statement) sql.sanitized_query = sanitizeSql(statement);
  return sql;
}

function awsBlock(attributes: Attributes, used: Consumed): AwsDocument {
  const aws: AwsDocument = {};
  const take = (target: string, ...keys: string[]): void => {
    for (const key of keys) {
      const v = attributes[key];
      if (typeof v === 'string' && v.length > 0) {
        aws[target] = v;
        used.add(key);
        return;
      }
    }
  };
  take('operation', 'rpc.method');
  take('region', 'aws.region', 'cloud.region');
  take('request_id', 'aws.request_id', 'aws.request.id');
  take('account_id', 'aws.account_id');
  take('queue_url', 'aws.queue_url', 'messaging.url');
  take('table_name', 'aws.table_name');
  const tables = attributes['aws.dynamodb.table_names'];
  if (Array.isArray(tables) && tables.every((t) => typeof t === 'string')) {
    aws.table_names = tables as string[];
    used.add('aws.dynamodb.table_names');
  }
  const retries = attributes['aws.xray.retries'];
  if (typeof retries === 'number') {
    aws.retries = retries;
    used.add('aws.xray.retries');
  }
  used.add('rpc.system').add('rpc.service');
  return aws;
}

/** Sets `http.request` from a client span's attributes; returns the blocks it consumed. */
function httpClient(entity: Entity, attributes: Attributes): number {
  const method = str(attributes, 'http.request.method', 'http.method');
  const url = str(attributes, 'url.full', 'http.url');
  let blocks = 0;
  if (method || url) {
    entity.setHttpRequest({ ...(method ? { method } : {}), ...(url ? { url: urlWithoutCredentials(url) } : {}) });
    blocks = HTTP_CLIENT;
  }
  return blocks | httpResponse(entity, attributes);
}

function httpServer(entity: Entity, attributes: Attributes): number {
  const method = str(attributes, 'http.request.method', 'http.method');
  let url = str(attributes, 'http.url');
  if (!url) {
    const scheme = str(attributes, 'url.scheme', 'http.scheme');
    const host = str(attributes, 'server.address', 'http.host');
    const port = num(attributes, 'server.port');
    const path = str(attributes, 'url.path', 'http.target');
    if (scheme && host && path) url = `${scheme}://${host}${port !== undefined ? `:${port}` : ''}${path}`;
  }
  const clientIp = str(attributes, 'client.address', 'http.client_ip');
  const userAgent = str(attributes, 'user_agent.original', 'http.user_agent');
  let blocks = 0;
  if (method || url || clientIp || userAgent) {
    entity.setHttpRequest({
      ...(method ? { method } : {}),
      ...(url ? { url: urlWithoutCredentials(url) } : {}),
      ...(clientIp ? { client_ip: clientIp } : {}),
      ...(userAgent ? { user_agent: userAgent } : {}),
    });
    blocks = HTTP_SERVER;
  }
  return blocks | httpResponse(entity, attributes);
}

function httpResponse(entity: Entity, attributes: Attributes): number {
  const status = num(attributes, 'http.response.status_code', 'http.status_code');
  if (status === undefined) return 0;
  const length = num(attributes, 'http.response.body.size', 'http.response_content_length');
  entity.setHttpResponse(status, length);
  return HTTP_RESPONSE;
}

/**
 * Records span attributes on `entity`: the `sql`, `http` and `aws` blocks, the end user, the
 * annotations the user asked for, and every other attribute as metadata under the configured
 * namespace. Query texts of non-SQL databases and parameter values are dropped.
 * @param isSegment - `entity` is a segment (known to the caller; no cross-build `instanceof` here).
 * @param opened - the entity was opened for this span and closes right after (its blocks may be shared).
 */
export function applyAttributes(entity: Entity, kind: SpanKind, attributes: Attributes, config: BridgeConfig, isSegment: boolean, opened: boolean): void {
  let blocks = 0;
  let keys: Consumed | undefined;
  if (!isSegment) {
    const sub = entity as Subsegment;
    if (attributes['rpc.system'] === 'aws-api') {
      sub.namespace = 'aws';
      keys = new Set();
      const aws = awsBlock(attributes, keys);
      sub.aws = sub.aws ? { ...sub.aws, ...aws } : aws;
    }
    const system = dbSystemOf(attributes);
    if (system !== undefined && SQL_SYSTEMS.has(system)) {
      // A subsegment opened for the span closes right after: nobody changes its block, so it may be shared.
      const sql = sqlBlock(system, attributes, opened && sub.sql === undefined);
      sub.sql = sub.sql ? Object.assign({}, sub.sql, sql) : sql;
      blocks |= SQL;
    } else if (system !== undefined && attributes['db.operation.name'] === undefined && attributes['db.operation'] === undefined) {
      // Redis and other non-SQL statements may carry keys and values: only the command is kept.
      const statement = str(attributes, 'db.query.text', 'db.statement');
      const command = statement ? /^[A-Za-z][\w.-]{0,63}/.exec(statement)?.[0] : undefined;
      if (command) mergeMetadata(entity, config.metadataNamespace, { 'db.operation.name': command });
    }
    if (kind === SpanKind.CLIENT || kind === SpanKind.PRODUCER) blocks |= httpClient(entity, attributes);
  } else {
    blocks |= httpServer(entity, attributes);
    const user = str(attributes, 'enduser.id');
    if (user) {
      (entity as Segment).setUser(user);
      (keys ??= new Set()).add('enduser.id');
    }
  }
  const annotationKeys = config.annotationKeys;
  let rest: Record<string, JsonValue> | undefined;
  for (const key in attributes) {
    if (consumed(key, blocks, keys)) continue;
    const policy = remembered(keyPolicies, key, keyPolicy);
    if (policy === NEVER) continue;
    const value = attributes[key];
    if (value === undefined) continue;
    if (annotationKeys.size > 0 && annotationKeys.has(key) && (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')) {
      entity.addAnnotation(key.replace(/[^A-Za-z0-9_]/g, '_'), value);
      continue;
    }
    // The package's scrubbing policy, as `Entity.addMetadata` applies it, one value at a time:
    // a value that cannot be copied is left out on its own.
    if (policy === REDACT) {
      (rest ??= {})[key] = REDACTED;
      continue;
    }
    const json = toJsonValue(value);
    if (!('problem' in json)) (rest ??= {})[key] = json.value;
  }
  if (rest) assignMetadata(entity, config.metadataNamespace, rest);
}

/**
 * Merges `values` into one metadata namespace with one copy-and-scrub pass (the package's
 * scrubbing policy, as for {@link Entity.addMetadata}), instead of one pass per attribute.
 */
export function mergeMetadata(entity: Entity, namespace: string, values: Record<string, unknown>): void {
  const json = toJsonValue(values);
  if ('problem' in json || json.value === null || typeof json.value !== 'object' || Array.isArray(json.value)) return;
  assignMetadata(entity, namespace, json.value);
}

/** Merges values already copied and scrubbed into one metadata namespace. */
function assignMetadata(entity: Entity, namespace: string, values: Record<string, JsonValue>): void {
  const metadata = (entity.metadata ??= {});
  const target = Object.hasOwn(metadata, namespace) ? (metadata[namespace] as Record<string, JsonValue>) : (metadata[namespace] = {});
  Object.assign(target, values);
}
