import { ConfigError } from '../../core/config-error.js';
import { describeNumber, envReader, oneOf, orDefault, type Env, type EnvReader, type NumberRule } from '../../core/env.js';
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
export class OtlpConfigError extends ConfigError {
  /** Always `'OtlpConfigError'`, to tell the error apart after serialisation. */
  override name = 'OtlpConfigError';
}

const DEFAULT_ENDPOINT = 'http://localhost:4318/';
const AWS_XRAY_HOST = /^xray\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;
const PROTOCOLS: readonly OtlpProtocol[] = ['http/protobuf', 'http/json'];
const COMPRESSIONS = ['gzip', 'none'] as const;
const URL_EXPECTED = 'an http:// or https:// URL (OTLP/gRPC is not supported: use port 4318 and http/protobuf)';

/**
 * Applies the defaults and the `OTEL_*` variables. Options are code, checked strictly: one that
 * cannot work throws. The variables are read as the OpenTelemetry specification asks: a value
 * that cannot be used is reported through `warn`, naming the variable and the value, and the
 * default applies (a `…_TRACES_…` variable that cannot be used gives way to the general one).
 * @throws OtlpConfigError naming the option, its value and what was expected, and when the
 *   endpoint needs SigV4 and no region is known.
 */
export function resolveOtlpOptions(options: OtlpExporterOptions, env: Env, warn: (message: string) => void = () => {}): ResolvedOtlpOptions {
  const read = envReader(env, OtlpConfigError);
  // The first of the variables that holds a usable value.
  const first = <T>(names: readonly string[], get: (name: string) => T | undefined): T | undefined => {
    for (const name of names) {
      const value = orDefault(() => get(name), warn);
      if (value !== undefined) return value;
    }
    return undefined;
  };
  const traces = (suffix: string): string[] => [`OTEL_EXPORTER_OTLP_TRACES_${suffix}`, `OTEL_EXPORTER_OTLP_${suffix}`];

  const endpoint = options.endpoint !== undefined ? strictUrl(options.endpoint) : (envEndpoint(read, warn) ?? new URL(`${DEFAULT_ENDPOINT}v1/traces`));
  const protocol = options.protocol !== undefined ? strictChoice('protocol', options.protocol, PROTOCOLS) : (first(traces('PROTOCOL'), (name) => read.choice(name, PROTOCOLS)) ?? 'http/protobuf');
  const compression = options.compression !== undefined ? strictChoice('compression', options.compression, COMPRESSIONS) : (first(traces('COMPRESSION'), (name) => read.choice(name, COMPRESSIONS)) ?? 'gzip');
  const headers = { ...envHeaders(read, 'OTEL_EXPORTER_OTLP_HEADERS', warn), ...envHeaders(read, 'OTEL_EXPORTER_OTLP_TRACES_HEADERS', warn), ...(options.headers ?? {}) };
  const number = (option: number | undefined, optionName: string, variables: readonly string[], rule: NumberRule, fallback: number): number => {
    if (option !== undefined) return strictNumber(optionName, option, rule);
    return first(variables, (name) => read.number(name, rule)) ?? fallback;
  };
  const positiveMs: NumberRule = { min: 1, unit: 'milliseconds' };
  const count: NumberRule = { min: 1, integer: true, unit: 'spans' };
  const maxQueueSize = number(options.maxQueueSize, 'maxQueueSize', ['OTEL_BSP_MAX_QUEUE_SIZE'], count, 2048);
  const maxExportBatchSize = Math.min(number(options.maxExportBatchSize, 'maxExportBatchSize', ['OTEL_BSP_MAX_EXPORT_BATCH_SIZE'], count, 512), maxQueueSize);
  const awsHost = AWS_XRAY_HOST.exec(endpoint.hostname);
  const sigv4 = options.sigv4 ?? awsHost !== null;
  const region = options.region ?? awsHost?.[1] ?? read.string('AWS_REGION') ?? read.string('AWS_DEFAULT_REGION');
  if (sigv4 && !region) {
    throw new OtlpConfigError('region', undefined, `one, as no region was found for SigV4 signing of ${endpoint.href}: set the region option, AWS_REGION or AWS_DEFAULT_REGION`);
  }
  return {
    endpoint,
    headers,
    protocol,
    gzip: compression === 'gzip',
    timeoutMs: Math.floor(number(options.timeoutMs, 'timeoutMs', traces('TIMEOUT'), positiveMs, 10_000)),
    maxQueueSize,
    maxExportBatchSize,
    scheduleDelayMs: number(options.scheduleDelayMs, 'scheduleDelayMs', ['OTEL_BSP_SCHEDULE_DELAY'], { min: 0, unit: 'milliseconds' }, 5000),
    exportTimeoutMs: Math.floor(number(options.exportTimeoutMs, 'exportTimeoutMs', ['OTEL_BSP_EXPORT_TIMEOUT'], positiveMs, 30_000)),
    resource: resourceAttributes(options.resourceAttributes, read, warn),
    sigv4,
    region,
  };
}

function httpUrl(raw: string): URL | undefined {
  try {
    const url = new URL(raw.trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

function strictUrl(option: string): URL {
  const url = httpUrl(option);
  if (!url) throw new OtlpConfigError('endpoint', option, URL_EXPECTED);
  return url;
}

// The traces variable is used as is; the general one is a base URL that gets the signal's path
// appended (OTLP exporter specification).
function envEndpoint(read: EnvReader, warn: (message: string) => void): URL | undefined {
  for (const name of ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_ENDPOINT']) {
    const given = read.string(name);
    if (given === undefined) continue;
    const url = httpUrl(name === 'OTEL_EXPORTER_OTLP_ENDPOINT' ? `${given.endsWith('/') ? given : `${given}/`}v1/traces` : given);
    if (url) return url;
    warn(`${new OtlpConfigError(name, given, URL_EXPECTED).message}; using the default`);
  }
  return undefined;
}

function strictChoice<T extends string>(option: string, value: T, choices: readonly T[]): T {
  if (!choices.includes(value)) throw new OtlpConfigError(option, value, oneOf(choices));
  return value;
}

function strictNumber(option: string, value: number, rule: NumberRule): number {
  const fits = Number.isFinite(value) && (!rule.integer || Number.isInteger(value)) && (rule.min === undefined || value >= rule.min);
  if (!fits) throw new OtlpConfigError(option, value, describeNumber(rule));
  return value;
}

/**
 * `k=v,k2=v2` as the OTel environment variables write headers and resource attributes: keys
 * trimmed, values percent-decoded (W3C Baggage octet rules). An entry that cannot be used is
 * skipped with a warning naming it (the others still apply): a dropped API key header then shows
 * up in the log, not only as 401s.
 */
function parseKeyValueList(read: EnvReader, name: string, warn: (message: string) => void): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const entry of read.list(name) ?? []) {
    const eq = entry.indexOf('=');
    const key = eq > 0 ? entry.slice(0, eq).trim() : '';
    if (!key) {
      warn(`${name} has the entry ${JSON.stringify(entry.slice(0, 40))}, not key=value; it is skipped`);
      continue;
    }
    try {
      out.push([key, decodeURIComponent(entry.slice(eq + 1).trim())]);
    } catch {
      warn(`${name} has a malformed percent-escape in the value of ${JSON.stringify(key)}; the entry is skipped`);
    }
  }
  return out;
}

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function envHeaders(read: EnvReader, name: string, warn: (message: string) => void): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of parseKeyValueList(read, name, warn)) {
    if (!HEADER_NAME.test(key)) warn(`${name} names the header ${JSON.stringify(key)}, which is not a valid header name; it is skipped`);
    else if (/[\r\n\0]/.test(value)) warn(`${name}: the value of ${key} contains a line break; it is skipped`);
    else out[key.toLowerCase()] = value;
  }
  return out;
}

function resourceAttributes(option: OtlpExporterOptions['resourceAttributes'], read: EnvReader, warn: (message: string) => void): OtlpAttribute[] {
  const merged = new Map<string, string | number | boolean>(parseKeyValueList(read, 'OTEL_RESOURCE_ATTRIBUTES', warn));
  for (const [key, value] of Object.entries(option ?? {})) merged.set(key, value);
  return Array.from(merged, ([key, value]) => ({ key, value }));
}
