import type { SqlDocument, SubsegmentDocument } from './document.js';
import { numberText } from './number-text.js';
import { Entity, stringifyShared } from './entity.js';
import { brandClass } from './process-global.js';
import type { Segment } from './segment.js';

/** Namespaces the X-Ray receiver accepts: `aws` for AWS SDK calls, `remote` for other downstream calls. */
export type SubsegmentNamespace = 'aws' | 'remote';

/** A unit of work inside a segment: a downstream call or a block of code. */
export class Subsegment extends Entity {
  /** The entity this subsegment was opened under. */
  readonly parent: Entity;
  readonly #segment: Segment;
  /** `aws` or `remote` for downstream calls; absent for local work. */
  namespace: SubsegmentNamespace | undefined;
  /** True when the callee is itself traced (outgoing HTTP to an instrumented service). */
  traced: boolean | undefined;
  /** Ids of siblings that completed before this one started. */
  precursorIds: string[] | undefined;
  /** The `sql` block. */
  sql: SqlDocument | undefined;
  /** Set once its complete form was sent as an independent document. */
  sent = false;

  /** @param startTime - epoch seconds; now by default (bridged spans may start earlier). */
  constructor(name: string, parent: Entity, namespace?: SubsegmentNamespace, startTime?: number) {
    super(name, startTime);
    this.parent = parent;
    this.#segment = parent.segment;
    this.namespace = namespace;
    parent.attach(this);
    this.#segment.openSubsegments++;
    this.#segment.attachedSubsegments++;
  }

  /** {@inheritDoc Entity.segment} */
  override get segment(): Segment {
    return this.#segment;
  }

  /** Adds the id of an earlier-completed sibling. */
  addPrecursorId(id: string): void {
    (this.precursorIds ??= []).push(id);
  }

  /** {@inheritDoc Entity.close} */
  override close(error?: unknown, endTime?: number): void {
    if (error !== undefined) this.addError(error);
    if (!this.markEnd(endTime)) return;
    this.#segment.openSubsegments--;
    this.#segment.host.subsegmentClosed(this);
  }

  /** The embedded form as JSON text: the same content as `JSON.stringify(this.toJSON())`, faster. */
  toJsonText(): string {
    return `{${this.#headJson()}${this.commonJson()}}`;
  }

  /** The independent form as JSON text. */
  toIndependentJsonText(): string {
    return `{${this.#headJson()}${this.commonJson()},"type":"subsegment","parent_id":"${this.parent.id}","trace_id":"${this.traceId}"}`;
  }

  #headJson(): string {
    let out = `"id":"${this.id}","name":${JSON.stringify(this.name)},"start_time":${numberText(this.startTime)}`;
    if (this.namespace) out += `,"namespace":"${this.namespace}"`;
    if (this.traced !== undefined) out += `,"traced":${this.traced}`;
    if (this.precursorIds) out += `,"precursor_ids":${JSON.stringify(this.precursorIds)}`;
    if (this.sql) out += `,"sql":${stringifyShared(this.sql)}`;
    return out;
  }

  /** The embedded form (inside a parent's `subsegments`). */
  toJSON(): SubsegmentDocument {
    const doc: SubsegmentDocument = { id: this.id, name: this.name, start_time: this.startTime };
    if (this.namespace) doc.namespace = this.namespace;
    if (this.traced !== undefined) doc.traced = this.traced;
    if (this.precursorIds) doc.precursor_ids = this.precursorIds;
    if (this.sql) doc.sql = this.sql;
    this.writeCommon(doc);
    return doc;
  }

  /** The independent form, sent in its own datagram: adds `type`, `parent_id` and `trace_id`. */
  toIndependentDocument(): SubsegmentDocument {
    const doc = this.toJSON();
    doc.type = 'subsegment';
    doc.parent_id = this.parent.id;
    doc.trace_id = this.traceId;
    return doc;
  }
}

// `instanceof Subsegment` holds for the subsegments of both builds of the package (process-global.ts).
brandClass(Subsegment, 'Subsegment.v1');
