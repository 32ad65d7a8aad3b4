// One process, one trace context, however many copies of this package it loads: an application
// can `require()` one subpath (the CJS build) and `import` another (the ESM build), or a
// dependency can bring its own copy. Each copy has its own module-level variables, so the state
// that must be unique — the context store, the default tracer, the outgoing-HTTP registrations,
// the memory of recorded errors — lives on `globalThis` under a registered symbol instead, as
// `@opentelemetry/api` does. The first copy to load creates it, every later copy uses it.
//
// Each key ends in a version (`.v1`): the shape stored under it never changes. A change that later
// copies could not read gets a new key, so an incompatible major keeps state of its own.

const PREFIX = 'cruddur.middleware.';

/**
 * The process-wide value stored under `Symbol.for('cruddur.middleware.' + key)`, created by
 * `create` if no copy of the package made it yet. `key` names the state and its version, e.g.
 * `context.v1`.
 */
export function processGlobal<T extends object>(key: string, create: () => T): T {
  const symbol = Symbol.for(PREFIX + key);
  const holder = globalThis as unknown as Record<symbol, T | undefined>;
  const existing = holder[symbol];
  if (existing !== undefined) return existing;
  const value = create();
  // Not enumerable (it is nobody's business), not replaceable (a second value would split the process).
  Object.defineProperty(globalThis, symbol, { value, enumerable: false, writable: false, configurable: false });
  return value;
}

/**
 * Makes `value instanceof ctor` true for instances made by any copy of the package (the ESM and
 * CJS builds have distinct classes of the same name): instances carry the registered brand
 * `cruddur.middleware.<name>` on their prototype, and `instanceof` checks it. Subclasses keep the
 * ordinary prototype-chain check. `name` includes a version, like {@link processGlobal}'s keys.
 */
export function brandClass(ctor: abstract new (...args: never[]) => object, name: string): void {
  const brand = Symbol.for(PREFIX + name);
  Object.defineProperty(ctor.prototype, brand, { value: true, enumerable: false, writable: false, configurable: false });
  Object.defineProperty(ctor, Symbol.hasInstance, {
    value(this: unknown, value: unknown): boolean {
      if (this !== ctor) return Function.prototype[Symbol.hasInstance].call(this, value);
      return value !== null && (typeof value === 'object' || typeof value === 'function') && (value as Record<symbol, unknown>)[brand] === true;
    },
    enumerable: false,
    writable: false,
    configurable: false,
  });
}
