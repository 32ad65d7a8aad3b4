/**
 * The composite propagator: reads one trace context from the headers of an incoming request
 * (`X-Amzn-Trace-Id` and/or W3C `traceparent` + `tracestate`) and writes the headers of an
 * outgoing call, for the formats a tracer is configured with.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Entity } from '../core/entity.js';
import { parseTraceHeader, TRACE_HEADER, TRACE_HEADER_LOWER, type SampledFlag, type TraceHeader } from '../core/trace-header.js';
import { traceHeaderFor } from '../core/tracer.js';
import { DEFAULT_PROPAGATORS, type PropagatorName } from './config.js';
import { w3cToXrayTraceId, xrayToW3cTraceId } from './trace-id.js';
import { formatTraceparent, parseTraceparent, TRACEPARENT_HEADER, type Traceparent } from './traceparent.js';
import { formatTracestate, parseTracestate, TRACESTATE_HEADER } from './tracestate.js';

/** One header to send: name and value. */
export type HeaderPair = readonly [name: string, value: string];

/** The trace context of an incoming request. */
export interface ExtractedTraceContext {
  /**
   * The context to continue, in X-Ray terms: `root` and `parent` from the header that won (a W3C
   * trace id mapped to `1-<8>-<24>`), `sampled` as the caller decided it, and the `Lineage` and
   * extra pairs of `X-Amzn-Trace-Id` (forwarded whichever header won). What
   * `Tracer.decide` and `Tracer.beginSegment` take.
   */
  header: TraceHeader;
  /** The format that supplied the trace id; undefined when the request starts a new trace. */
  source: PropagatorName | undefined;
  /** The caller's `tracestate`, validated and truncated, when the trace continues the caller's `traceparent` trace. */
  traceState: string | undefined;
  /** `X-Amzn-Trace-Id` carried `Sampled=?`: the caller wants the decision in the response. */
  answerRequested: boolean;
}

const NO_HEADER: TraceHeader = Object.freeze({ extra: Object.freeze([]) as ReadonlyArray<readonly [string, string]> });
const NEW_TRACE: ExtractedTraceContext = Object.freeze({ header: NO_HEADER, source: undefined, traceState: undefined, answerRequested: false });

/**
 * Extracts one trace context from incoming headers (Node's lower-cased `IncomingHttpHeaders`).
 * Never throws. The rule, in order:
 *
 * 1. A valid `traceparent` wins over an `X-Amzn-Trace-Id` without a usable `Parent` — absent,
 *    invalid, or `Root` only. An Application Load Balancer adds `Root=` (no `Parent`) to every
 *    request it forwards without one, so a root without a parent says "a load balancer saw this",
 *    not "this is the caller's context"; the OpenTelemetry X-Ray propagator ignores such a header
 *    too.
 * 2. Both carry a parent and the same trace id (a caller that sends both, as this package does):
 *    `X-Amzn-Trace-Id` is used — same trace, and its `Parent` was written by an X-Ray-aware hop,
 *    whose segment X-Ray has. Its `Sampled=1|0` decides; when it says `?` or nothing, the
 *    `traceparent` flag decides (the caller did decide, in W3C form), and `tracestate` is kept.
 * 3. Both carry a parent but different trace ids: the propagator listed first in `propagators`
 *    wins entirely (the default lists `xray` first). `tracestate` is kept only if `traceparent`
 *    won: it belongs to that trace.
 * 4. Otherwise whichever header is valid; a valid `Root` without `Parent` (and no `traceparent`)
 *    is continued as today.
 *
 * When `traceparent` wins, its flags decide sampling (`01` sampled, `00` not), as OpenTelemetry's
 * default ParentBased sampler honours the caller's flag. A `Sampled=?` is answered in any case.
 * Formats not in `propagators` are not read at all.
 */
export function extractTraceContext(headers: IncomingHttpHeaders, propagators: ReadonlyArray<PropagatorName> = DEFAULT_PROPAGATORS): ExtractedTraceContext {
  const xrayValue = propagators.includes('xray') ? headers[TRACE_HEADER_LOWER] : undefined;
  const traceparentValue = propagators.includes('tracecontext') ? headers[TRACEPARENT_HEADER] : undefined;
  // Most requests carry no trace context: one shared answer, nothing parsed or allocated.
  if (xrayValue === undefined && traceparentValue === undefined) return NEW_TRACE;
  const xray = xrayValue === undefined ? NO_HEADER : parseTraceHeader(xrayValue);
  const parent = traceparentValue === undefined ? undefined : parseTraceparent(traceparentValue);
  const answerRequested = xray.sampled === '?';
  const w3cRoot = parent ? w3cToXrayTraceId(parent.traceId) : undefined;
  const xrayHasParent = xray.root !== undefined && xray.parent !== undefined;

  let source: PropagatorName | undefined;
  if (parent && !xrayHasParent) source = 'tracecontext';
  else if (parent && xray.root === w3cRoot) source = 'xray';
  else if (parent) source = firstOf(propagators);
  else if (xray.root !== undefined) source = 'xray';

  const base: TraceHeader = { extra: xray.extra };
  if (xray.lineage !== undefined) base.lineage = xray.lineage;
  if (xray.self !== undefined) base.self = xray.self;
  if (source === 'tracecontext' && parent) {
    return { header: { ...base, root: w3cRoot, parent: parent.parentId, sampled: flagOf(parent) }, source, traceState: traceStateOf(headers), answerRequested };
  }
  if (source === 'xray') {
    const header: TraceHeader = { ...base, root: xray.root };
    if (xray.parent !== undefined) header.parent = xray.parent;
    const sameTrace = parent !== undefined && xray.root === w3cRoot;
    const sampled = xray.sampled === '1' || xray.sampled === '0' || !sameTrace ? xray.sampled : flagOf(parent);
    if (sampled !== undefined) header.sampled = sampled;
    return { header, source, traceState: sameTrace ? traceStateOf(headers) : undefined, answerRequested };
  }
  // A new trace: an upstream Sampled=1|0|? without a valid root still counts, as it always did.
  const header: TraceHeader = { ...base };
  if (xray.sampled !== undefined) header.sampled = xray.sampled;
  return { header, source: undefined, traceState: undefined, answerRequested };
}

/**
 * The headers for a call made from `entity` (usually the call's own subsegment), for each
 * configured propagator: `X-Amzn-Trace-Id: Root=…;Parent=<entity id>;Sampled=1|0` (plus Lineage
 * and extra pairs), and `traceparent: 00-<trace id>-<entity id>-01|00` with the segment's
 * `tracestate` when it has one. A trace id that has no W3C form gets no `traceparent`.
 * @param propagators - defaults to those of the tracer that made the entity's segment.
 */
export function traceContextHeaders(entity: Entity, propagators: ReadonlyArray<PropagatorName> = propagatorsOf(entity)): HeaderPair[] {
  const out: HeaderPair[] = [];
  for (const name of propagators) {
    if (name === 'xray') {
      out.push([TRACE_HEADER, traceHeaderFor(entity)]);
      continue;
    }
    const traceId = xrayToW3cTraceId(entity.traceId);
    const value = traceId !== undefined ? formatTraceparent({ traceId, parentId: entity.id, sampled: entity.segment.isSampled }) : undefined;
    if (value === undefined) continue;
    out.push([TRACEPARENT_HEADER, value]);
    const state = entity.segment.traceState;
    if (state !== undefined) out.push([TRACESTATE_HEADER, state]);
  }
  return out;
}

/**
 * The lower-case header names the configured propagators write. When a caller already set one of
 * them on a request, the call is left alone: the caller's own context wins.
 */
export function propagationFields(propagators: ReadonlyArray<PropagatorName>): string[] {
  const out: string[] = [];
  for (const name of propagators) {
    if (name === 'xray') out.push(TRACE_HEADER_LOWER);
    else out.push(TRACEPARENT_HEADER, TRACESTATE_HEADER);
  }
  return out;
}

/** The propagators of the tracer that made `entity`'s segment (the default for other hosts). */
export function propagatorsOf(entity: Entity): ReadonlyArray<PropagatorName> {
  return entity.segment.host.propagators ?? DEFAULT_PROPAGATORS;
}

function firstOf(propagators: ReadonlyArray<PropagatorName>): PropagatorName {
  for (const name of propagators) if (name === 'xray' || name === 'tracecontext') return name;
  return 'xray';
}

function flagOf(parent: Traceparent): SampledFlag {
  return parent.sampled ? '1' : '0';
}

function traceStateOf(headers: IncomingHttpHeaders): string | undefined {
  return formatTracestate(parseTracestate(headers[TRACESTATE_HEADER]));
}
