/**
 * Everything the package's modules export, the supported API of `./index.ts` included: for this
 * package's own tests and benchmarks. It is no entry point of the published package (package.json
 * `exports` does not list it), so nothing here is a promise to users; the other packages of this
 * repository need none of it.
 */
export * from './index.js';
export { newEntityId, newTraceId, isEntityId, isTraceId } from './core/ids.js';
export {
  TRACE_HEADER,
  TRACE_HEADER_LOWER,
  MAX_EXTRA_DATA,
  parseTraceHeader,
  formatTraceHeader,
  type TraceHeader,
  type SampledFlag,
  type OutgoingTraceContext,
} from './core/trace-header.js';
export type * from './core/document.js';
export { Entity, type AddErrorOptions, type EntityHost } from './core/entity.js';
export { Segment, type SegmentInit, type ServiceDocument } from './core/segment.js';
export { Subsegment, type SubsegmentNamespace } from './core/subsegment.js';
export { sanitizeName, MAX_NAME_LENGTH } from './core/names.js';
export { MAX_ANNOTATIONS } from './core/attributes.js';
export { currentEntity, runWithEntity, runUntraced } from './core/context.js';
export { SegmentNotFoundError, type ContextMissingStrategy } from './core/context-missing.js';
export { Diagnostics, DIAGNOSTICS_CHANNEL, type DiagnosticEvent, type DiagnosticLevel, type DiagnosticLogger } from './core/diagnostics.js';
export { Tracer, createTracer, traceHeaderFor, type SubsegmentOptions, type TraceDecision } from './core/tracer.js';
export type { TracerOptions, SegmentDefaults } from './core/tracer-options.js';
export {
  getDefaultTracer,
  setDefaultTracer,
  capture,
  beginSubsegment,
  getCurrentSegment,
  getCurrentSubsegment,
  getCurrentEntity,
  addAnnotation,
  addMetadata,
  setUser,
  currentTraceId,
} from './core/default-tracer.js';
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
export type { Sampler, SamplingDecision, SamplingRequest } from './core/sampling/sampler.js';
export { LocalSampler } from './core/sampling/local-sampler.js';
export { Reservoir } from './core/sampling/reservoir.js';
export { wildcardMatch } from './core/sampling/wildcard.js';
export {
  DEFAULT_SAMPLING_RULES,
  SamplingRulesError,
  loadSamplingRulesFile,
  validateSamplingRules,
  type LocalSamplingRules,
  type LocalSamplingRule,
  type DefaultSamplingRule,
} from './core/sampling/local-rules.js';
export { DAEMON_HEADER, DEFAULT_MAX_DATAGRAM_BYTES, isEntityEmitter, type Emitter, type EntityEmitter } from './core/emit/emitter.js';
export { FanOutEmitter } from './core/emit/fan-out-emitter.js';
export { emittersFromEnv, tracesExporterNames } from './core/emit/emitters-from-env.js';
export { UdpEmitter, type UdpEmitterStats } from './core/emit/udp-emitter.js';
export { ConsoleEmitter } from './core/emit/console-emitter.js';
export { InMemoryEmitter, type EmittedDocument } from './core/emit/memory-emitter.js';
export { parseDaemonAddress, DaemonAddressError, DEFAULT_DAEMON_ADDRESS, type DaemonAddress, type HostPort } from './core/emit/daemon-address.js';
export { DocumentWriter, type DocumentWriterOptions } from './core/emit/document-writer.js';
export { VERSION } from './core/version.js';
export { REDACTED, SENSITIVE_HEADERS, isSensitiveName, scrubHeaders, scrubUrl, scrubText, scrubValue } from './core/scrub.js';
export {
  CentralizedSampler,
  type CentralizedSamplerOptions,
  type CentralizedRuleState,
} from './core/sampling/centralized/centralized-sampler.js';
export { CENTRALIZED_SAMPLING_ENV, centralizedSamplingEnabled } from './core/sampling/centralized/centralized-default.js';
export { SamplingProxyError, type ProxyFailure } from './core/sampling/centralized/proxy-client.js';
export { DEFAULT_RULE_NAME, parseSamplingRules, type SamplingRuleDefinition, type ParsedSamplingRules } from './core/sampling/centralized/rule-definition.js';
export { RULE_CACHE_TTL_MS } from './core/sampling/centralized/rule-cache.js';
export {
  detectEnvironment,
  resolveEnvironment,
  PLUGINS_ENV,
  UnknownPluginError,
  type DetectEnvironmentOptions,
  type DetectedEnvironment,
} from './core/plugins/detect-environment.js';
export { ALL_PLUGINS, ORIGINS, type PluginName, type PluginResult } from './core/plugins/plugin.js';
export { detectEc2, type Ec2PluginOptions } from './core/plugins/ec2.js';
export { detectEcs, type EcsPluginOptions } from './core/plugins/ecs.js';
export { detectEks, type EksPluginOptions } from './core/plugins/eks.js';
export { detectElasticBeanstalk, ELASTIC_BEANSTALK_CONFIG, type ElasticBeanstalkPluginOptions } from './core/plugins/elastic-beanstalk.js';
export { readContainerId, type ContainerIdSources } from './core/plugins/container-id.js';
export {
  OtlpTraceExporter,
  OtlpConfigError,
  SigV4SetupError,
  retryAfterMs,
  entityToSpan,
  ResourceBuilder,
  SpanKind,
  StatusCode,
  ANNOTATIONS_ATTRIBUTE,
  METADATA_ATTRIBUTE_PREFIX,
  IN_PROGRESS_ATTRIBUTE,
  type OtlpExporterStats,
  type OtlpExporterDeps,
  type OtlpExporterOptions,
  type OtlpProtocol,
  type OtlpAwsCredentials,
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
export {
  TRACEPARENT_HEADER,
  FLAG_SAMPLED,
  parseTraceparent,
  formatTraceparent,
  isW3cTraceId,
  isW3cSpanId,
  type Traceparent,
  type TraceparentFields,
} from './propagation/traceparent.js';
export {
  TRACESTATE_HEADER,
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
export { DEFAULT_PROPAGATORS, PROPAGATORS_ENV, resolvePropagators, type PropagatorName } from './propagation/config.js';
export {
  extractTraceContext,
  traceContextHeaders,
  propagationFields,
  propagatorsOf,
  type ExtractedTraceContext,
  type HeaderPair,
} from './propagation/propagator.js';
export { ConfigError } from './core/config-error.js';
