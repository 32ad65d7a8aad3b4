import type { OtlpAttribute } from './span-model.js';

/** Wire encoding of the request body. */
export type OtlpProtocol = 'http/protobuf' | 'http/json';

/** AWS credentials, as the AWS SDK's providers resolve them. */
export interface OtlpAwsCredentials {
  /** The access key id. */
  readonly accessKeyId: string;
  /** The secret access key. */
  readonly secretAccessKey: string;
  /** The session token of temporary credentials. */
  readonly sessionToken?: string;
}

/**
 * Options of {@link OtlpTraceExporter}. Each has the environment variable every OpenTelemetry SDK
 * reads; an explicit option wins. The `…_TRACES_…` variables win over the general ones.
 */
export interface OtlpExporterOptions {
  /**
   * The full traces URL. Env: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (used as is), else
   * `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`. Default `http://localhost:4318/v1/traces`.
   */
  endpoint?: string;
  /** Extra request headers (e.g. `x-honeycomb-team`). Env: `OTEL_EXPORTER_OTLP_TRACES_HEADERS`, `OTEL_EXPORTER_OTLP_HEADERS` (`k=v,k2=v2`, values percent-decoded). */
  headers?: Readonly<Record<string, string>>;
  /** Env: `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL`, `OTEL_EXPORTER_OTLP_PROTOCOL`. Default `http/protobuf`. */
  protocol?: OtlpProtocol;
  /** Env: `OTEL_EXPORTER_OTLP_TRACES_COMPRESSION`, `OTEL_EXPORTER_OTLP_COMPRESSION`. Default `gzip`. */
  compression?: 'gzip' | 'none';
  /** Time allowed for one HTTP request, in ms. Env: `OTEL_EXPORTER_OTLP_TRACES_TIMEOUT`, `OTEL_EXPORTER_OTLP_TIMEOUT`. Default 10,000. */
  timeoutMs?: number;
  /** Spans waiting to be sent; beyond it new spans are dropped and counted. Env: `OTEL_BSP_MAX_QUEUE_SIZE`. Default 2,048. */
  maxQueueSize?: number;
  /** Spans per request. Env: `OTEL_BSP_MAX_EXPORT_BATCH_SIZE`. Default 512. */
  maxExportBatchSize?: number;
  /** Longest wait before a partial batch leaves, in ms. Env: `OTEL_BSP_SCHEDULE_DELAY`. Default 5,000. */
  scheduleDelayMs?: number;
  /** Time a `flush()` or `shutdown()` may spend on retries before giving up the rest, in ms. Env: `OTEL_BSP_EXPORT_TIMEOUT`. Default 30,000. */
  exportTimeoutMs?: number;
  /** Resource attributes added to every span's resource. Env: `OTEL_RESOURCE_ATTRIBUTES` (`k=v,…`); the option's entries win. */
  resourceAttributes?: Readonly<Record<string, string | number | boolean>>;
  /**
   * Sign requests with AWS SigV4 (service `xray`) through the AWS SDK's own signer and credential
   * chain (optional peers `@smithy/signature-v4`, `@smithy/hash-node`,
   * `@aws-sdk/credential-provider-node`). Default: on when the endpoint is `xray.<region>.amazonaws.com`.
   */
  sigv4?: boolean;
  /** Region for SigV4. Default: from the endpoint's host name, then `AWS_REGION`, then `AWS_DEFAULT_REGION`. */
  region?: string;
  /** Credentials for SigV4. Default: the AWS SDK's default chain (environment, shared files, SSO, ECS/EC2 roles). */
  credentials?: () => Promise<OtlpAwsCredentials>;
}

/** Options with every default applied. */
export interface ResolvedOtlpOptions {
  readonly endpoint: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly protocol: OtlpProtocol;
  readonly gzip: boolean;
  readonly timeoutMs: number;
  readonly maxQueueSize: number;
  readonly maxExportBatchSize: number;
  readonly scheduleDelayMs: number;
  readonly exportTimeoutMs: number;
  readonly resource: readonly OtlpAttribute[];
  readonly sigv4: boolean;
  readonly region: string | undefined;
}

/** A configuration value that cannot work: names the setting, the value and what was expected. */
export class OtlpConfigError extends Error {
  /** Always `'OtlpConfigError'`, to tell the error apart after serialisation. */
  override name = 'OtlpConfigError';
}

const DEFAULT_ENDPOINT = 'http://localhost:4318/';
const AWS_XRAY_HOST = /^xray\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

/**
 * Applies the defaults and the `OTEL_*` variables.
 * @throws OtlpConfigError naming the option or variable, its value and what was expected.
 */
export function resolveOtlpOptions(options: OtlpExporterOptions, env: NodeJS.ProcessEnv): ResolvedOtlpOptions {
  const endpoint = resolveEndpoint(options.endpoint, env);
  const protocol = pickProtocol(options.protocol, env);
  const compression = options.compression !== undefined ? { value: options.compression as string, source: 'compression' } : pickEnv(env, 'COMPRESSION');
  if (compression !== undefined && compression.value !== 'gzip' && compression.value !== 'none') {
    throw new OtlpConfigError(`${compression.source} is ${JSON.stringify(compression.value)}; expected gzip or none`);
  }
  const headers = { ...parseHeaderList(env.OTEL_EXPORTER_OTLP_HEADERS, 'OTEL_EXPORTER_OTLP_HEADERS'), ...parseHeaderList(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS, 'OTEL_EXPORTER_OTLP_TRACES_HEADERS'), ...(options.headers ?? {}) };
  const timeout = options.timeoutMs !== undefined ? { value: options.timeoutMs, source: 'timeoutMs' } : pickNumberEnv(env, ['OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', 'OTEL_EXPORTER_OTLP_TIMEOUT']);
  const maxQueueSize = positive(options.maxQueueSize, 'maxQueueSize', env, 'OTEL_BSP_MAX_QUEUE_SIZE', 2048);
  const maxExportBatchSize = Math.min(positive(options.maxExportBatchSize, 'maxExportBatchSize', env, 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE', 512), maxQueueSize);
  const host = endpoint.hostname;
  const awsHost = AWS_XRAY_HOST.exec(host);
  const sigv4 = options.sigv4 ?? awsHost !== null;
  const region = options.region ?? awsHost?.[1] ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined);
  if (sigv4 && !region) {
    throw new OtlpConfigError(`the OTLP endpoint ${endpoint.href} needs SigV4 signing and no region was found: set the region option, AWS_REGION or AWS_DEFAULT_REGION`);
  }
  return {
    endpoint,
    headers,
    protocol,
    gzip: (compression?.value ?? 'gzip') === 'gzip',
    timeoutMs: checkPositive(timeout?.value ?? 10_000, timeout?.source ?? 'timeoutMs'),
    maxQueueSize,
    maxExportBatchSize,
    scheduleDelayMs: nonNegative(options.scheduleDelayMs, 'scheduleDelayMs', env, 'OTEL_BSP_SCHEDULE_DELAY', 5000),
    exportTimeoutMs: positive(options.exportTimeoutMs, 'exportTimeoutMs', env, 'OTEL_BSP_EXPORT_TIMEOUT', 30_000),
    resource: resourceAttributes(options.resourceAttributes, env.OTEL_RESOURCE_ATTRIBUTES),
    sigv4,
    region,
  };
}

function resolveEndpoint(option: string | undefined, env: NodeJS.ProcessEnv): URL {
  let raw: string;
  let source: string;
  // What the user wrote, for error messages (the general variable gets the signal path appended).
  let given: string;
  if (option !== undefined) {
    raw = given = option;
    source = 'endpoint';
  } else if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) {
    raw = given = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
    source = 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT';
  } else {
    // The general variable is a base URL: the signal's path is appended (OTLP exporter spec).
    const base = (given = env.OTEL_EXPORTER_OTLP_ENDPOINT || DEFAULT_ENDPOINT);
    raw = (base.endsWith('/') ? base : `${base}/`) + 'v1/traces';
    source = env.OTEL_EXPORTER_OTLP_ENDPOINT ? 'OTEL_EXPORTER_OTLP_ENDPOINT' : 'the default endpoint';
  }
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new OtlpConfigError(`${source} is ${JSON.stringify(given)}; expected an http:// or https:// URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new OtlpConfigError(`${source} is ${JSON.stringify(given)}; expected an http:// or https:// URL (OTLP/gRPC is not supported: use port 4318 and http/protobuf)`);
  }
  return url;
}

function pickProtocol(option: OtlpProtocol | undefined, env: NodeJS.ProcessEnv): OtlpProtocol {
  const chosen = option !== undefined ? { value: option as string, source: 'protocol' } : pickEnv(env, 'PROTOCOL');
  if (chosen === undefined) return 'http/protobuf';
  if (chosen.value === 'http/protobuf' || chosen.value === 'http/json') return chosen.value;
  const hint = chosen.value === 'grpc' ? ' (OTLP/gRPC is not supported)' : '';
  throw new OtlpConfigError(`${chosen.source} is ${JSON.stringify(chosen.value)}; expected http/protobuf or http/json${hint}`);
}

function pickEnv(env: NodeJS.ProcessEnv, suffix: string): { value: string; source: string } | undefined {
  for (const name of [`OTEL_EXPORTER_OTLP_TRACES_${suffix}`, `OTEL_EXPORTER_OTLP_${suffix}`]) {
    const value = env[name]?.trim();
    if (value) return { value: value.toLowerCase(), source: name };
  }
  return undefined;
}

function pickNumberEnv(env: NodeJS.ProcessEnv, names: readonly string[]): { value: number; source: string } | undefined {
  for (const name of names) {
    const raw = env[name]?.trim();
    if (raw) return { value: parseNumber(raw, name), source: name };
  }
  return undefined;
}

function parseNumber(raw: string, source: string): number {
  const value = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || !Number.isFinite(value)) throw new OtlpConfigError(`${source} is ${JSON.stringify(raw)}; expected a number of milliseconds or items`);
  return value;
}

function positive(option: number | undefined, name: string, env: NodeJS.ProcessEnv, variable: string, fallback: number): number {
  if (option !== undefined) return checkPositive(option, name);
  const raw = env[variable]?.trim();
  return raw ? checkPositive(parseNumber(raw, variable), variable) : fallback;
}

function nonNegative(option: number | undefined, name: string, env: NodeJS.ProcessEnv, variable: string, fallback: number): number {
  const raw = env[variable]?.trim();
  const [value, source] = option !== undefined ? [option, name] : raw ? [parseNumber(raw, variable), variable] : [fallback, name];
  if (!Number.isFinite(value) || value < 0) throw new OtlpConfigError(`${source} is ${String(value)}; expected a number ≥ 0`);
  return value;
}

function checkPositive(value: number, source: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new OtlpConfigError(`${source} is ${String(value)}; expected a number > 0`);
  return Math.floor(value);
}

/**
 * `k=v,k2=v2` as the OTel environment variables write headers and resource attributes: keys
 * trimmed, values percent-decoded (W3C Baggage octet rules). A malformed entry is a start-up error
 * naming it: a silently dropped API key header would show up only as 401s.
 */
export function parseKeyValueList(raw: string | undefined, source: string): Array<[string, string]> {
  if (raw === undefined || raw.trim() === '') return [];
  const out: Array<[string, string]> = [];
  for (const entry of raw.split(',')) {
    if (entry.trim() === '') continue;
    const eq = entry.indexOf('=');
    const key = eq > 0 ? entry.slice(0, eq).trim() : '';
    if (!key) throw new OtlpConfigError(`${source} has the entry ${JSON.stringify(entry.trim().slice(0, 40))}; expected key=value pairs separated by commas`);
    let value = entry.slice(eq + 1).trim();
    try {
      value = decodeURIComponent(value);
    } catch {
      throw new OtlpConfigError(`${source} has a malformed percent-escape in the value of ${JSON.stringify(key)}`);
    }
    out.push([key, value]);
  }
  return out;
}

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function parseHeaderList(raw: string | undefined, source: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of parseKeyValueList(raw, source)) {
    if (!HEADER_NAME.test(key)) throw new OtlpConfigError(`${source} names the header ${JSON.stringify(key)}, which is not a valid header name`);
    if (/[\r\n\0]/.test(value)) throw new OtlpConfigError(`${source}: the value of ${key} contains a line break`);
    out[key.toLowerCase()] = value;
  }
  return out;
}

function resourceAttributes(option: OtlpExporterOptions['resourceAttributes'], raw: string | undefined): OtlpAttribute[] {
  const merged = new Map<string, string | number | boolean>(parseKeyValueList(raw, 'OTEL_RESOURCE_ATTRIBUTES'));
  for (const [key, value] of Object.entries(option ?? {})) merged.set(key, value);
  return Array.from(merged, ([key, value]) => ({ key, value }));
}
