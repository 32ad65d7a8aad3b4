import type { ClientRequest, IncomingMessage } from 'node:http';
import { currentEntity } from '../core/context.js';
import type { Subsegment } from '../core/subsegment.js';
import { propagationFields, propagatorsOf } from '../propagation/propagator.js';
import { requestFunctionsSwitch } from './node-http-patch.js';
import { beginOutgoing, parseContentLength, recordFailure, recordResponse, reportInstrumentationError } from './outgoing.js';
import { channelSwitch, Subscriptions, type Switch } from './subscriptions.js';
import { targetFromHostHeader } from './target.js';

// node:http channels. `http.client.request.created` (Node.js 22.12 / 23.2 and later) is published
// at the end of the ClientRequest constructor, in the caller's context and before any header is
// written: the one place a header can be added. Node.js 20 only has `http.client.request.start`,
// published from end() once the headers are already serialised, so there the request functions
// are wrapped instead (node-http-patch.ts). Responses and errors come from channels on every
// version: listening to the request's `response` or `error` events would change what the caller's
// code sees (an unread response is no longer dumped; an unhandled error no longer throws).
const CREATED = 'http.client.request.created';
const RESPONSE = 'http.client.response.finish';
const ERROR = 'http.client.request.error';

interface NodeCall {
  subsegment: Subsegment;
  response: IncomingMessage | undefined;
  failed: boolean;
  closed: boolean;
}

const calls = new WeakMap<ClientRequest, NodeCall>();

/** Opens a subsegment for a request just created and adds the trace header to it. */
export function traceClientRequest(request: ClientRequest): void {
  const entity = currentEntity();
  if (!entity) return;
  try {
    // Headers already serialised (an array of raw headers, `Expect`) cannot be added to any more.
    if (request.headersSent || calls.has(request)) return;
    // The caller's own trace headers win: a call that already carries one is left alone.
    for (const name of propagationFields(propagatorsOf(entity))) if (request.getHeader(name) !== undefined) return;
    const hostHeader = request.getHeader('host');
    const target = targetFromHostHeader(request.protocol, request.host, typeof hostHeader === 'string' ? hostHeader : undefined);
    const call = beginOutgoing(entity, target, request.method, request.path);
    if (!call) return;
    try {
      for (const [name, value] of call.headers) request.setHeader(name, value);
    } finally {
      if (call.subsegment) {
        calls.set(request, { subsegment: call.subsegment, response: undefined, failed: false, closed: false });
        nodeHttpSubscriptions.opened();
        request.once('close', onRequestClose);
      }
    }
  } catch (err) {
    reportInstrumentationError(entity, 'node:http request', err);
  }
}

function onCreated(message: unknown): void {
  traceClientRequest((message as { request: ClientRequest }).request);
}

function onResponse(message: unknown): void {
  const { request, response } = message as { request: ClientRequest; response: IncomingMessage };
  const call = calls.get(request);
  if (!call || call.response) return;
  call.response = response;
  try {
    recordResponse(call.subsegment, response.statusCode ?? 0, parseContentLength(response.headers['content-length']));
    // 'end' does not switch the response into flowing mode; an unread body still is the caller's.
    response.once('end', () => finish(call));
  } catch (err) {
    reportInstrumentationError(call.subsegment, RESPONSE, err);
  }
}

function onError(message: unknown): void {
  const { request, error } = message as { request: ClientRequest; error: unknown };
  const call = calls.get(request);
  if (!call || call.closed || call.failed) return;
  call.failed = true;
  recordFailure(call.subsegment, error);
}

// 'close' always comes last: after the response ended, after an error, or after an abort. It
// closes whatever is still open, and names the failure when no error was published (a destroy()
// without an error, or a Node.js without the error channel).
function onRequestClose(this: ClientRequest): void {
  const call = calls.get(this);
  if (!call || call.closed) return;
  if (!call.failed) {
    if (!call.response) recordFailure(call.subsegment, new Error('the request closed before a response arrived'));
    else if (!call.response.complete) recordFailure(call.subsegment, new Error('the response was cut off'));
  }
  finish(call);
}

function finish(call: NodeCall): void {
  if (call.closed) return;
  call.closed = true;
  call.subsegment.close();
  nodeHttpSubscriptions.closed();
}

/** Whether this Node.js publishes `http.client.request.created` (22.12+, 23.2+). */
export function hasCreatedChannel(version: string = process.versions.node): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 23 || (major === 23 && minor >= 2) || (major === 22 && minor >= 12);
}

const entry: Switch = hasCreatedChannel() ? channelSwitch(CREATED, onCreated) : requestFunctionsSwitch(traceClientRequest);

/** Traces node:http and node:https requests while on. */
export const nodeHttpSubscriptions = new Subscriptions(entry, [
  [RESPONSE, onResponse],
  [ERROR, onError],
]);
