import { SpanKind, type Attributes, type AttributeValue } from '@opentelemetry/api';
import { toJsonValue } from '../core/attributes.js';
import type { AwsDocument, JsonValue, SqlDocument } from '../core/document.js';
import type { Entity } from '../core/entity.js';
import { sanitizeName } from '../core/names.js';
import { Segment } from '../core/segment.js';
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
    return sanitizeName(host ? `${db}@${host}` : db);
  }
  return sanitizeName(spanName);
}

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
  return statement
    .replace(/'(?:[^']|'')*'/g, '?')
    .replace(/(?<![\w$.:])-?\d+(?:\.\d+)?(?:e[+-]?\d+)?\b/gi, '?')
    .slice(0, 2000);
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

/** The keys a mapping consumed, so they are not repeated in metadata. */
type Consumed = Set<string>;

function sqlBlock(system: string, attributes: Attributes, used: Consumed): SqlDocument {
  const sql: SqlDocument = { database_type: system };
  const host = str(attributes, 'server.address', 'net.peer.name');
  const port = num(attributes, 'server.port', 'net.peer.port');
  const db = str(attributes, 'db.namespace', 'db.name');
  const connection = str(attributes, 'db.connection_string');
  if (connection) sql.url = urlWithoutCredentials(connection);
  else if (host) sql.url = `${system}://${host}${port !== undefined ? `:${port}` : ''}${db ? `/${db}` : ''}`;
  const user = str(attributes, 'db.user');
  if (user) sql.user = user;
  const version = str(attributes, 'db.version');
  if (version) sql.database_version = version;
  const statement = str(attributes, 'db.query.text', 'db.statement');
  if (statement) sql.sanitized_query = sanitizeSql(statement);
  for (const key of ['db.system', 'db.system.name', 'db.user', 'db.version', 'db.namespace', 'db.name', 'server.address', 'server.port', 'net.peer.name', 'net.peer.port']) used.add(key);
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

function httpClient(entity: Entity, attributes: Attributes, used: Consumed): void {
  const method = str(attributes, 'http.request.method', 'http.method');
  const url = str(attributes, 'url.full', 'http.url');
  if (method || url) {
    entity.setHttpRequest({ ...(method ? { method } : {}), ...(url ? { url: urlWithoutCredentials(url) } : {}) });
    for (const key of ['http.request.method', 'http.method', 'url.full', 'http.url']) used.add(key);
  }
  httpResponse(entity, attributes, used);
}

function httpServer(entity: Entity, attributes: Attributes, used: Consumed): void {
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
  if (method || url || clientIp || userAgent) {
    entity.setHttpRequest({
      ...(method ? { method } : {}),
      ...(url ? { url: urlWithoutCredentials(url) } : {}),
      ...(clientIp ? { client_ip: clientIp } : {}),
      ...(userAgent ? { user_agent: userAgent } : {}),
    });
    for (const key of ['http.request.method', 'http.method', 'http.url', 'url.scheme', 'http.scheme', 'url.path', 'http.target', 'client.address', 'http.client_ip', 'user_agent.original', 'http.user_agent']) {
      used.add(key);
    }
  }
  httpResponse(entity, attributes, used);
}

function httpResponse(entity: Entity, attributes: Attributes, used: Consumed): void {
  const status = num(attributes, 'http.response.status_code', 'http.status_code');
  if (status === undefined) return;
  const length = num(attributes, 'http.response.body.size', 'http.response_content_length');
  entity.setHttpResponse(status, length);
  for (const key of ['http.response.status_code', 'http.status_code', 'http.response.body.size', 'http.response_content_length']) used.add(key);
}

/**
 * Records span attributes on `entity`: the `sql`, `http` and `aws` blocks, the end user, the
 * annotations the user asked for, and every other attribute as metadata under the configured
 * namespace. Query texts of non-SQL databases and parameter values are dropped.
 * @param owned - the entity was opened for this span (its name may follow the attributes).
 */
export function applyAttributes(entity: Entity, kind: SpanKind, attributes: Attributes, config: BridgeConfig): void {
  const used: Consumed = new Set();
  const isSegment = entity instanceof Segment;
  const sub = isSegment ? undefined : (entity as Subsegment);
  if (sub) {
    if (attributes['rpc.system'] === 'aws-api') {
      sub.namespace = 'aws';
      const aws = awsBlock(attributes, used);
      sub.aws = sub.aws ? { ...sub.aws, ...aws } : aws;
    }
    const system = dbSystemOf(attributes);
    if (system !== undefined && SQL_SYSTEMS.has(system)) sub.sql = { ...sub.sql, ...sqlBlock(system, attributes, used) };
    else if (system !== undefined && attributes['db.operation.name'] === undefined && attributes['db.operation'] === undefined) {
      // Redis and other non-SQL statements may carry keys and values: only the command is kept.
      const statement = str(attributes, 'db.query.text', 'db.statement');
      const command = statement ? /^[A-Za-z][\w.-]{0,63}/.exec(statement)?.[0] : undefined;
      if (command) mergeMetadata(entity, config.metadataNamespace, { 'db.operation.name': command });
    }
    if (kind === SpanKind.CLIENT || kind === SpanKind.PRODUCER) httpClient(entity, attributes, used);
  } else {
    httpServer(entity, attributes, used);
    const user = str(attributes, 'enduser.id');
    if (user) {
      (entity as Segment).setUser(user);
      used.add('enduser.id');
    }
  }
  let rest: Record<string, AttributeValue> | undefined;
  for (const key in attributes) {
    if (used.has(key) || NEVER_RECORDED.test(key)) continue;
    const value = attributes[key];
    if (value === undefined) continue;
    if (config.annotationKeys.has(key) && (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')) {
      entity.addAnnotation(key.replace(/[^A-Za-z0-9_]/g, '_'), value);
      continue;
    }
    (rest ??= {})[key] = value;
  }
  if (rest) mergeMetadata(entity, config.metadataNamespace, rest);
}

/**
 * Merges `values` into one metadata namespace with one copy-and-scrub pass (the package's
 * scrubbing policy, as for {@link Entity.addMetadata}), instead of one pass per attribute.
 */
export function mergeMetadata(entity: Entity, namespace: string, values: Record<string, unknown>): void {
  const json = toJsonValue(values);
  if ('problem' in json || json.value === null || typeof json.value !== 'object' || Array.isArray(json.value)) return;
  const metadata = (entity.metadata ??= {});
  const target = Object.hasOwn(metadata, namespace) ? (metadata[namespace] as Record<string, JsonValue>) : (metadata[namespace] = {});
  Object.assign(target, json.value);
}
