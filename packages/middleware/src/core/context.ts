import { AsyncLocalStorage } from 'node:async_hooks';
import type { Entity } from './entity.js';

// One store for the whole process: every integration (logger, outgoing HTTP, AWS SDK) reads the
// current entity from here without knowing which tracer made it; the entity knows its tracer.
const storage = new AsyncLocalStorage<Entity>();

/** The segment or subsegment of the code that is running now, if any. */
export function currentEntity(): Entity | undefined {
  return storage.getStore();
}

/** Runs `fn` with `entity` as the current entity; everything it starts (awaits, timers, emitters) inherits it. */
export function runWithEntity<T>(entity: Entity, fn: () => T): T {
  return storage.run(entity, fn);
}
