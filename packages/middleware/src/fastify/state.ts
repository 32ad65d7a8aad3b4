import type { FastifyReply } from 'fastify';
import { endIncomingResponse, wantsResponseDetails, type IncomingTrace } from '../core/incoming.js';

// Registered symbols, so the ESM and CJS builds of this package agree on where the state lives.
const TRACE = Symbol.for('@cruddur/middleware.fastify.trace');
const REPLY = Symbol.for('@cruddur/middleware.fastify.reply');

/** The raw Node response of a traced request, carrying the trace and the Fastify reply. */
interface TracedRawReply {
  [TRACE]?: IncomingTrace;
  [REPLY]?: FastifyReply;
  on(event: 'close', listener: (this: TracedRawReply) => void): unknown;
  readonly statusCode: number;
  readonly headersSent: boolean;
  readonly writableEnded: boolean;
}

/** The trace of the request `reply` answers, if it is traced. */
export function traceOf(reply: FastifyReply): IncomingTrace | undefined {
  return (reply.raw as unknown as TracedRawReply)[TRACE];
}

/**
 * Ties `trace` to the raw response and arranges for it to end when that closes. The raw `close`
 * event rather than the `onResponse`/`onRequestAbort` hooks: Node emits it after every response,
 * so one shared listener covers a finished response and every kind of abort, including a client
 * that leaves after its body was read, which `onRequestAbort` does not report.
 */
export function attachTrace(reply: FastifyReply, trace: IncomingTrace): void {
  const raw = reply.raw as unknown as TracedRawReply;
  raw[TRACE] = trace;
  raw[REPLY] = reply;
  raw.on('close', onRawClose);
}

function onRawClose(this: TracedRawReply): void {
  const trace = this[TRACE];
  if (trace === undefined || trace.ended) return;
  try {
    // Fastify keeps its headers on the reply until it writes them all at once, so the length is
    // read from there (it falls back to the raw response's own headers).
    endIncomingResponse(trace, this, wantsResponseDetails(trace) ? this[REPLY]?.getHeader('content-length') : undefined);
  } catch (err) {
    // An exception here would be an uncaught one in an event listener: report it, never throw.
    trace.segment.host.diagnostics.once('error', 'fastify:end', `could not end the request's segment: ${String(err)}`);
  }
}
