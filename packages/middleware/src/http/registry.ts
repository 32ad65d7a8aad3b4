import type { Entity } from '../core/entity.js';
import { processGlobal } from '../core/process-global.js';
import type { Switch } from './subscriptions.js';
import type { HttpInstrumentationOptions } from './types.js';

/** The outgoing-HTTP state of the process. */
interface HttpState {
  /** Every live instrumentHttp() call is one registration. */
  readonly registrations: HttpInstrumentationOptions[];
  /** The channel subscriptions of the first copy of the package that installed any. */
  tracing: Switch | undefined;
}

// The channels are subscribed once, however many registrations there are, so installing twice
// never records a call twice — also when one installation comes from the ESM build and the other
// from the CJS build (process-global.ts): the first build's subscriptions serve both.
const state = processGlobal<HttpState>('http.v1', () => ({ registrations: [], tracing: undefined }));

/**
 * Adds a registration; the first one turns `tracing` on (or the subscriptions another copy of the
 * package installed earlier, which then serve this copy too).
 */
export function addRegistration(registration: HttpInstrumentationOptions, tracing: Switch): void {
  const active = (state.tracing ??= tracing);
  state.registrations.push(registration);
  if (state.registrations.length === 1) active.on();
}

/** Removes a registration; the last one turns the subscriptions off. */
export function removeRegistration(registration: HttpInstrumentationOptions): void {
  const registrations = state.registrations;
  const i = registrations.indexOf(registration);
  if (i < 0) return;
  registrations.splice(i, 1);
  if (registrations.length === 0) state.tracing?.off();
}

/**
 * Whether a call made under `entity` is recorded: some registration must accept the entity's
 * tracer, and none that accepts it may ignore the URL. `url` is built only when an `ignore`
 * function needs it.
 */
export function shouldTrace(entity: Entity, url: () => URL): boolean {
  let accepted = false;
  for (const registration of state.registrations) {
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
