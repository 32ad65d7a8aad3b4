import { currentEntity } from './context.js';
import type { AnnotationValue } from './document.js';
import type { Entity } from './entity.js';
import { processGlobal } from './process-global.js';
import type { Segment } from './segment.js';
import { type Subsegment } from './subsegment.js';
import { Tracer, type SubsegmentOptions } from './tracer.js';

// Shared by every copy of the package (process-global.ts): the Express middleware of the CJS
// build and `capture()` of the ESM build must use the same default tracer.
const slot = processGlobal<{ tracer: Tracer | undefined }>('default-tracer.v1', () => ({ tracer: undefined }));

/**
 * The process-wide tracer, configured from the X-Ray environment variables on first use (so
 * importing the package opens no socket). Integrations use it unless given a tracer.
 */
export function getDefaultTracer(): Tracer {
  return (slot.tracer ??= new Tracer());
}

/** Replaces the process-wide tracer (e.g. with one from {@link createTracer} at start-up). */
export function setDefaultTracer(tracer: Tracer): void {
  slot.tracer = tracer;
}

// The functions below work on the current entity, whichever tracer made it; the default tracer
// only decides what happens when there is no current entity.
// `instanceof Tracer` also holds for a tracer of the package's other build (process-global.ts).
function tracerOf(entity: Entity | undefined): Tracer {
  const host = entity?.segment.host;
  return host instanceof Tracer ? host : getDefaultTracer();
}

/** Runs `fn` in a subsegment of the current request; see {@link Tracer.capture}. */
export function capture<T>(name: string, fn: (subsegment: Subsegment | undefined) => T, options?: SubsegmentOptions): T {
  return tracerOf(options?.parent ?? currentEntity()).capture(name, fn, options);
}

/** Opens a subsegment you close yourself; see {@link Tracer.beginSubsegment}. */
export function beginSubsegment(name: string, options?: SubsegmentOptions): Subsegment | undefined {
  return tracerOf(options?.parent ?? currentEntity()).beginSubsegment(name, options);
}

/** The current request's segment, or undefined (after the context-missing strategy) outside one. */
export function getCurrentSegment(): Segment | undefined {
  return tracerOf(currentEntity()).getCurrentSegment();
}

/** The current subsegment, when inside one. */
export function getCurrentSubsegment(): Subsegment | undefined {
  return tracerOf(currentEntity()).getCurrentSubsegment();
}

/** The current segment or subsegment. */
export function getCurrentEntity(): Entity | undefined {
  return tracerOf(currentEntity()).getCurrentEntity();
}

/** Adds an indexed annotation to the current entity. */
export function addAnnotation(key: string, value: AnnotationValue): boolean {
  return tracerOf(currentEntity()).addAnnotation(key, value);
}

/** Adds metadata to the current entity. */
export function addMetadata(key: string, value: unknown, namespace?: string): boolean {
  return tracerOf(currentEntity()).addMetadata(key, value, namespace);
}

/** Sets the end user on the current request's segment. */
export function setUser(user: string): void {
  tracerOf(currentEntity()).setUser(user);
}

/** The current trace id, without any context-missing diagnostics (for log lines and error pages). */
export function currentTraceId(): string | undefined {
  return currentEntity()?.traceId;
}
