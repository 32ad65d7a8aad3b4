import { AsyncLocalStorage } from 'node:async_hooks';
import type { Entity } from './entity.js';
import { processGlobal } from './process-global.js';

// One store for the whole process: every integration (logger, outgoing HTTP, AWS SDK) reads the
// current entity from here without knowing which tracer made it; the entity knows its tracer.
// Shared by the ESM and CJS builds (process-global.ts), so `capture()` imported from one finds
// the request that the other's middleware began.
const { storage } = processGlobal('context.v1', () => ({ storage: new AsyncLocalStorage<Entity>() }));

/** The segment or subsegment of the code that is running now, if any. */
export function currentEntity(): Entity | undefined {
  return storage.getStore();
}

/** Runs `fn` with `entity` as the current entity; everything it starts (awaits, timers, emitters) inherits it. */
export function runWithEntity<T>(entity: Entity, fn: () => T): T {
  return storage.run(entity, fn);
}

/**
 * Runs `fn` with no current entity, so nothing it starts is traced or carries a trace header: for
 * the package's own traffic (log uploads, error reports, sampling polls), which must not show up
 * as calls of the request that happened to trigger it.
 */
export function runUntraced<T>(fn: () => T): T {
  return storage.exit(fn);
}
