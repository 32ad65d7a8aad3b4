import { ROOT_CONTEXT, trace, type Context, type Span } from '@opentelemetry/api';
import type { Entity } from '../core/entity.js';
import type { BridgeConfig } from './options.js';
import { BridgeSpan, PassThroughSpan } from './span.js';

/** What the context manager and the tracers of one registration share. */
export class BridgeState {
  /** Replaced as a whole by a later `registerOtelBridge()` call. */
  config: BridgeConfig;
  // The span of each entity and the context holding it, made once per entity: `active()` runs
  // for every span an instrumentation starts and for every `getActiveSpan()`.
  readonly #spans = new WeakMap<Entity, BridgeSpan>();
  readonly #contexts = new WeakMap<Entity, Context>();
  readonly getConfig = (): BridgeConfig => this.config;

  constructor(config: BridgeConfig) {
    this.config = config;
  }

  /**
   * The span of an entity our own code made current (middleware, `capture()`, `tracer.run()`): a
   * view of it. Spans the bridge opens are not kept here — they travel in the OTel contexts the
   * instrumentations enter, and a weak-map entry per span costs more garbage collection than the
   * rest of the span.
   */
  spanFor(entity: Entity): BridgeSpan {
    let span = this.#spans.get(entity);
    if (span === undefined) {
      span = new BridgeSpan(entity, false, undefined, entity.name, this.getConfig);
      this.#spans.set(entity, span);
    }
    return span;
  }

  /** The OTel context whose active span is `entity`'s. */
  contextFor(entity: Entity): Context {
    let ctx = this.#contexts.get(entity);
    if (ctx === undefined) {
      ctx = trace.setSpan(ROOT_CONTEXT, this.spanFor(entity));
      this.#contexts.set(entity, ctx);
    }
    return ctx;
  }
}

/** The entity a context's span stands for, if it is one of the bridge's spans. */
export function entityOfSpan(span: Span | undefined): Entity | undefined {
  return span instanceof BridgeSpan || span instanceof PassThroughSpan ? span.entity : undefined;
}
