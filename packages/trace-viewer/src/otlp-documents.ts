// The spans of one export request → the documents the store keeps. A subsegment whose parent span
// came in the same request is embedded into it (as an X-Ray SDK would send it); one whose parent
// came earlier, or has yet to come, is sent on as an independent subsegment (`type:
// "subsegment"`, `trace_id`, `parent_id`), which the store already places under its parent
// whenever that arrives. Documents in the store are never edited after the fact.
import type { ParsedDocument } from './datagram.js';
import { MAX_NESTING } from './datagram.js';
import type { DecodedTraces } from './otlp-model.js';
import { spanToSegment, type MappedSpan } from './span-to-segment.js';

/** What {@link documentsFromTraces} produces. */
export interface BatchDocuments {
  documents: ParsedDocument[];
  /** Spans mapped (each one is a document or embedded in one). */
  spans: number;
  /** Spans the mapping failed on (never expected; counted as rejected rather than crashing). */
  failed: number;
  /** Spans whose trace id X-Ray itself would refuse for its age. */
  outsideXrayWindow: number;
}

function keyOf(traceId: string, spanId: string): string {
  return `${traceId}/${spanId}`;
}

/**
 * How many subsegment levels lie between `entry` and the top-level document it would be embedded
 * in; undefined when the chain of parents loops or is deeper than a datagram may nest.
 */
function embeddingDepth(entry: MappedSpan, byKey: ReadonlyMap<string, MappedSpan>): number | undefined {
  let current = entry;
  let depth = 0;
  for (;;) {
    if (current.kind !== 'subsegment' || current.parentSpanId === undefined) return depth;
    const parent = byKey.get(keyOf(current.traceId, current.parentSpanId));
    if (parent === undefined || parent === current) return depth;
    depth++;
    // A loop never reaches a top-level document; this bound also catches it.
    if (depth > MAX_NESTING) return undefined;
    current = parent;
  }
}

/** Maps every span of the request and nests subsegments whose parent is in the same request. */
export function documentsFromTraces(traces: DecodedTraces, nowSeconds: number = Date.now() / 1000): BatchDocuments {
  const mapped: MappedSpan[] = [];
  let failed = 0;
  for (const { resource, spans } of traces.resourceSpans) {
    for (const span of spans) {
      try {
        mapped.push(spanToSegment(span, resource, nowSeconds));
      } catch {
        failed++;
      }
    }
  }
  // The first span with an id is the one others nest in; a repeated id stays a document of its own
  // and the store keeps one of them.
  const byKey = new Map<string, MappedSpan>();
  for (const entry of mapped) {
    const key = keyOf(entry.traceId, entry.spanId);
    if (!byKey.has(key)) byKey.set(key, entry);
  }
  const topLevel: MappedSpan[] = [];
  for (const entry of mapped) {
    const isFirst = byKey.get(keyOf(entry.traceId, entry.spanId)) === entry;
    const depth = isFirst ? embeddingDepth(entry, byKey) : undefined;
    if (depth === undefined || depth === 0) {
      topLevel.push(entry);
      continue;
    }
    const parent = byKey.get(keyOf(entry.traceId, entry.parentSpanId!))!;
    // Embedded subsegments carry neither trace id nor type; their parent is the enclosing entity.
    // Edited in place, so children already nested in this entry stay with it.
    const child = entry.document;
    delete child['trace_id'];
    delete child['type'];
    delete child['parent_id'];
    const siblings = parent.document['subsegments'];
    if (Array.isArray(siblings)) siblings.push(child);
    else parent.document['subsegments'] = [child];
  }
  const documents: ParsedDocument[] = topLevel.map((entry) => ({
    ok: true,
    kind: entry.kind,
    traceId: entry.traceId,
    document: entry.document,
    bytes: Buffer.byteLength(JSON.stringify(entry.document)),
  }));
  return {
    documents,
    spans: mapped.length,
    failed,
    outsideXrayWindow: mapped.filter((entry) => entry.outsideXrayWindow).length,
  };
}
