/**
 * @packageDocumentation
 * Helpers for asserting on traces in your own tests: a tracer that samples everything into memory,
 * and functions that put streamed documents back together.
 */
import type { SegmentDocument, SubsegmentDocument } from '../core/document.js';
import { InMemoryEmitter } from '../core/emit/memory-emitter.js';
import { Tracer } from '../core/tracer.js';
import type { TracerOptions } from '../core/tracer-options.js';

export { InMemoryEmitter, type EmittedDocument } from '../core/emit/memory-emitter.js';

/** Rules that sample every request: for tests. */
export const SAMPLE_EVERYTHING = Object.freeze({ version: 2 as const, rules: [], default: { fixed_target: 0, rate: 1 } });

/**
 * A tracer that samples every request and keeps documents in memory. Options override the
 * defaults (the environment is not read, so tests do not depend on the machine).
 */
export function createTestTracer(options: TracerOptions = {}): { tracer: Tracer; emitter: InMemoryEmitter } {
  const emitter = new InMemoryEmitter();
  const tracer = new Tracer({ samplingRules: SAMPLE_EVERYTHING, logLevel: 'silent', emitter, ...options }, {});
  return { tracer, emitter: (options.emitter as InMemoryEmitter | undefined) ?? emitter };
}

/** Every subsegment in a document's tree, depth first. */
export function flattenSubsegments(doc: SegmentDocument | SubsegmentDocument): SubsegmentDocument[] {
  const out: SubsegmentDocument[] = [];
  const walk = (d: SegmentDocument | SubsegmentDocument): void => {
    for (const child of d.subsegments ?? []) {
      out.push(child);
      walk(child);
    }
  };
  walk(doc);
  return out;
}

/**
 * Puts streamed documents back together: each independent subsegment is nested under the entity
 * its `parent_id` names (a later complete document replaces an earlier in-progress one). Returns
 * the segments, each with its full tree; subsegments whose parent never arrived are returned in
 * `orphans`.
 */
export function assembleSegments(documents: ReadonlyArray<SegmentDocument | SubsegmentDocument>): {
  segments: SegmentDocument[];
  orphans: SubsegmentDocument[];
} {
  const copies = documents.map((d) => structuredClone(d));
  const byId = new Map<string, SegmentDocument | SubsegmentDocument>();
  const index = (d: SegmentDocument | SubsegmentDocument): void => {
    byId.set(d.id, d);
    for (const c of d.subsegments ?? []) index(c);
  };
  const segments: SegmentDocument[] = [];
  const independents: SubsegmentDocument[] = [];
  for (const d of copies) {
    if ((d as SubsegmentDocument).type === 'subsegment') independents.push(d as SubsegmentDocument);
    else segments.push(d as SegmentDocument);
  }
  for (const s of segments) index(s);
  for (const s of independents) index(s);
  const orphans: SubsegmentDocument[] = [];
  for (const sub of independents) {
    const parent = sub.parent_id !== undefined ? byId.get(sub.parent_id) : undefined;
    if (!parent) {
      orphans.push(sub);
      continue;
    }
    const siblings = (parent.subsegments ??= []);
    const existing = siblings.findIndex((s) => s.id === sub.id);
    const { type: _type, parent_id: _parent, trace_id: _trace, ...embedded } = sub;
    if (existing >= 0) siblings[existing] = embedded;
    else siblings.push(embedded);
  }
  return { segments, orphans };
}
