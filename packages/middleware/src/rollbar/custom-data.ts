import { scrubValue } from '../core/scrub.js';
import type { RollbarPerson } from './types.js';

// Rollbar's client takes any argument with one of these keys for the request, and `level` or
// `skipFrames` in custom data as settings; user data with those names is renamed to stay data.
const RESERVED = new Set(['headers', 'protocol', 'url', 'method', 'body', 'route', 'level', 'skipFrames']);

/** Where the person travels when there is no request object to carry it (see liftPerson). */
export const PERSON_KEY = 'cruddur_person';

/** Custom data for an item: the user's (scrubbed, reserved names prefixed) plus the trace fields. */
export function customData(user: Record<string, unknown> | undefined, trace: object | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (user) {
    const clean = scrubValue(user) as Record<string, unknown>;
    for (const [key, value] of Object.entries(clean)) out[RESERVED.has(key) ? `custom_${key}` : key] = value;
  }
  if (trace) Object.assign(out, trace);
  return out;
}

/**
 * Moves a person carried in custom data to the item's `person` (Rollbar copies custom keys to
 * the top of the item too, so both copies go).
 */
export function liftPerson(data: Record<string, unknown>): void {
  const custom = data.custom as Record<string, unknown> | undefined;
  const person = custom?.[PERSON_KEY] as RollbarPerson | undefined;
  if (person === undefined) return;
  delete custom![PERSON_KEY];
  delete data[PERSON_KEY];
  if (data.person === undefined) data.person = person;
}
