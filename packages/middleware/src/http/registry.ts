import type { Entity } from '../core/entity.js';
import type { HttpInstrumentationOptions } from './types.js';

// Every live instrumentHttp() call is one registration. The channels are subscribed once, however
// many there are, so installing twice never records a call twice.
const registrations: HttpInstrumentationOptions[] = [];

/** Adds a registration; returns how many there are now. */
export function addRegistration(registration: HttpInstrumentationOptions): number {
  registrations.push(registration);
  return registrations.length;
}

/** Removes a registration; returns how many are left. */
export function removeRegistration(registration: HttpInstrumentationOptions): number {
  const i = registrations.indexOf(registration);
  if (i >= 0) registrations.splice(i, 1);
  return registrations.length;
}

/**
 * Whether a call made under `entity` is recorded: some registration must accept the entity's
 * tracer, and none that accepts it may ignore the URL. `url` is built only when an `ignore`
 * function needs it.
 */
export function shouldTrace(entity: Entity, url: () => URL): boolean {
  let accepted = false;
  for (const registration of registrations) {
    if (registration.tracer !== undefined && registration.tracer !== entity.segment.host) continue;
    accepted = true;
    const ignore = registration.ignore;
    if (ignore !== undefined && callIgnore(ignore, url(), entity)) return false;
  }
  return accepted;
}

function callIgnore(ignore: (url: URL) => boolean, url: URL, entity: Entity): boolean {
  try {
    return ignore(url) === true;
  } catch (err) {
    entity.segment.host.diagnostics.once('warn', 'http-ignore', `the http ignore function threw (${String(err)}); the call is traced`);
    return false;
  }
}
