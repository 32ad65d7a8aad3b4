import { ROOT_CONTEXT, trace, type Context, type Span } from '@opentelemetry/api';
import type { Entity } from '../core/entity.js';
import type { BridgeConfig } from './options.js';
import { BridgeSpan, PassThroughSpan } from './span.js';

/** What the context manager and the tracers of one registration share. */
export class BridgeState {
  /** Replaced as a whole by a later `registerOtelBridge()` call. */
  config: BridgeConfig;
  // The view span of an entity and the context holding it are made once per entity: `active()`
  // runs for every span an instrumentation starts and for every `getActiveSpan()`, and a view
  // keeps state (a final OK status, the event count). They are kept on the entity itself, under a
  // key of this registration, not in a WeakMap: a WeakMap entry per request keeps the request's
  // whole tree alive through young-generation collections (V8 treats the entries as strong
  // until a full collection), which cost more than all the rest of a bridged span.
  readonly #viewKey: symbol = Symbol('otel-bridge view');
  readonly getConfig = (): BridgeConfig => this.config;

  constructor(config: BridgeConfig) {
    this.config = config;
  }

  /**
   * The span of an entity our own code made current (middleware, `capture()`, `tracer.run()`): a
   * view of it. Spans the bridge opens are not kept here: they travel in the OTel contexts the
   * instrumentations enter.
   */
  spanFor(entity: Entity): BridgeSpan {
    return trace.getSpan(this.contextFor(entity)) as BridgeSpan;
  }

  /** The OTel context whose active span is `entity`'s view. */
  contextFor(entity: Entity): Context {
    const holder = entity as Entity & { [key: symbol]: Context | undefined };
    let ctx = holder[this.#viewKey];
    if (ctx === undefined) {
      ctx = trace.setSpan(ROOT_CONTEXT, new BridgeSpan(entity, false, undefined, entity.name, this.getConfig));
      holder[this.#viewKey] = ctx;
    }
    return ctx;
  }
}

/** The entity a context's span stands for, if it is one of the bridge's spans. */
export function entityOfSpan(span: Span | undefined): Entity | undefined {
  return span instanceof BridgeSpan || span instanceof PassThroughSpan ? span.entity : undefined;
}
