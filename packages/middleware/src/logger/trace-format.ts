import winston from 'winston';
import { currentEntity } from '../core/context.js';

/**
 * A winston format that adds `trace_id`, `segment_id` (the current segment or subsegment) and
 * `sampled` from the running request. Outside a request the fields are left out entirely; an
 * entry that already names a trace (the access log does) keeps its own.
 */
export const traceFields = winston.format((info) => {
  if (info.trace_id !== undefined) return info;
  const entity = currentEntity();
  if (!entity) return info;
  info.trace_id = entity.traceId;
  info.segment_id = entity.id;
  info.sampled = entity.sampled;
  return info;
});
