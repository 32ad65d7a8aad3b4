/**
 * Local servers on 127.0.0.1 that speak the real wire protocols of the X-Ray daemon, the X-Ray API,
 * CloudWatch Logs, Rollbar, OTLP/HTTP traces, EC2 and ECS metadata and DynamoDB (dynalite), so the real clients can be
 * pointed at them in tests and benchmarks. Every server binds an ephemeral port by default, records
 * what it receives, offers fault controls and closes completely with `close()`.
 *
 * @packageDocumentation
 */
export {
  validateSegmentDocument,
  MAX_ANNOTATIONS,
  MAX_SEGMENT_NAME_LENGTH,
} from './segment-validator.js';
export {
  startDaemonSink,
  type DaemonSink,
  type DaemonSinkOptions,
  type DaemonSinkStats,
  type DaemonDatagram,
  type DaemonDatagramProblem,
  type DaemonDocument,
  type DaemonMalformedCounts,
  type DaemonRejectedDatagram,
} from './daemon-sink.js';
export {
  startCloudWatchLogsServer,
  type CloudWatchLogsServer,
  type CloudWatchLogsServerOptions,
  type CloudWatchLogsOperation,
  type CloudWatchLogsFaultKind,
  type CloudWatchLogsLimits,
  type CloudWatchLogsRequestRecord,
  type EmfRejectionRecord,
  type LogEventRecord,
  type LogGroupRecord,
  type LogStreamRecord,
} from './cloudwatch-logs.js';
export { readEmf, CLOUDWATCH_UNITS, EMF_LIMITS, type EmfReading, type MetricDatumRecord } from './emf.js';
export {
  startRollbarServer,
  ROLLBAR_ITEM_PATH,
  type RollbarServer,
  type RollbarServerOptions,
  type RollbarFaultKind,
  type RollbarRateLimit,
  type RollbarItem,
  type RollbarRequestRecord,
} from './rollbar.js';
export {
  startXRayApiServer,
  type XRayApiServer,
  type XRayApiServerOptions,
  type XRayApiCall,
  type XRayApiFaultKind,
  type XRayApiRequestRecord,
  type ReceivedTraceSegment,
  type UnprocessedTraceSegment,
  type SamplingRule,
  type SamplingRuleInput,
  type SamplingRuleRecord,
  type SamplingStatisticsDocument,
  type SamplingTargetDocument,
  type SamplingTargetsSource,
} from './xray-api.js';
export {
  startImdsServer,
  IMDS_PATHS,
  type ImdsServer,
  type ImdsServerOptions,
  type ImdsMode,
  type ImdsRequestRecord,
  type InstanceIdentityDocument,
} from './imds.js';
export {
  startEcsMetadataServer,
  type EcsMetadataServer,
  type EcsMetadataServerOptions,
  type EcsMetadataMode,
  type EcsMetadataRequestRecord,
  type EcsContainerMetadata,
  type EcsContainerNetwork,
  type EcsLogOptions,
  type EcsTaskMetadata,
} from './ecs-metadata.js';
export {
  startOtlpSink,
  OTLP_TRACES_PATH,
  OTLP_DEFAULT_MAX_BODY_BYTES,
  type OtlpSink,
  type OtlpSinkOptions,
  type OtlpFaultKind,
  type OtlpFailOptions,
  type OtlpRequestRecord,
} from './otlp-sink.js';
export {
  decodeTraceRequest,
  decodeRpcStatus,
  OtlpDecodeError,
  type OtlpSpan,
  type OtlpSpanEvent,
  type OtlpSpanLink,
  type OtlpAttributeValue,
  type OtlpAttributeType,
  type OtlpEncoding,
  type OtlpPartialSuccess,
  type RpcStatus,
} from './otlp-spans.js';
export { createSigV4Verifier, type SigV4VerifierOptions, type SignedRequest, type SigV4Verdict } from './sigv4-verifier.js';
export { startDynalite, type DynaliteHandle, type DynaliteOptions } from './dynalite.js';
export { startRedisServer, redisServerBinary, redisServerMissing, type RedisServerHandle } from './redis-server.js';
export { freePort, acceptsConnections } from './ports.js';
export type { HttpFakeHandle, ListenOptions } from './http-json.js';
export type { CountOrPredicate } from './wait.js';
