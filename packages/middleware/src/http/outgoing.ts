import type { Entity } from '../core/entity.js';
import { Subsegment } from '../core/subsegment.js';
import { Tracer } from '../core/tracer.js';
import { traceContextHeaders, type HeaderPair } from '../propagation/propagator.js';
import { shouldTrace } from './registry.js';
import { recordedUrl, type OutgoingTarget } from './target.js';

/** A call that will carry trace headers; `subsegment` is absent when the trace is not sampled. */
export interface OutgoingCall {
  /** The headers to add: `X-Amzn-Trace-Id`, `traceparent` and `tracestate`, as the tracer's propagators say. */
  headers: HeaderPair[];
  subsegment: Subsegment | undefined;
}

/**
 * Decides what to do with a call made under `entity` (the current entity when the request was
 * created) and opens its `remote` subsegment. Undefined means "leave the call alone": the call is
 * part of an AWS SDK operation (already recorded and carrying its header), goes to the daemon's
 * sampling proxy or the X-Ray API, or is not accepted by any installation.
 */
export function beginOutgoing(entity: Entity, target: OutgoingTarget, method: string, path: string): OutgoingCall | undefined {
  if (entity instanceof Subsegment && entity.namespace === 'aws') return undefined;
  if (isTracingTraffic(entity, target)) return undefined;
  if (!shouldTrace(entity, () => fullUrl(target, path))) return undefined;
  // Unsampled: nothing is recorded, but the callee must learn the decision, so the header goes out.
  if (!entity.sampled) return { headers: traceContextHeaders(entity), subsegment: undefined };
  const subsegment = new Subsegment(target.hostname, entity, 'remote');
  subsegment.setHttpRequest({ method, url: recordedUrl(target, path) });
  // The callee receives our header, so X-Ray may expect its segment under this subsegment; the
  // receiver reads `traced` only at the top level (xray-wire §10).
  subsegment.traced = true;
  return { headers: traceContextHeaders(subsegment), subsegment };
}

function fullUrl(target: OutgoingTarget, path: string): URL {
  // Through an HTTP proxy the path is already absolute.
  return path.startsWith('/') ? new URL(`${target.protocol}//${target.host}${path}`) : new URL(path);
}

// The package's own traffic must not be recorded as calls of the request that happened to trigger
// it, and uploading traces must never produce more trace data: calls to the tracer's daemon
// (centralized sampling) and to the X-Ray API are left alone. The package's other own calls run
// under runUntraced() and never reach this point.
function isTracingTraffic(entity: Entity, target: OutgoingTarget): boolean {
  const name = target.hostname;
  if (name.startsWith('xray.') && (name.endsWith('.amazonaws.com') || name.endsWith('.amazonaws.com.cn'))) return true;
  const host = entity.segment.host;
  if (!(host instanceof Tracer)) return false;
  const proxy = host.daemonAddress.tcp;
  return proxy.port === target.port && proxy.host === name;
}

/** Records the response status and length; flags follow the status (429, 4xx, 5xx). */
export function recordResponse(subsegment: Subsegment, status: number, contentLength: number | undefined): void {
  subsegment.setHttpResponse(status, contentLength);
}

// Errors that mean the request never reached the callee, so no downstream segment will exist.
const UNDELIVERED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/** Records a failed call: a fault with a remote cause (connection refused, timeout, abort, reset). */
export function recordFailure(subsegment: Subsegment, error: unknown): void {
  const code = error !== null && typeof error === 'object' ? (error as { code?: unknown }).code : undefined;
  if (typeof code === 'string' && UNDELIVERED.has(code)) subsegment.traced = undefined;
  subsegment.addError(error, { remote: true });
}

/** Parses a `Content-Length` value; undefined when absent or not a non-negative integer. */
export function parseContentLength(value: unknown): number | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > 15) return undefined;
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** Reports a failure of the instrumentation itself, once per kind: the call goes on untouched. */
export function reportInstrumentationError(entity: Entity, where: string, error: unknown): void {
  entity.segment.host.diagnostics.once('error', `http-instrumentation:${where}`, `outgoing HTTP instrumentation failed in ${where}: ${String(error)}`);
}
