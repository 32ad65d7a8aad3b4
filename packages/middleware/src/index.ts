/**
 * The tracing core: the tracer and its default instance, segments and subsegments in the X-Ray
 * segment-document format, async context, sampling rules, the emitters (the X-Ray daemon over
 * UDP, the console, memory, OTLP/HTTP, fan-out) and the trace-context headers (`X-Amzn-Trace-Id`,
 * W3C `traceparent`/`tracestate`) for transports of your own.
 *
 * @remarks
 * Integrations live in subpath exports (`/express`, `/fastify`, `/http`, `/aws`, `/logger`,
 * `/rollbar`, `/metrics`, `/otel`); test helpers in `/testing`. What these entry points export is
 * the supported API (api/*.api.md records it); any other module of the package is an
 * implementation detail that can change in any release.
 *
 * Lifecycle of everything that buffers or holds a socket (tracer, emitters, CloudWatch Logs
 * transport, error reporter, metrics): `flush()` sends what is buffered and resolves when done or
 * given up; `shutdown()` flushes, then releases sockets and timers, and is idempotent; what is
 * emitted after it is dropped and counted. Neither rejects: failures go to the diagnostics
 * channel ({@link DIAGNOSTICS_CHANNEL}) and the component's stats.
 *
 * @packageDocumentation
 */
export {
  TRACE_HEADER,
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
export type { Sampler, SamplingDecision, SamplingRequest } from './core/sampling/sampler.js';
export {
  DEFAULT_SAMPLING_RULES,
  SamplingRulesError,
  type LocalSamplingRules,
  type LocalSamplingRule,
  type DefaultSamplingRule,
} from './core/sampling/local-rules.js';
export type { Emitter, EntityEmitter } from './core/emit/emitter.js';
export { FanOutEmitter } from './core/emit/fan-out-emitter.js';
export { UdpEmitter, type UdpEmitterStats } from './core/emit/udp-emitter.js';
export { ConsoleEmitter } from './core/emit/console-emitter.js';
export { InMemoryEmitter, type EmittedDocument } from './core/emit/memory-emitter.js';
export { DaemonAddressError, type DaemonAddress, type HostPort } from './core/emit/daemon-address.js';
export type { MessageScrubber } from './core/exception.js';
export { VERSION } from './core/version.js';
export {
  detectEnvironment,
  UnknownPluginError,
  type DetectEnvironmentOptions,
  type DetectedEnvironment,
} from './core/plugins/detect-environment.js';
export type { PluginName } from './core/plugins/plugin.js';
export type { Ec2PluginOptions } from './core/plugins/ec2.js';
export type { EcsPluginOptions } from './core/plugins/ecs.js';
export type { EksPluginOptions } from './core/plugins/eks.js';
export type { ElasticBeanstalkPluginOptions } from './core/plugins/elastic-beanstalk.js';
export { ConfigError } from './core/config-error.js';
export {
  OtlpTraceExporter,
  OtlpConfigError,
  SigV4SetupError,
  type OtlpExporterStats,
  type OtlpExporterDeps,
  type OtlpExporterOptions,
  type OtlpProtocol,
  type OtlpAwsCredentials,
} from './export/otlp/index.js';
export { TRACEPARENT_HEADER } from './propagation/traceparent.js';
export { TRACESTATE_HEADER } from './propagation/tracestate.js';
export type { PropagatorName } from './propagation/config.js';
export { extractTraceContext, traceContextHeaders, type ExtractedTraceContext, type HeaderPair } from './propagation/propagator.js';
export { scrubUrl } from './core/scrub.js';
