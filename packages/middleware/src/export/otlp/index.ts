// The OTLP/HTTP trace exporter and its public types.
export { OtlpTraceExporter, retryAfterMs, type OtlpExporterStats, type OtlpExporterDeps } from './otlp-exporter.js';
export { OtlpConfigError, type OtlpExporterOptions, type OtlpProtocol, type OtlpAwsCredentials } from './options.js';
export { SigV4SetupError } from './sigv4.js';
export { entityToSpan, ANNOTATIONS_ATTRIBUTE, METADATA_ATTRIBUTE_PREFIX, IN_PROGRESS_ATTRIBUTE } from './segment-to-span.js';
export { ResourceBuilder } from './resource.js';
export type * from './span-model.js';
export { SpanKind, StatusCode } from './span-model.js';
