import { scrubHeaders, scrubText, scrubUrl, scrubValue } from '../core/scrub.js';
import type { ReportedRequest, RollbarPerson } from './types.js';

// Deep enough for Rollbar's frame context lines (data.body.trace_chain[].frames[].context.pre[]).
const PAYLOAD_DEPTH = 20;

/**
 * The last step before an item leaves: the package's scrubbing policy over the whole payload,
 * replacing its content in place (the shape Rollbar's `transform` hook expects). Source lines
 * Rollbar attaches to frames and messages it copied are covered too.
 */
export function scrubPayloadInPlace(data: Record<string, unknown>): void {
  const clean = scrubValue(data, PAYLOAD_DEPTH) as Record<string, unknown>;
  for (const key of Object.keys(data)) delete data[key];
  Object.assign(data, clean);
}

/** What Rollbar's node client reads from a request object, already scrubbed. */
export interface RollbarRequestObject {
  method: string;
  url: string;
  headers: Record<string, string | string[]>;
  protocol?: string;
  ip?: string;
  route?: { path: string };
  rollbar_person?: RollbarPerson;
}

/** Builds the request object handed to Rollbar: headers and query scrubbed before Rollbar sees them. */
export function rollbarRequest(request: ReportedRequest, person: RollbarPerson | undefined): RollbarRequestObject {
  const out: RollbarRequestObject = { method: request.method, url: scrubUrl(request.url), headers: scrubHeaders(request.headers) };
  if (request.protocol !== undefined) out.protocol = request.protocol;
  if (request.ip !== undefined) out.ip = request.ip;
  if (request.route !== undefined) out.route = { path: request.route };
  if (person !== undefined) out.rollbar_person = { ...person };
  return out;
}

/**
 * A stand-in for `error` with its message and stack scrubbed (and its causes, a few deep), keeping
 * its prototype so the class name survives. Rollbar copies the raw error's message and stack
 * into the payload after every hook has run, so the error itself must be clean; other own fields
 * (an HTTP client's request config, say) are left behind on purpose.
 */
export function reportableError(error: unknown, depth = 0): Error {
  if (!(error instanceof Error)) {
    const message = typeof error === 'string' ? error : describeThrown(error);
    const wrapped = new Error(scrubText(message));
    wrapped.name = 'NonErrorThrown';
    return wrapped;
  }
  const copy = Object.create(Object.getPrototypeOf(error) as object) as Error & { cause?: unknown };
  Object.defineProperty(copy, 'name', { value: error.name, writable: true, configurable: true });
  copy.message = scrubText(String(error.message));
  if (typeof error.stack === 'string') copy.stack = scrubText(error.stack);
  const cause = (error as { cause?: unknown }).cause;
  if (cause !== undefined && depth < 5) copy.cause = reportableError(cause, depth + 1);
  return copy;
}

function describeThrown(value: unknown): string {
  try {
    return JSON.stringify(scrubValue(value)) ?? String(value);
  } catch {
    return String(value);
  }
}
