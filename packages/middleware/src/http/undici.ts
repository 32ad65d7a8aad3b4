import { currentEntity } from '../core/context.js';
import type { Subsegment } from '../core/subsegment.js';
import { propagationFields, propagatorsOf } from '../propagation/propagator.js';
import { beginOutgoing, parseContentLength, recordFailure, recordResponse, reportInstrumentationError } from './outgoing.js';
import { channelSwitch, Subscriptions } from './subscriptions.js';
import { targetFromOrigin } from './target.js';

// The channels undici (the global fetch, and the undici package) publishes on. `create` runs
// synchronously where the request is dispatched, so the caller's AsyncLocalStorage context is
// current there; the others are matched to it through the request object.
const CREATE = 'undici:request:create';
const HEADERS = 'undici:request:headers';
const TRAILERS = 'undici:request:trailers';
const ERROR = 'undici:request:error';

/** The parts of undici's request object this module uses (stable across undici 5 to 7). */
interface UndiciRequest {
  origin?: unknown;
  method?: unknown;
  path?: unknown;
  /** undici 6+: `[name, value, name, value, …]`; undici 5: `"name: value\r\n…"`. */
  headers?: unknown;
  addHeader(name: string, value: string): unknown;
}

interface UndiciResponse {
  statusCode: number;
  /** Raw `[name, value, …]`, as Buffers or strings. */
  headers?: ReadonlyArray<Buffer | string>;
}

const calls = new WeakMap<object, Subsegment>();

function onCreate(message: unknown): void {
  const entity = currentEntity();
  if (!entity) return;
  try {
    const request = (message as { request: UndiciRequest }).request;
    if (hasAnyHeader(request.headers, propagationFields(propagatorsOf(entity)))) return; // the caller's own headers win
    const target = targetFromOrigin(String(request.origin));
    if (!target) return;
    const method = typeof request.method === 'string' ? request.method : 'GET';
    const path = typeof request.path === 'string' ? request.path : '/';
    const call = beginOutgoing(entity, target, method, path);
    if (!call) return;
    try {
      for (const [name, value] of call.headers) request.addHeader(name, value);
    } finally {
      // Tracked even if the header could not be added, so the subsegment still gets closed.
      if (call.subsegment) {
        calls.set(request, call.subsegment);
        undiciSubscriptions.opened();
      }
    }
  } catch (err) {
    reportInstrumentationError(entity, CREATE, err);
  }
}

function onHeaders(message: unknown): void {
  const { request, response } = message as { request: object; response: UndiciResponse };
  const subsegment = calls.get(request);
  if (!subsegment || response.statusCode < 200) return; // 1xx are interim answers
  try {
    recordResponse(subsegment, response.statusCode, contentLength(response.headers));
  } catch (err) {
    reportInstrumentationError(subsegment, HEADERS, err);
  }
}

function onTrailers(message: unknown): void {
  const { request } = message as { request: object };
  const subsegment = calls.get(request);
  if (!subsegment) return;
  calls.delete(request);
  subsegment.close();
  undiciSubscriptions.closed();
}

function onError(message: unknown): void {
  const { request, error } = message as { request: object; error: unknown };
  const subsegment = calls.get(request);
  if (!subsegment) return;
  calls.delete(request);
  try {
    recordFailure(subsegment, error);
  } finally {
    subsegment.close();
    undiciSubscriptions.closed();
  }
}

// `names` are lower-case.
function hasAnyHeader(headers: unknown, names: readonly string[]): boolean {
  if (names.length === 0) return false;
  if (Array.isArray(headers)) {
    for (let i = 0; i < headers.length; i += 2) {
      const name: unknown = headers[i];
      if (typeof name === 'string' && names.includes(name.toLowerCase())) return true;
    }
    return false;
  }
  if (typeof headers !== 'string') return false;
  // undici 5: "name: value\r\n…" — compare the names of its lines.
  for (const line of headers.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && names.includes(line.slice(0, colon).trim().toLowerCase())) return true;
  }
  return false;
}

function contentLength(headers: ReadonlyArray<Buffer | string> | undefined): number | undefined {
  if (!headers) return undefined;
  for (let i = 0; i + 1 < headers.length; i += 2) {
    const name = headers[i] as Buffer | string;
    // Compare the length first: most headers are skipped without turning a Buffer into a string.
    if (name.length === 14 && name.toString().toLowerCase() === 'content-length') return parseContentLength(String(headers[i + 1]));
  }
  return undefined;
}

/** Traces fetch and undici calls while on. */
export const undiciSubscriptions = new Subscriptions(channelSwitch(CREATE, onCreate), [
  [HEADERS, onHeaders],
  [TRAILERS, onTrailers],
  [ERROR, onError],
]);
