import {
  INVALID_SPAN_CONTEXT,
  SpanKind,
  context as contextApi,
  isSpanContextValid,
  trace,
  type Context,
  type Span,
  type SpanOptions,
  type Tracer as OtelTracer,
  type TracerProvider,
} from '@opentelemetry/api';
import { getDefaultTracer } from '../core/default-tracer.js';
import { Subsegment } from '../core/subsegment.js';
import type { TraceHeader } from '../core/trace-header.js';
import { BridgeSpan, PassThroughSpan, toEpochSeconds } from './span.js';
import { namespaceOf, subsegmentName } from './span-to-subsegment.js';
import { entityOfSpan, type BridgeState } from './state.js';

/** An OTel tracer (one per instrumentation scope) that opens segments and subsegments. */
export class BridgeTracer implements OtelTracer {
  readonly #state: BridgeState;
  readonly #scope: string;

  constructor(state: BridgeState, scope: string) {
    this.#state = state;
    this.#scope = scope;
  }

  startSpan(name: string, options: SpanOptions = {}, ctx: Context = contextApi.active()): Span {
    const state = this.#state;
    const config = state.config;
    const parentSpan = options.root ? undefined : trace.getSpan(ctx);
    const parent = entityOfSpan(parentSpan);
    if (config.deferred.has(this.#scope)) return new PassThroughSpan(parent, parentSpan?.spanContext() ?? INVALID_SPAN_CONTEXT);
    const kind = options.kind ?? SpanKind.INTERNAL;
    const attributes = options.attributes ?? {};
    const startTime = options.startTime === undefined ? undefined : toEpochSeconds(options.startTime);
    if (parent !== undefined) {
      const sub = new Subsegment(subsegmentName(name, attributes), parent, namespaceOf(kind, attributes), startTime);
      return new BridgeSpan(sub, true, kind, name, state.getConfig, options.attributes);
    }
    const remote = parentSpan?.spanContext();
    if (kind === SpanKind.SERVER || kind === SpanKind.CONSUMER) return this.#root(name, kind, options, remote, startTime);
    // No request to join: the context-missing strategy decides (log once, ignore, or throw).
    (config.tracer ?? getDefaultTracer()).contextMissing(`OpenTelemetry span "${name}" (${this.#scope})`);
    return new PassThroughSpan(undefined, remote ?? INVALID_SPAN_CONTEXT);
  }

  // A server or consumer span outside any request starts a segment, as OTel starts a root span:
  // it continues a remote parent (a propagated context), else the tracer's sampler decides.
  #root(name: string, kind: SpanKind, options: SpanOptions, remote: ReturnType<Span['spanContext']> | undefined, startTime: number | undefined): Span {
    const state = this.#state;
    const tracer = state.config.tracer ?? getDefaultTracer();
    const attributes = options.attributes ?? {};
    const valid = remote !== undefined && isSpanContextValid(remote);
    const header: TraceHeader = valid
      ? { root: `1-${remote.traceId.slice(0, 8)}-${remote.traceId.slice(8)}`, parent: remote.spanId, sampled: (remote.traceFlags & 1) === 1 ? '1' : '0', extra: [] }
      : { extra: [] };
    const segmentName = tracer.name ?? name;
    const method = attributes['http.request.method'] ?? attributes['http.method'];
    const path = attributes['url.path'] ?? attributes['http.target'];
    const host = attributes['server.address'] ?? attributes['http.host'];
    const decision = tracer.decide(header, {
      serviceName: segmentName,
      ...(typeof method === 'string' ? { method } : {}),
      ...(typeof path === 'string' ? { urlPath: path.split('?')[0] } : {}),
      ...(typeof host === 'string' ? { host } : {}),
    });
    const segment = tracer.beginSegment({
      name: segmentName,
      ...(header.root !== undefined ? { traceId: header.root, parentId: header.parent } : {}),
      sampled: decision.sampled,
      ...(decision.ruleName !== undefined ? { ruleName: decision.ruleName } : {}),
      ...(startTime !== undefined ? { startTime } : {}),
      ...(remote?.traceState ? { traceState: remote.traceState.serialize() } : {}),
    });
    const span = new BridgeSpan(segment, true, kind, name, state.getConfig);
    if (options.attributes) span.setAttributes(options.attributes);
    return span;
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, ctx: Context, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, a?: F | SpanOptions, b?: F | Context, c?: F): ReturnType<F> {
    let options: SpanOptions | undefined;
    let ctx: Context | undefined;
    let fn: F;
    if (typeof a === 'function') fn = a;
    else if (typeof b === 'function') {
      options = a;
      fn = b;
    } else {
      options = a;
      ctx = b;
      fn = c as F;
    }
    const parentCtx = ctx ?? contextApi.active();
    const span = this.startSpan(name, options, parentCtx);
    return contextApi.with(trace.setSpan(parentCtx, span), () => fn(span) as ReturnType<F>);
  }
}

/** The global OTel `TracerProvider` of the bridge: one {@link BridgeTracer} per instrumentation scope. */
export class BridgeTracerProvider implements TracerProvider {
  readonly #state: BridgeState;
  readonly #tracers = new Map<string, BridgeTracer>();

  constructor(state: BridgeState) {
    this.#state = state;
  }

  getTracer(name: string): OtelTracer {
    let tracer = this.#tracers.get(name);
    if (tracer === undefined) {
      tracer = new BridgeTracer(this.#state, name);
      this.#tracers.set(name, tracer);
    }
    return tracer;
  }
}

