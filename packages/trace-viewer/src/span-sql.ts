// `db.*` attributes of a span calling an SQL database → the `sql` block, after the collector's
// X-Ray exporter (translator/sql.go). The current conventions' names are read too.
import { attrString } from './otlp-attributes.js';
import type { OtlpAttributes, OtlpSpan } from './otlp-model.js';
import type { JsonObject } from './types.js';

const SQL_SYSTEMS = new Set(['db2', 'derby', 'hive', 'mariadb', 'mssql', 'mysql', 'oracle', 'postgresql', 'sqlite', 'teradata', 'other_sql']);

/** Old name first, as the exporter reads it, then the current semantic-convention name. */
const KEYS = {
  system: ['db.system', 'db.system.name'],
  name: ['db.name', 'db.namespace'],
  statement: ['db.statement', 'db.query.text'],
  user: ['db.user'],
  connection: ['db.connection_string'],
} as const;

function first(attributes: OtlpAttributes, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = attrString(attributes, key);
    if (value !== undefined) return value;
  }
  return undefined;
}

/**
 * Builds the `sql` block for an SQL database span and removes the `db.*` attributes it used;
 * other databases (DynamoDB, Redis, …) get none and keep their attributes as metadata. Like the
 * exporter, `url` is the span name: the connection string goes to `connection_string`.
 */
export function takeSql(span: OtlpSpan, attributes: OtlpAttributes): JsonObject | undefined {
  const system = first(attributes, KEYS.system);
  if (system === undefined || !SQL_SYSTEMS.has(system)) return undefined;
  const database = first(attributes, KEYS.name) ?? '';
  const sql: JsonObject = {
    url: span.name,
    connection_string: `${first(attributes, KEYS.connection) ?? 'localhost'}/${database}`,
    database_type: system,
  };
  const user = first(attributes, KEYS.user);
  if (user !== undefined) sql['user'] = user;
  const statement = first(attributes, KEYS.statement);
  if (statement !== undefined) sql['sanitized_query'] = statement;
  for (const keys of Object.values(KEYS)) for (const key of keys) attributes.delete(key);
  return sql;
}
