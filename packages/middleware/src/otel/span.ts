import {
  SpanKind,
  SpanStatusCode,
  createTraceState,
  type Attributes,
  type AttributeValue,
  type Exception,
  type HrTime,
  type Link,
  type Span,
  type SpanContext,
  type SpanStatus,
  type TimeInput,
} from '@opentelemetry/api';
import type { Entity } from '../core/entity.js';
import { Segment } from '../core/segment.js';
import type { Subsegment } from '../core/subsegment.js';
import type { BridgeConfig } from './options.js';
import { applyAttributes, mergeMetadata, NAMING_KEYS, subsegmentName } from './span-to-subsegment.js';

const MAX_EVENTS = 32;

/** Epoch seconds from an OTel time: epoch ms, `performance.now()` ms, `[s, ns]` or a Date. */
export function toEpochSeconds(time: TimeInput): number {
  if (typeof time === 'number') return (time < performance.timeOrigin ? time + performance.timeOrigin : time) / 1000;
  if (time instanceof Date) return time.getTime() / 1000;
  const hr = time as HrTime;
  return hr[0] + hr[1] / 1e9;
}

/** The W3C form of an X-Ray trace id (version and dashes dropped); entities only hold valid ids. */
function w3cTraceId(xrayTraceId: string): string {
  return xrayTraceId.slice(2, 10) + xrayTraceId.slice(11);
}

/** The span context of an entity: its trace and id, its sampling decision, its segment's tracestate. */
export function spanContextOf(entity: Entity): SpanContext {
  const segment = entity.segment;
  const ctx: SpanContext = { traceId: w3cTraceId(entity.traceId), spanId: entity.id, traceFlags: segment.isSampled ? 1 : 0, isRemote: false };
  if (segment.traceState) ctx.traceState = createTraceState(segment.traceState);
  return ctx;
}

/**
 * A copy that later keys can be added to cheaply. Not `{ ...attributes }`: on Node 20 (V8 11) a
 * spread copy gets a map of its own, so each key added later goes through the runtime and every
 * span's attributes end up with a different map, which makes each lookup in the mapping slow
 * (measured: 2.9 µs against 0.2 µs for seven keys and sixteen lookups).
 */
function copyOf(attributes: Attributes): Attributes {
  return Object.assign({}, attributes);
}

/** Which span kind an existing entity reads as: server for segments, client for downstream calls. */
function kindOfEntity(entity: Entity, isSegment: boolean): SpanKind {
  if (isSegment) return SpanKind.SERVER;
  return (entity as Subsegment).namespace ? SpanKind.CLIENT : SpanKind.INTERNAL;
}

/**
 * An OTel span backed by a segment or subsegment. Two kinds:
 * - owned: opened by the bridge for a span an instrumentation started. Attributes are buffered
 *   (an instrumentation often sets the same keys again) and mapped once, at `end()`, which closes
 *   the entity.
 * - a view of an entity the package's own integrations opened (`trace.getActiveSpan()` inside a
 *   request or `capture()`): every call lands on the entity at once, and `end()` does nothing —
 *   the integration that opened the entity closes it.
 */
export class BridgeSpan implements Span {
  /** The segment or subsegment this span records into. */
  readonly entity: Entity;
  readonly #owned: boolean;
  readonly #kind: SpanKind;
  readonly #config: () => BridgeConfig;
  // Known once, so the hot path needs no cross-build `instanceof` (process-global.ts).
  readonly #isSegment: boolean;
  #name: string;
  #attributes: Attributes | undefined;
  // The name or a naming attribute changed after the start: the subsegment's name is worked out again at `end()`.
  #renameDue = false;
  #status: SpanStatus | undefined;
  #ended = false;
  #context: SpanContext | undefined;
  #events: number = 0;

  /** @param attributes - the start attributes of an owned span (copied), which its entity was named after. */
  constructor(entity: Entity, owned: boolean, kind: SpanKind | undefined, name: string, config: () => BridgeConfig, attributes?: Attributes) {
    this.entity = entity;
    this.#owned = owned;
    this.#isSegment = entity instanceof Segment;
    this.#kind = kind ?? kindOfEntity(entity, this.#isSegment);
    this.#name = name;
    this.#config = config;
    if (owned && attributes !== undefined && entity.sampled) this.#attributes = copyOf(attributes);
  }

  spanContext(): SpanContext {
    return (this.#context ??= spanContextOf(this.entity));
  }

  setAttribute(key: string, value: AttributeValue): this {
    if (!this.isRecording() || value === undefined || value === null) return this;
    if (this.#owned) {
      (this.#attributes ??= {})[key] = value;
      if (NAMING_KEYS.has(key)) this.#renameDue = true;
    } else applyAttributes(this.entity, this.#kind, { [key]: value }, this.#config(), this.#isSegment, false);
    return this;
  }

  setAttributes(attributes: Attributes): this {
    if (!this.isRecording()) return this;
    if (this.#owned) {
      this.#attributes = this.#attributes ? Object.assign(this.#attributes, attributes) : copyOf(attributes);
      if (!this.#renameDue) for (const key in attributes) if (NAMING_KEYS.has(key)) this.#renameDue = true;
    } else applyAttributes(this.entity, this.#kind, attributes, this.#config(), this.#isSegment, false);
    return this;
  }

  /** Non-exception events go to metadata (`<namespace>.events`, at most 32 per span). */
  addEvent(name: string, attributesOrTime?: Attributes | TimeInput, time?: TimeInput): this {
    if (!this.isRecording() || this.#events >= MAX_EVENTS) return this;
    this.#events++;
    const isTime = attributesOrTime !== undefined && (typeof attributesOrTime === 'number' || Array.isArray(attributesOrTime) || attributesOrTime instanceof Date);
    const at = toEpochSeconds((isTime ? (attributesOrTime as TimeInput) : time) ?? Date.now());
    const event: Record<string, unknown> = { name, time: at };
    if (!isTime && attributesOrTime !== undefined) event['attributes'] = attributesOrTime;
    const namespace = this.#config().metadataNamespace;
    const existing = this.entity.metadata?.[namespace]?.['events'];
    mergeMetadata(this.entity, namespace, { events: [...(Array.isArray(existing) ? existing : []), event] });
    return this;
  }

  // Links have no X-Ray equivalent: they are not recorded.
  addLink(_link: Link): this {
    return this;
  }

  addLinks(_links: Link[]): this {
    return this;
  }

  setStatus(status: SpanStatus): this {
    if (!this.isRecording()) return this;
    // OK is final (the API's rule); UNSET never replaces a status.
    if (this.#status?.code === SpanStatusCode.OK || status.code === SpanStatusCode.UNSET) return this;
    this.#status = status;
    if (!this.#owned) this.#applyStatus();
    return this;
  }

  updateName(name: string): this {
    if (this.#owned && !this.#ended) {
      this.#name = name;
      this.#renameDue = true;
    }
    return this;
  }

  /**
   * Records the exception as the entity's cause (once per error object and trace, as
   * `Entity.addError` does). It does not set `fault` by itself: the span's status decides.
   */
  recordException(exception: Exception, _time?: TimeInput): void {
    if (!this.isRecording()) return;
    this.entity.addError(typeof exception === 'string' ? { name: 'Error', message: exception } : exception, {
      fault: false,
      remote: this.#kind === SpanKind.CLIENT || this.#kind === SpanKind.PRODUCER,
    });
  }

  end(endTime?: TimeInput): void {
    if (!this.#owned || this.#ended) return;
    this.#ended = true;
    const entity = this.entity;
    if (entity.sampled) {
      const config = this.#config();
      if (this.#renameDue && !this.#isSegment) {
        // Attributes set after the start (an instrumentation may add `peer.service` late) can rename it.
        const name = subsegmentName(this.#name, this.#attributes ?? {});
        if (name !== entity.name) (entity as { name: string }).name = name;
      }
      if (this.#attributes) applyAttributes(entity, this.#kind, this.#attributes, config, this.#isSegment, true);
      this.#applyStatus();
    }
    entity.close(undefined, endTime === undefined ? undefined : toEpochSeconds(endTime));
  }

  isRecording(): boolean {
    return !this.#ended && this.entity.sampled && !this.entity.isClosed;
  }

  // ERROR is a fault, unless an HTTP status already classified the failure (4xx error, 429
  // throttle, 5xx fault: Entity.applyStatus), as for the package's own subsegments. The status
  // message becomes the cause when no exception was recorded.
  #applyStatus(): void {
    const status = this.#status;
    if (status?.code !== SpanStatusCode.ERROR) return;
    const entity = this.entity;
    const httpStatus = entity.http?.response?.status;
    if (httpStatus === undefined || httpStatus < 400) entity.fault = true;
    if (entity.cause === undefined && status.message) entity.addError({ name: 'Error', message: status.message }, { fault: false });
  }
}

/**
 * The span an instrumentation gets when its scope is deferred to the package's own integration
 * (or the context is missing): records nothing, but carries the current entity, so the context the
 * instrumentation enters keeps that entity current and our integration records the call under it.
 */
export class PassThroughSpan implements Span {
  readonly entity: Entity | undefined;
  readonly #context: SpanContext;

  constructor(entity: Entity | undefined, context: SpanContext) {
    this.entity = entity;
    this.#context = context;
  }

  spanContext(): SpanContext {
    return this.#context;
  }
  setAttribute(): this {
    return this;
  }
  setAttributes(): this {
    return this;
  }
  addEvent(): this {
    return this;
  }
  addLink(): this {
    return this;
  }
  addLinks(): this {
    return this;
  }
  setStatus(): this {
    return this;
  }
  updateName(): this {
    return this;
  }
  end(): void {}
  isRecording(): boolean {
    return false;
  }
  recordException(): void {}
}
