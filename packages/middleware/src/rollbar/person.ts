import { processGlobal } from '../core/process-global.js';
import type { Segment } from '../core/segment.js';
import type { RollbarPerson } from './types.js';

// Per request: the person lives as long as the request's segment, and no longer. One map for the
// process, so a person set through one build of the package is seen by a reporter of the other.
const people = processGlobal('rollbar-people.v1', () => new WeakMap<Segment, RollbarPerson>());

/** Remembers the person of the request `segment` belongs to. */
export function setPersonFor(segment: Segment, person: RollbarPerson): void {
  people.set(segment, { ...person });
}

/** The person set for the request, else one made from the segment's `user`. */
export function personFor(segment: Segment | undefined): RollbarPerson | undefined {
  if (!segment) return undefined;
  const set = people.get(segment);
  if (set) return set;
  return segment.user !== undefined ? { id: segment.user } : undefined;
}
