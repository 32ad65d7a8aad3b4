// Public API of @cruddur/trace-viewer. Everything else under src/ is internal.

export {
  startTraceViewer,
  DEFAULT_HOST,
  DEFAULT_HTTP_PORT,
  DEFAULT_OTLP_PORT,
  DEFAULT_UDP_PORT,
  type TraceViewer,
  type TraceViewerOptions,
  type OutputStream,
} from './viewer.js';
export {
  TraceStore,
  summaryOf,
  type TraceStoreOptions,
  type StoreEvent,
  type TracePredicate,
  type WaitForTraceOptions,
  type AddResult,
} from './store.js';
export { parseFilter, matchesFilter, FilterSyntaxError, type FilterContext, type FilterExpr, type FilterValue, type CompareOp, type NodeSelector, type FilterScope } from './filter/index.js';
export { GroupStore, GroupError, DEFAULT_GROUP, type Group } from './groups.js';
export { selectTraces, compileQuery, type TraceQuery } from './query.js';
export { buildServiceGraph, type ServiceGraph, type ServiceGraphNode, type ServiceGraphEdge } from './graph/service-graph.js';
export { buildRedTable, collapsePath, DEFAULT_MAX_ROUTES, type RedRow, type RedTable } from './graph/red.js';
export type { GraphStats, HistogramBucket } from './graph/stats.js';
export { traceFacts, type TraceFacts, type GraphNodeRef, type CallFacts, type RootCause } from './graph/trace-facts.js';
export { handleXRayCall, XRAY_API_PATHS, type XRayApiDeps } from './xray-api/operations.js';
export { XRayApiError } from './xray-api/errors.js';
export { renderTraceTree, type RenderOptions } from './terminal.js';
export {
  parseDatagram,
  MAX_DATAGRAM_BYTES,
  MAX_NESTING,
  type DatagramResult,
  type ParsedDocument,
  type RejectedDatagram,
} from './datagram.js';
export { buildTree, type BuiltTree, type TreeInput } from './tree.js';
export { parseHostPort, type HostPort } from './forwarder.js';
export { DEFAULT_MAX_BODY_BYTES as DEFAULT_OTLP_MAX_BODY_BYTES, TRACES_PATH as OTLP_TRACES_PATH } from './otlp-receiver.js';
export { decodeJsonTraces, decodeProtobufTraces, OtlpDecodeError } from './otlp-decode.js';
export { spanToSegment, toXRayTraceId, type MappedSpan } from './span-to-segment.js';
export { documentsFromTraces, type BatchDocuments } from './otlp-documents.js';
export type { DecodedTraces, OtlpAttributes, OtlpEvent, OtlpLink, OtlpResourceSpans, OtlpSpan } from './otlp-model.js';
export type {
  JsonObject,
  JsonValue,
  MalformedReason,
  MalformedSample,
  NodeHttp,
  OtlpRefusal,
  OtlpStats,
  SegmentDocument,
  ServiceMap,
  ServiceMapEdge,
  ServiceMapNode,
  StoreStats,
  Trace,
  TraceNode,
  TraceSummary,
  ViewerStats,
} from './types.js';
