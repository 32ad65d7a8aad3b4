import { MAX_ANNOTATIONS } from './attributes.js';
import type { AwsDocument, JsonValue, SegmentDocument } from './document.js';
import { Entity, stringifyShared, type EntityHost } from './entity.js';
import { newTraceId } from './ids.js';
import { numberText } from './number-text.js';
import { normaliseTracestate } from '../propagation/tracestate.js';
import { brandClass } from './process-global.js';

/** How a segment starts. */
export interface SegmentInit {
  /** Segment name (sanitised). */
  name: string;
  /** Continue this trace; a new id is made when absent. */
  traceId?: string;
  /** The caller's segment or subsegment id. */
  parentId?: string;
  /** Unsampled segments carry ids for propagation and logs but are never emitted. */
  sampled?: boolean;
  /** Epoch seconds; now by default. */
  startTime?: number;
  /** The caller's W3C `tracestate` (re-validated here), forwarded on outgoing calls. */
  traceState?: string;
}

/** The `service` block of a segment. */
export type ServiceDocument = NonNullable<SegmentDocument['service']>;

/** The work one service does for one request: the root of a tree of subsegments. */
export class Segment extends Entity {
  /** The X-Ray trace id. */
  readonly #traceId: string;
  /** The upstream caller's entity id. */
  readonly parentId: string | undefined;
  /** Whether the segment will be emitted. */
  readonly isSampled: boolean;
  /** The tracer plumbing (diagnostics, emit pipeline). */
  readonly host: EntityHost;
  /** The `service` block. */
  service: ServiceDocument | undefined;
  /** The end user, indexed for `user = "…"` filters. */
  user: string | undefined;
  /** `AWS::EC2::Instance` and friends. */
  origin: string | undefined;
  /** Set once the segment document went to the emitter; later closes stream out on their own. */
  emitted = false;
  /** Subsegments opened and not yet closed, anywhere in the tree. */
  openSubsegments = 0;
  /** Subsegments currently attached anywhere in the tree (streaming input). */
  attachedSubsegments = 0;
  /** Lineage and extra header pairs the request arrived with, forwarded on outgoing calls. */
  forward: { lineage: string | undefined; extra: ReadonlyArray<readonly [string, string]> } | undefined;
  /**
   * The W3C `tracestate` the request arrived with (valid members only, in order, at most 32 and
   * 512 characters), when the segment continues the caller's `traceparent` trace. It is forwarded
   * unchanged with `traceparent` on outgoing calls, and is what an OTLP exporter puts in the
   * span's `trace_state`. X-Ray segment documents have no field for it.
   */
  readonly traceState: string | undefined;
  #annotationCount = 0;

  constructor(init: SegmentInit, host: EntityHost) {
    super(init.name, init.startTime);
    this.#traceId = init.traceId ?? newTraceId(this.startTime);
    this.parentId = init.parentId;
    this.isSampled = init.sampled !== false;
    this.host = host;
    this.traceState = normaliseTracestate(init.traceState);
  }

  /** {@inheritDoc Entity.segment} */
  override get segment(): Segment {
    return this;
  }

  /** {@inheritDoc Entity.traceId} */
  override get traceId(): string {
    return this.#traceId;
  }

  /** Counts an annotation against the trace's limit; false when the limit is reached. */
  reserveAnnotation(): boolean {
    if (this.#annotationCount >= MAX_ANNOTATIONS) return false;
    this.#annotationCount++;
    return true;
  }

  /** Sets the end user (a string, at most 250 characters). */
  setUser(user: string): void {
    if (typeof user !== 'string' || user.length === 0) return;
    this.user = user.length > 250 ? user.slice(0, 250) : user;
  }

  /** Merges fields into the `aws` block (e.g. `cloudwatch_logs`, `ec2`, `xray`). */
  mergeAws(fields: Record<string, JsonValue | undefined>): void {
    this.aws = { ...(this.aws ?? {}), ...fields } as AwsDocument;
  }

  /** {@inheritDoc Entity.close} */
  override close(error?: unknown, endTime?: number): void {
    if (error !== undefined) this.addError(error);
    if (!this.markEnd(endTime)) return;
    this.host.segmentClosed(this);
  }

  /** The segment document as JSON text: the same content as `JSON.stringify(this.toJSON())`, faster. */
  toJsonText(): string {
    let out = `{"trace_id":"${this.#traceId}","id":"${this.id}","name":${JSON.stringify(this.name)},"start_time":${numberText(this.startTime)}`;
    if (this.parentId !== undefined) out += `,"parent_id":"${this.parentId}"`;
    if (this.service) out += `,"service":${stringifyShared(this.service)}`;
    if (this.user !== undefined) out += `,"user":${JSON.stringify(this.user)}`;
    if (this.origin !== undefined) out += `,"origin":${JSON.stringify(this.origin)}`;
    return out + this.commonJson() + '}';
  }

  /** The segment document (embedded subsegments included). */
  toJSON(): SegmentDocument {
    const doc: SegmentDocument = {
      trace_id: this.#traceId,
      id: this.id,
      name: this.name,
      start_time: this.startTime,
    };
    if (this.parentId !== undefined) doc.parent_id = this.parentId;
    if (this.service) doc.service = this.service;
    if (this.user !== undefined) doc.user = this.user;
    if (this.origin !== undefined) doc.origin = this.origin;
    this.writeCommon(doc);
    return doc;
  }
}

// `instanceof Segment` holds for the segments of both builds of the package (process-global.ts).
brandClass(Segment, 'Segment.v1');
