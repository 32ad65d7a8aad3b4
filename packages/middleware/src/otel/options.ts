import type { Tracer } from '../core/tracer.js';

/**
 * Instrumentation scopes whose spans the bridge does not record by default, because the
 * package's own integrations record the same operations (and already inject the trace header):
 * outgoing HTTP (`instrumentHttp()`), AWS SDK v3 (`instrument()`) and the Express and
 * Fastify request segments. See README-otel-bridge.md, "No double recording".
 */
export const DEFAULT_DEFERRED_INSTRUMENTATIONS: readonly string[] = Object.freeze([
  '@opentelemetry/instrumentation-http',
  '@opentelemetry/instrumentation-undici',
  '@opentelemetry/instrumentation-aws-sdk',
  '@opentelemetry/instrumentation-express',
  '@opentelemetry/instrumentation-fastify',
  '@fastify/otel',
]);

/** Options of {@link registerOtelBridge}. */
export interface OtelBridgeOptions {
  /**
   * The tracer new root segments (server/consumer spans outside a request) belong to, and whose
   * context-missing strategy applies. Spans inside a request always join the request's tracer.
   * Default: the process-wide default tracer, resolved when first needed.
   */
  tracer?: Tracer;
  /**
   * Span attribute keys recorded as indexed annotations instead of metadata (`.` and other
   * characters X-Ray refuses become `_`, so `app.tenant` is annotation `app_tenant`). The usual
   * validation and the 50-per-trace limit apply. Default: none.
   */
  annotationKeys?: readonly string[];
  /** Metadata namespace for the attributes the mapping does not use. Default `otel`. */
  metadataNamespace?: string;
  /**
   * Instrumentation scope names (the name an instrumentation passes to `getTracer`) whose spans
   * are not recorded: they become non-recording spans that keep the current entity current, so
   * the package's own integration records the call once. Default
   * {@link DEFAULT_DEFERRED_INSTRUMENTATIONS}; pass `[]` to record everything.
   */
  deferredInstrumentations?: readonly string[];
}

/** The resolved options every bridged tracer reads (replaced as a whole when re-registered). */
export interface BridgeConfig {
  readonly tracer: Tracer | undefined;
  readonly annotationKeys: ReadonlySet<string>;
  readonly metadataNamespace: string;
  readonly deferred: ReadonlySet<string>;
}

/** Resolves options; a bad metadata namespace is a configuration error and throws. */
export function resolveConfig(options: OtelBridgeOptions): BridgeConfig {
  const namespace = options.metadataNamespace ?? 'otel';
  if (typeof namespace !== 'string' || namespace.length === 0 || namespace.startsWith('AWS.') || namespace === '__proto__') {
    throw new TypeError(`metadataNamespace is ${JSON.stringify(namespace)}; expected a non-empty string not starting with "AWS." (reserved)`);
  }
  return {
    tracer: options.tracer,
    annotationKeys: new Set(options.annotationKeys ?? []),
    metadataNamespace: namespace,
    deferred: new Set(options.deferredInstrumentations ?? DEFAULT_DEFERRED_INSTRUMENTATIONS),
  };
}
