// The rules a segment document must pass to be accepted by the X-Ray service and the
// OpenTelemetry collector's X-Ray receiver (shared/xray-wire.md sections 1 and 10), reduced to
// what the framework integrations produce. Returns one line per problem.
import type { SegmentDocument, SubsegmentDocument } from '../../src/index.js';

const ID = /^[0-9a-f]{16}$/;
const TRACE_ID = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;
/** X-Ray's allowed name characters. */
export const NAME = /^[\p{L}\p{N}\s_.:/%&#=+\\\-@]{1,200}$/u;
const ANNOTATION_KEY = /^[A-Za-z0-9_]+$/;

/** Problems of a top-level segment document (embedded subsegments included). */
export function segmentProblems(doc: SegmentDocument): string[] {
  const problems: string[] = [];
  if (!TRACE_ID.test(String(doc.trace_id))) problems.push(`trace_id ${String(doc.trace_id)}`);
  if (doc.parent_id !== undefined && !ID.test(doc.parent_id)) problems.push(`parent_id ${doc.parent_id}`);
  if (doc.http?.request?.url?.includes('?')) problems.push(`url with a query string: ${doc.http.request.url}`);
  const status = doc.http?.response?.status;
  if (status !== undefined && !Number.isInteger(status)) problems.push(`status ${String(status)}`);
  entityProblems(doc, 'segment', problems);
  return problems;
}

function entityProblems(doc: SegmentDocument | SubsegmentDocument, where: string, problems: string[]): void {
  if (!ID.test(String(doc.id))) problems.push(`${where}: id ${String(doc.id)}`);
  if (typeof doc.name !== 'string' || !NAME.test(doc.name)) problems.push(`${where}: name ${String(doc.name)}`);
  if (typeof doc.start_time !== 'number') problems.push(`${where}: start_time is not a number`);
  if (typeof doc.end_time !== 'number' || doc.end_time < doc.start_time) problems.push(`${where}: end_time ${String(doc.end_time)}`);
  if (doc.in_progress !== undefined) problems.push(`${where}: in_progress on a closed entity`);
  for (const [key, value] of Object.entries(doc.annotations ?? {})) {
    if (!ANNOTATION_KEY.test(key) || !['string', 'number', 'boolean'].includes(typeof value)) problems.push(`${where}: annotation ${key}`);
  }
  for (const [ns, value] of Object.entries(doc.metadata ?? {})) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) problems.push(`${where}: metadata ${ns} is not an object`);
  }
  const cause = doc.cause;
  if (typeof cause === 'string' && !ID.test(cause)) problems.push(`${where}: cause reference ${cause}`);
  if (cause !== undefined && typeof cause === 'object') {
    for (const e of cause.exceptions) {
      if (!ID.test(String(e.id)) || typeof e.message !== 'string' || typeof e.type !== 'string') problems.push(`${where}: exception ${JSON.stringify(e)}`);
    }
  }
  const namespace = (doc as SubsegmentDocument).namespace;
  if (namespace !== undefined && namespace !== 'aws' && namespace !== 'remote') problems.push(`${where}: namespace ${String(namespace)}`);
  for (const child of doc.subsegments ?? []) entityProblems(child, `${where} > ${child.name}`, problems);
}
