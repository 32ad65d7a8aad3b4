// Public API of @cruddur/trace-viewer. Everything else under src/ is internal.

export {
  startTraceViewer,
  DEFAULT_HOST,
  DEFAULT_HTTP_PORT,
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
export type {
  JsonObject,
  JsonValue,
  MalformedReason,
  MalformedSample,
  NodeHttp,
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
