import { ROOT_CONTEXT, trace, type Context, type ContextManager } from '@opentelemetry/api';
import { currentEntityOrFrame, isFrame, runWithFrame } from '../core/context.js';
import { entityOfSpan, type BridgeState } from './state.js';

/**
 * An OTel `ContextManager` over the package's one AsyncLocalStorage store, so OTel code and the
 * package's integrations see the same current entity.
 *
 * The store holds our entity. An OTel `Context` is an immutable map that may carry more than a
 * span (baggage, suppression flags, RPC metadata instrumentations keep there), so `with(ctx)`
 * stores a small frame: the entity of `ctx`'s span plus `ctx` itself (core/context.ts). Reading
 * back, `active()` returns that very `ctx`; when our own code entered an entity inside the frame
 * (`capture()`), the frame keeps the OTel values and `active()` returns them with that entity's
 * span. Where the store holds a bare entity (our middleware, `capture()` outside any OTel frame),
 * `active()` is a context holding just the entity's span, made once per entity. A side map keyed
 * by entity could not do this: one entity is current in many OTel contexts at once.
 */
export class BridgeContextManager implements ContextManager {
  readonly #state: BridgeState;

  constructor(state: BridgeState) {
    this.#state = state;
  }

  active(): Context {
    const stored = currentEntityOrFrame();
    if (stored === undefined) return ROOT_CONTEXT;
    if (!isFrame(stored)) return this.#state.contextFor(stored);
    const ctx = stored.values as Context;
    const entity = stored.entity;
    if (entityOfSpan(trace.getSpan(ctx)) === entity) return ctx;
    return entity === undefined ? trace.deleteSpan(ctx) : trace.setSpan(ctx, this.#state.spanFor(entity));
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(context: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    const entity = entityOfSpan(trace.getSpan(context));
    return runWithFrame(entity, context, () => fn.apply(thisArg, args));
  }

  /** Binds functions to `context`; other targets (event emitters) are returned unchanged. */
  bind<T>(context: Context, target: T): T {
    if (typeof target !== 'function') return target;
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the bound function keeps its own `this`
    const manager = this;
    const fn = target as unknown as (...args: unknown[]) => unknown;
    const bound = function (this: unknown, ...args: unknown[]): unknown {
      return manager.with(context, () => fn.apply(this, args));
    };
    return bound as unknown as T;
  }

  enable(): this {
    return this;
  }

  disable(): this {
    return this;
  }
}
