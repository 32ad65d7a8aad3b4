/**
 * Everything the package's modules export: the supported API of `./index.ts`, then what it leaves
 * out (each name listed once). For this package's own tests and benchmarks. It is no entry point
 * of the published package (package.json `exports` does not list it), so nothing here is a promise
 * to users; the other packages of this repository need none of it.
 */
export * from './index.js';
export { newEntityId, newTraceId, isEntityId, isTraceId } from './core/ids.js';
export { TRACE_HEADER_LOWER, MAX_EXTRA_DATA } from './core/trace-header.js';
export { sanitizeName, MAX_NAME_LENGTH } from './core/names.js';
export { MAX_ANNOTATIONS } from './core/attributes.js';
export {
  beginIncomingRequest,
  endIncomingRequest,
  setIncomingRoute,
  recordIncomingError,
  REQUEST_END_CHANNEL,
  type IncomingRequestView,
  type IncomingTraceOptions,
  type IncomingTrace,
  type IncomingResult,
  type RequestEndEvent,
} from './core/incoming.js';
export { LocalSampler } from './core/sampling/local-sampler.js';
export { Reservoir } from './core/sampling/reservoir.js';
export { wildcardMatch } from './core/sampling/wildcard.js';
export { loadSamplingRulesFile, validateSamplingRules } from './core/sampling/local-rules.js';
export { DAEMON_HEADER, DEFAULT_MAX_DATAGRAM_BYTES, isEntityEmitter } from './core/emit/emitter.js';
export { emittersFromEnv, tracesExporterNames } from './core/emit/emitters-from-env.js';
export { parseDaemonAddress, DEFAULT_DAEMON_ADDRESS } from './core/emit/daemon-address.js';
export { DocumentWriter, type DocumentWriterOptions } from './core/emit/document-writer.js';
export { REDACTED, SENSITIVE_HEADERS, isSensitiveName, scrubHeaders, scrubText, scrubValue } from './core/scrub.js';
export {
  CentralizedSampler,
  type CentralizedSamplerOptions,
  type CentralizedRuleState,
} from './core/sampling/centralized/centralized-sampler.js';
export { CENTRALIZED_SAMPLING_ENV, centralizedSamplingEnabled } from './core/sampling/centralized/centralized-default.js';
export { SamplingProxyError, type ProxyFailure } from './core/sampling/centralized/proxy-client.js';
export { DEFAULT_RULE_NAME, parseSamplingRules, type SamplingRuleDefinition, type ParsedSamplingRules } from './core/sampling/centralized/rule-definition.js';
export { RULE_CACHE_TTL_MS } from './core/sampling/centralized/rule-cache.js';
export { resolveEnvironment, PLUGINS_ENV } from './core/plugins/detect-environment.js';
export { ALL_PLUGINS, ORIGINS, type PluginResult } from './core/plugins/plugin.js';
export { detectEc2 } from './core/plugins/ec2.js';
export { detectEcs } from './core/plugins/ecs.js';
export { detectEks } from './core/plugins/eks.js';
export { detectElasticBeanstalk, ELASTIC_BEANSTALK_CONFIG } from './core/plugins/elastic-beanstalk.js';
export { readContainerId, type ContainerIdSources } from './core/plugins/container-id.js';
export {
  retryAfterMs,
  entityToSpan,
  ResourceBuilder,
  SpanKind,
  StatusCode,
  ANNOTATIONS_ATTRIBUTE,
  METADATA_ATTRIBUTE_PREFIX,
  IN_PROGRESS_ATTRIBUTE,
  type OtlpSpan,
  type OtlpAttribute,
  type OtlpValue,
  type OtlpEvent,
  type OtlpLink,
  type OtlpStatus,
  type OtlpScope,
  type OtlpResourceSpans,
  type OtlpPartialSuccess,
  type SpanKindValue,
  type StatusCodeValue,
} from './export/otlp/index.js';
export { FLAG_SAMPLED, parseTraceparent, formatTraceparent, isW3cTraceId, isW3cSpanId, type Traceparent, type TraceparentFields } from './propagation/traceparent.js';
export {
  MAX_TRACESTATE_MEMBERS,
  MAX_TRACESTATE_LENGTH,
  parseTracestate,
  formatTracestate,
  normaliseTracestate,
  truncateTracestate,
  isTraceStateKey,
  isTraceStateValue,
  type TraceStateEntry,
} from './propagation/tracestate.js';
export { xrayToW3cTraceId, w3cToXrayTraceId } from './propagation/trace-id.js';
export { DEFAULT_PROPAGATORS, PROPAGATORS_ENV, resolvePropagators } from './propagation/config.js';
export { propagationFields, propagatorsOf } from './propagation/propagator.js';
