import { contextMissingFromEnv, contextMissingMessage, SegmentNotFoundError, type ContextMissingStrategy } from './context-missing.js';
import { currentEntity, runWithEntity } from './context.js';
import { Diagnostics, levelFromEnv } from './diagnostics.js';
import type { AnnotationValue, JsonValue } from './document.js';
import { DEFAULT_DAEMON_ADDRESS, parseDaemonAddress, type DaemonAddress } from './emit/daemon-address.js';
import { DocumentWriter } from './emit/document-writer.js';
import { DEFAULT_MAX_DATAGRAM_BYTES, isEntityEmitter, shutdownEmitter, type Emitter, type EntityEmitter } from './emit/emitter.js';
import { emittersFromEnv } from './emit/emitters-from-env.js';
import { envReader } from './env.js';
import { FanOutEmitter } from './emit/fan-out-emitter.js';
import type { Entity, EntityHost } from './entity.js';
import type { MessageScrubber } from './exception.js';
import { DEFAULT_SAMPLING_RULES, loadSamplingRulesFile, validateSamplingRules } from './sampling/local-rules.js';
import { LocalSampler } from './sampling/local-sampler.js';
import { centralizedSamplingEnabled } from './sampling/centralized/centralized-default.js';
import { CentralizedSampler } from './sampling/centralized/centralized-sampler.js';
import type { Sampler, SamplingRequest } from './sampling/sampler.js';
import { Segment, type SegmentInit, type ServiceDocument } from './segment.js';
import { resolveServiceVersion, serviceBlock } from './service.js';
import { Subsegment, type SubsegmentNamespace } from './subsegment.js';
import { formatTraceHeader, type TraceHeader } from './trace-header.js';
import { brandClass } from './process-global.js';
import type { SegmentDefaults, TracerOptions } from './tracer-options.js';
import { scrubText } from './scrub.js';
import { resolvePropagators, type PropagatorName } from '../propagation/config.js';
import { SDK_NAME, VERSION } from './version.js';

/** Where a new segment's sampling decision came from. Decisions without a rule name are shared (frozen). */
export interface TraceDecision {
  /** Whether the request is recorded. */
  readonly sampled: boolean;
  /** The centralized rule that sampled it. */
  readonly ruleName?: string;
  /** The caller asked with `Sampled=?` and expects the decision back. */
  readonly answerRequested: boolean;
}

/** Options of {@link Tracer.beginSubsegment} and {@link Tracer.capture}. */
export interface SubsegmentOptions {
  /** `aws` or `remote` for downstream calls. */
  namespace?: SubsegmentNamespace;
  /** Open under this entity instead of the current one. */
  parent?: Entity;
}

const NO_EMITTER: Emitter = { send: () => undefined };

// The decisions without a rule name, shared: one per request would be garbage on the hot path.
const SAMPLED: TraceDecision = Object.freeze({ sampled: true, answerRequested: false });
const NOT_SAMPLED: TraceDecision = Object.freeze({ sampled: false, answerRequested: false });
const SAMPLED_ANSWERED: TraceDecision = Object.freeze({ sampled: true, answerRequested: true });
const NOT_SAMPLED_ANSWERED: TraceDecision = Object.freeze({ sampled: false, answerRequested: true });

function decision(sampled: boolean, answerRequested: boolean): TraceDecision {
  if (answerRequested) return sampled ? SAMPLED_ANSWERED : NOT_SAMPLED_ANSWERED;
  return sampled ? SAMPLED : NOT_SAMPLED;
}

/**
 * Records segments and subsegments and hands them to an emitter. Create one per service with
 * {@link createTracer}, or use the default one that the X-Ray environment variables configure.
 */
export class Tracer implements EntityHost {
  /** The tracer's own diagnostics. */
  readonly diagnostics: Diagnostics;
  /** Exception message scrubber. */
  readonly scrubMessage: MessageScrubber | undefined;
  /** Default segment name for integrations (after `AWS_XRAY_TRACING_NAME`). */
  readonly name: string | undefined;
  /** True when `AWS_XRAY_TRACING_NAME` set the name: it then wins over every integration's option. */
  readonly nameFromEnv: boolean;
  /** Where the daemon is. */
  readonly daemonAddress: DaemonAddress;
  /** Whether tracing is on. */
  readonly enabled: boolean;
  /** Fields every new sampled segment starts with. */
  readonly segmentDefaults: SegmentDefaults = {};
  /** Trace-context formats read and written, in precedence order (`propagators` option, `OTEL_PROPAGATORS`). */
  readonly propagators: ReadonlyArray<PropagatorName>;
  #sampler: Sampler;
  readonly #writer: DocumentWriter;
  /** False when no emitter takes documents (OTLP only): then no document is ever written. */
  readonly #writesDocuments: boolean;
  readonly #entityEmitters: readonly EntityEmitter[];
  readonly #emitters: ReadonlyArray<Emitter | EntityEmitter>;
  readonly #contextMissing: ContextMissingStrategy;
  readonly #service: Readonly<ServiceDocument>;
  #baseAws: Record<string, JsonValue>;
  #shutdown: Promise<void> | undefined;

  constructor(options: TracerOptions = {}, env: NodeJS.ProcessEnv = process.env) {
    this.diagnostics = new Diagnostics(options.logger, options.logLevel ?? levelFromEnv(env));
    this.scrubMessage = options.scrubMessage ?? scrubText;
    // AWS_XRAY_TRACING_NAME wins over everything (as in every X-Ray SDK); OTEL_SERVICE_NAME only
    // names services that no option names.
    const read = envReader(env);
    const envName = read.string('AWS_XRAY_TRACING_NAME');
    this.name = envName ?? (options.name || read.string('OTEL_SERVICE_NAME'));
    this.nameFromEnv = envName !== undefined;
    this.enabled = options.enabled ?? read.boolean('AWS_XRAY_SDK_ENABLED') ?? true;
    this.propagators = resolvePropagators(options.propagators, read.string('OTEL_PROPAGATORS'), (message) => this.diagnostics.warn(message));
    const address = options.daemonAddress ?? read.string('AWS_XRAY_DAEMON_ADDRESS');
    this.daemonAddress = address ? parseDaemonAddress(address, options.daemonAddress ? 'daemonAddress' : 'AWS_XRAY_DAEMON_ADDRESS') : DEFAULT_DAEMON_ADDRESS;
    this.#contextMissing = options.contextMissing ?? contextMissingFromEnv(env);
    this.#sampler = options.sampler ?? new LocalSampler(resolveRules(options.samplingRules ?? read.string('CRUDDUR_XRAY_SAMPLING_RULES')));
    // Centralized rules through the daemon's proxy, the local rules as their fallback; when this is on: centralized-default.ts.
    if (this.enabled && centralizedSamplingEnabled(options, env)) {
      this.#sampler = new CentralizedSampler({ proxy: this.daemonAddress.tcp, fallback: this.#sampler, diagnostics: this.diagnostics });
    }
    const emitters = !this.enabled ? [] : options.emitter === undefined ? emittersFromEnv(env, this.daemonAddress, this.diagnostics) : toList(options.emitter);
    const documentEmitters = emitters.filter((e): e is Emitter => !isEntityEmitter(e));
    this.#emitters = emitters;
    this.#entityEmitters = emitters.filter(isEntityEmitter);
    this.#writesDocuments = documentEmitters.length > 0;
    const emitter = documentEmitters.length === 0 ? NO_EMITTER : documentEmitters.length === 1 ? (documentEmitters[0] as Emitter) : new FanOutEmitter(documentEmitters);
    this.#writer = new DocumentWriter(emitter, this.diagnostics, {
      maxDatagramBytes: datagramLimit(options.maxDatagramBytes),
      streamingThreshold: options.streamingThreshold ?? 100,
    });
    this.#service = serviceBlock(resolveServiceVersion(options.serviceVersion, env, process.argv[1]));
    // Frozen: every segment shares this object (and its serialised JSON) until one changes it.
    this.#baseAws = Object.freeze({ xray: { sdk: SDK_NAME, sdk_version: VERSION } });
  }

  /** The emitter X-Ray documents go to (a fan-out when there are several; a no-op when none). */
  get emitter(): Emitter {
    return this.#writer.emitter;
  }

  /** Every emitter: those that take X-Ray documents and those that take entities (OTLP). */
  get emitters(): ReadonlyArray<Emitter | EntityEmitter> {
    return this.#emitters;
  }

  /** The sampler deciding new traces. */
  get sampler(): Sampler {
    return this.#sampler;
  }

  /** Replaces the sampler (e.g. once centralized rules are available); the old one is shut down. */
  setSampler(sampler: Sampler): void {
    const old = this.#sampler;
    this.#sampler = sampler;
    if (old !== sampler) old.shutdown?.();
  }

  /** Adds fields to the `aws` block of every later segment (e.g. `cloudwatch_logs`, `ec2`). */
  addSegmentAws(fields: Record<string, JsonValue>): void {
    this.#baseAws = Object.freeze({ ...this.#baseAws, ...fields });
  }

  /**
   * Decides whether a request is traced: an upstream `Sampled=1|0` wins; otherwise (no header, or
   * `Sampled=?`) the sampler decides and `?` asks for the answer in the response.
   */
  decide(header: TraceHeader, request: SamplingRequest): TraceDecision {
    const answerRequested = header.sampled === '?';
    if (!this.enabled) return decision(false, answerRequested);
    if (header.sampled === '1') return SAMPLED;
    if (header.sampled === '0') return NOT_SAMPLED;
    let sampled;
    try {
      sampled = this.#sampler.shouldSample(request);
    } catch (err) {
      this.diagnostics.once('error', 'sampler', `the sampler failed (${String(err)}); the request is not sampled`);
      return decision(false, answerRequested);
    }
    if (sampled.ruleName === undefined) return decision(sampled.sampled, answerRequested);
    return { sampled: sampled.sampled, answerRequested, ruleName: sampled.ruleName };
  }

  /**
   * Opens a segment. Integrations call this for each request; call it yourself only for work
   * that no request starts (a queue consumer, a batch job), and close it when done.
   */
  beginSegment(init: SegmentInit & { ruleName?: string; header?: TraceHeader }): Segment {
    const segment = new Segment(init, this);
    if (segment.isSampled) {
      segment.aws = init.ruleName ? { ...this.#baseAws, xray: { ...(this.#baseAws.xray as Record<string, JsonValue>), sampling_rule_name: init.ruleName } } : (this.#baseAws as Segment['aws']);
      segment.service = this.#service;
      if (this.segmentDefaults.origin) segment.origin = this.segmentDefaults.origin;
    }
    if (init.header && (init.header.lineage !== undefined || init.header.extra.length > 0)) {
      segment.forward = { lineage: init.header.lineage, extra: init.header.extra };
    }
    return segment;
  }

  /**
   * Opens a subsegment under the current entity (or `options.parent`). Close it yourself, in a
   * `finally`. Outside a request it follows the context-missing strategy and returns undefined.
   */
  beginSubsegment(name: string, options: SubsegmentOptions = {}): Subsegment | undefined {
    const parent = options.parent ?? currentEntity();
    if (!parent) {
      this.contextMissing('beginSubsegment');
      return undefined;
    }
    return new Subsegment(name, parent, options.namespace);
  }

  /**
   * Runs `fn` in a new subsegment named `name`, current for everything `fn` does. The subsegment
   * closes when `fn` returns, throws, or — for async functions — when its promise settles,
   * recording the error. Outside a request `fn` still runs (with `undefined`).
   */
  capture<T>(name: string, fn: (subsegment: Subsegment | undefined) => T, options: SubsegmentOptions = {}): T {
    const sub = this.beginSubsegment(name, options);
    if (!sub) return fn(undefined);
    let result: T;
    try {
      result = runWithEntity(sub, () => fn(sub));
    } catch (err) {
      sub.close(err);
      throw err;
    }
    if (isPromiseLike(result)) {
      return Promise.resolve(result).then(
        (value) => {
          sub.close();
          return value;
        },
        (err: unknown) => {
          sub.close(err);
          throw err;
        },
      ) as T;
    }
    sub.close();
    return result;
  }

  /** Runs `fn` with `entity` as the current entity. */
  run<T>(entity: Entity, fn: () => T): T {
    return runWithEntity(entity, fn);
  }

  /** The current segment or subsegment, following the context-missing strategy when there is none. */
  getCurrentEntity(): Entity | undefined {
    const entity = currentEntity();
    if (!entity) this.contextMissing('getCurrentEntity');
    return entity;
  }

  /** The current request's segment. */
  getCurrentSegment(): Segment | undefined {
    const entity = currentEntity();
    if (!entity) this.contextMissing('getCurrentSegment');
    return entity?.segment;
  }

  /** The current subsegment, when the running code is inside one. */
  getCurrentSubsegment(): Subsegment | undefined {
    const entity = currentEntity();
    if (!entity) this.contextMissing('getCurrentSubsegment');
    return entity instanceof Subsegment ? entity : undefined;
  }

  /** Adds an annotation to the current entity. */
  addAnnotation(key: string, value: AnnotationValue): boolean {
    const entity = currentEntity();
    if (!entity) {
      this.contextMissing('addAnnotation');
      return false;
    }
    return entity.addAnnotation(key, value);
  }

  /** Adds metadata to the current entity. */
  addMetadata(key: string, value: unknown, namespace?: string): boolean {
    const entity = currentEntity();
    if (!entity) {
      this.contextMissing('addMetadata');
      return false;
    }
    return entity.addMetadata(key, value, namespace);
  }

  /** Sets the end user of the current request's segment. */
  setUser(user: string): void {
    const entity = currentEntity();
    if (!entity) {
      this.contextMissing('setUser');
      return;
    }
    entity.segment.setUser(user);
  }

  /**
   * The `X-Amzn-Trace-Id` value for a call made from `entity` (usually the call's own
   * subsegment): `Root=…;Parent=<entity id>;Sampled=1|0`, plus the Lineage and extra pairs the
   * request arrived with.
   */
  traceHeaderFor(entity: Entity): string {
    return traceHeaderFor(entity);
  }

  /** Applies the context-missing strategy for `operation`. */
  contextMissing(operation: string): void {
    if (this.#contextMissing === 'IGNORE_ERROR') return;
    const message = contextMissingMessage(operation);
    if (this.#contextMissing === 'RUNTIME_ERROR') throw new SegmentNotFoundError(message);
    this.diagnostics.once('error', `context-missing:${operation}`, message);
  }

  /** @internal the emit pipeline */
  segmentClosed(segment: Segment): void {
    if (!segment.isSampled) return;
    if (this.#writesDocuments) this.#writer.segmentClosed(segment);
    for (const emitter of this.#entityEmitters) this.#emitEntity(emitter, segment);
  }

  /** @internal the emit pipeline */
  subsegmentClosed(subsegment: Subsegment): void {
    if (!subsegment.segment.isSampled) return;
    if (this.#writesDocuments) this.#writer.subsegmentClosed(subsegment);
    for (const emitter of this.#entityEmitters) this.#emitEntity(emitter, subsegment);
  }

  #emitEntity(emitter: EntityEmitter, entity: Segment | Subsegment): void {
    try {
      emitter.emitEntity(entity);
    } catch (err) {
      this.diagnostics.once('error', 'emit-entity', `an emitter failed (${String(err)}); the request is unaffected`);
    }
  }

  /** Resolves once every document and span emitted so far has been handed to the network. */
  async flush(): Promise<void> {
    await Promise.allSettled([this.#writer.emitter.flush?.(), ...this.#entityEmitters.map((e) => e.flush?.())]);
  }

  /**
   * Stops samplers' timers, then flushes and shuts down every emitter; documents of segments that
   * close later are dropped and counted by the emitters. Idempotent; never rejects (README-lifecycle.md).
   */
  shutdown(): Promise<void> {
    this.#shutdown ??= (async () => {
      this.#sampler.shutdown?.();
      await Promise.all([shutdownEmitter(this.#writer.emitter), ...this.#entityEmitters.map(shutdownEmitter)]);
    })();
    return this.#shutdown;
  }
}

// `instanceof Tracer` holds for the tracers of both builds of the package (process-global.ts).
brandClass(Tracer, 'Tracer.v1');

/** The outgoing header for a call made from `entity`. */
export function traceHeaderFor(entity: Entity): string {
  const segment = entity.segment;
  const forward = segment.forward;
  return formatTraceHeader({
    root: entity.traceId,
    parent: entity.id,
    sampled: segment.isSampled,
    lineage: forward?.lineage,
    extra: forward?.extra,
  });
}

// The largest UDP payload over IPv4 (65,535 minus the IP and UDP headers): a larger datagram
// fails with EMSGSIZE and the document is lost. The smallest leaves room for a segment's own fields.
const MAX_UDP_PAYLOAD = 65_507;
const MIN_DATAGRAM = 1_024;

function datagramLimit(value: number | undefined): number {
  if (value === undefined) return DEFAULT_MAX_DATAGRAM_BYTES;
  if (!Number.isInteger(value) || value < MIN_DATAGRAM || value > MAX_UDP_PAYLOAD) {
    throw new RangeError(`maxDatagramBytes is ${String(value)}; expected an integer from ${MIN_DATAGRAM} to ${MAX_UDP_PAYLOAD} (the largest UDP payload)`);
  }
  return value;
}

function resolveRules(rules: TracerOptions['samplingRules']): ConstructorParameters<typeof LocalSampler>[0] {
  if (rules === undefined) return DEFAULT_SAMPLING_RULES;
  return typeof rules === 'string' ? loadSamplingRulesFile(rules) : validateSamplingRules(rules, 'samplingRules option');
}

function toList(emitter: NonNullable<TracerOptions['emitter']>): Array<Emitter | EntityEmitter> {
  return Array.isArray(emitter) ? [...(emitter as ReadonlyArray<Emitter | EntityEmitter>)] : [emitter as Emitter | EntityEmitter];
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function';
}

/** Creates a tracer. See {@link TracerOptions} for every option and its environment variable. */
export function createTracer(options: TracerOptions = {}): Tracer {
  return new Tracer(options);
}
