import { AsyncLocalStorage } from 'node:async_hooks';
import type { Entity } from './entity.js';
import { processGlobal } from './process-global.js';

/**
 * What the store holds when a foreign context API (the OpenTelemetry bridge) entered a context
 * that carries more than an entity: the entity (or none) plus that API's own immutable context
 * object, kept opaque here. Frames are recognised by a registered symbol, not by class, so a frame
 * made by one build of the package is read by the other (process-global.ts).
 */
export interface ContextFrame {
  readonly [FRAME]: true;
  /** The current entity inside this frame, if any. */
  readonly entity: Entity | undefined;
  /** The foreign context (e.g. an OpenTelemetry `Context`), returned as it was entered. */
  readonly values: object;
}

/** The brand of a {@link ContextFrame}. */
export const FRAME: unique symbol = Symbol.for('cruddur.middleware.context-frame.v1') as never;

type Stored = Entity | ContextFrame;

// One store for the whole process: every integration (logger, outgoing HTTP, AWS SDK) reads the
// current entity from here without knowing which tracer made it; the entity knows its tracer.
// Shared by the ESM and CJS builds (process-global.ts), so `capture()` imported from one finds
// the request that the other's middleware began. It holds an entity, or a frame wrapping one
// (v2: v1 held entities only, so a copy that knows no frames gets a store of its own).
const { storage } = processGlobal('context.v2', () => ({ storage: new AsyncLocalStorage<Stored>() }));
// Whether any copy of the package has entered a frame yet. Until one has (no OpenTelemetry bridge
// in use), no store holds a frame and `runWithEntity` skips reading the store it replaces.
const frames = processGlobal('context-frames.v1', () => ({ entered: false }));

/** Whether what the store holds is a {@link ContextFrame} (else it is an entity). */
export function isFrame(value: Entity | ContextFrame): value is ContextFrame {
  return (value as Partial<ContextFrame>)[FRAME] === true;
}

/** The segment or subsegment of the code that is running now, if any. */
export function currentEntity(): Entity | undefined {
  const stored = storage.getStore();
  return stored === undefined || !isFrame(stored) ? stored : stored.entity;
}

/**
 * Runs `fn` with `entity` as the current entity; everything it starts (awaits, timers, emitters)
 * inherits it. Inside a frame the frame's foreign values stay visible (with the new entity).
 */
export function runWithEntity<T>(entity: Entity, fn: () => T): T {
  if (!frames.entered) return storage.run(entity, fn);
  const stored = storage.getStore();
  if (stored !== undefined && isFrame(stored)) return storage.run({ [FRAME]: true, entity, values: stored.values }, fn);
  return storage.run(entity, fn);
}

/** What the store holds: the current entity, the frame a foreign context API entered, or nothing (one read). */
export function currentEntityOrFrame(): Entity | ContextFrame | undefined {
  return storage.getStore();
}

/** Runs `fn` inside a frame: `entity` current (or none) and `values` visible to the API that made them. */
export function runWithFrame<T>(entity: Entity | undefined, values: object, fn: () => T): T {
  frames.entered = true;
  return storage.run({ [FRAME]: true, entity, values }, fn);
}

/**
 * Runs `fn` with no current entity, so nothing it starts is traced or carries a trace header: for
 * the package's own traffic (log uploads, error reports, sampling polls), which must not show up
 * as calls of the request that happened to trigger it.
 */
export function runUntraced<T>(fn: () => T): T {
  return storage.exit(fn);
}
