import type { Entity } from '../core/entity.js';
import { Subsegment } from '../core/subsegment.js';

/** The trace fields every Rollbar item carries in `custom`. */
export interface TraceData {
  trace_id: string;
  segment_id: string;
  subsegment_id?: string;
  sampled: boolean;
  /** The trace in the X-Ray console (only when the region is known). */
  xray_trace_url?: string;
}

/** The X-Ray console page of one trace. */
export function xrayTraceUrl(region: string, traceId: string): string {
  const r = encodeURIComponent(region);
  return `https://${r}.console.aws.amazon.com/cloudwatch/home?region=${r}#xray:traces/${encodeURIComponent(traceId)}`;
}

/** Trace fields for an item reported from `entity`. */
export function traceData(entity: Entity, region: string | undefined): TraceData {
  const data: TraceData = { trace_id: entity.traceId, segment_id: entity.segment.id, sampled: entity.sampled };
  if (entity instanceof Subsegment) data.subsegment_id = entity.id;
  if (region !== undefined) data.xray_trace_url = xrayTraceUrl(region, entity.traceId);
  return data;
}
