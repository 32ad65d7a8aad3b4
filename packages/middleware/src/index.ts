/**
 * @packageDocumentation
 * The tracing core: X-Ray ids, the `X-Amzn-Trace-Id` header, segments and subsegments in the
 * segment-document format, async context, sampling and emitters. Integrations live in subpath
 * exports (`/express`, `/fastify`, `/http`, `/aws`, `/logger`, `/rollbar`); test helpers in `/testing`.
 */
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
export { currentEntity, runWithEntity } from './core/context.js';
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
export { DAEMON_HEADER, DEFAULT_MAX_DATAGRAM_BYTES, type Emitter } from './core/emit/emitter.js';
export { UdpEmitter, type UdpEmitterStats } from './core/emit/udp-emitter.js';
export { ConsoleEmitter } from './core/emit/console-emitter.js';
export { InMemoryEmitter, type EmittedDocument } from './core/emit/memory-emitter.js';
export { parseDaemonAddress, DaemonAddressError, DEFAULT_DAEMON_ADDRESS, type DaemonAddress, type HostPort } from './core/emit/daemon-address.js';
export { DocumentWriter, type DocumentWriterOptions } from './core/emit/document-writer.js';
export { VERSION } from './core/version.js';
export { REDACTED, SENSITIVE_HEADERS, isSensitiveName, scrubHeaders, scrubUrl, scrubText, scrubValue } from './core/scrub.js';
