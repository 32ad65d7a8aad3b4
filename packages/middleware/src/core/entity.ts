import { annotationProblem, clampAnnotation, MAX_ANNOTATIONS, namespaceProblem, quoteKey, toJsonValue } from './attributes.js';
import { nowSeconds } from './clock.js';
import { numberText } from './number-text.js';
import type {
  AnnotationValue,
  AwsDocument,
  CauseDocument,
  EntityDocument,
  HttpDocument,
  HttpRequestDocument,
  JsonValue,
} from './document.js';
import type { Diagnostics } from './diagnostics.js';
import { toExceptionDocument, type MessageScrubber } from './exception.js';
import { newEntityId } from './ids.js';
import { processGlobal } from './process-global.js';
import { sanitizeName } from './names.js';
import { isSensitiveName, REDACTED } from './scrub.js';
import type { Segment } from './segment.js';
import type { Subsegment } from './subsegment.js';
import type { PropagatorName } from '../propagation/config.js';

/** What entities need from the tracer that made them: diagnostics and the emit pipeline. */
export interface EntityHost {
  /** Where entities report their own problems (an annotation refused, a name cut). */
  readonly diagnostics: Diagnostics;
  /** Cleans exception messages before they are recorded; none when undefined. */
  readonly scrubMessage: MessageScrubber | undefined;
  /** Called once when a segment closes: it is written out. */
  segmentClosed(segment: Segment): void;
  /** Called once when a subsegment closes: it may stream out early. */
  subsegmentClosed(subsegment: Subsegment): void;
  /** The trace-context formats outgoing calls carry; both when absent. */
  readonly propagators?: ReadonlyArray<PropagatorName>;
}

/** Options of {@link Entity.addError}. */
export interface AddErrorOptions {
  /** The error came from a downstream service (an AWS or HTTP call). */
  remote?: boolean;
  /**
   * Set `fault`. Defaults to true; integrations that derive flags from an HTTP status pass false
   * so a 4xx stays an `error`.
   */
  fault?: boolean;
}

// Remembers which exception id an error object was recorded under, and in which trace, so the
// same error bubbling up through several entities is written once and referenced by id elsewhere
// (the documented form). Only within that trace: an error shared by requests (a memoised rejected
// promise) is written in full in each trace, or the reference would name an exception that is not
// there. Process-wide: the entities of one trace may come from both builds of the package.
const recorded = processGlobal('recorded-errors.v1', () => new WeakMap<object, { traceId: string; exceptionId: string }>());

/** State and behaviour shared by segments and subsegments. */
export abstract class Entity {
  /** 16-hex id. */
  readonly id: string = newEntityId();
  /** Sanitised name. */
  readonly name: string;
  /** Epoch seconds. */
  readonly startTime: number;
  /** Epoch seconds, once closed. */
  endTime: number | undefined;
  /** The `http` block. */
  http: HttpDocument | undefined;
  /** The `aws` block. */
  aws: AwsDocument | undefined;
  /** Annotations recorded on this entity. */
  annotations: Record<string, AnnotationValue> | undefined;
  /** Metadata by namespace. */
  metadata: Record<string, Record<string, JsonValue>> | undefined;
  /** Child subsegments still attached (streamed ones are detached). */
  subsegments: Subsegment[] | undefined;
  /** 4xx. */
  error = false;
  /** 429 or a throttling error. */
  throttle = false;
  /** 5xx or an exception. */
  fault = false;
  /** The recorded cause. */
  cause: CauseDocument | string | undefined;

  protected constructor(name: string, startTime?: number) {
    this.name = sanitizeName(name);
    this.startTime = startTime ?? nowSeconds();
  }

  /** The segment at the root of this entity's tree. */
  abstract get segment(): Segment;

  /** The trace this entity belongs to. */
  get traceId(): string {
    return this.segment.traceId;
  }

  /** Whether this entity's trace is sampled (unsampled entities are never emitted). */
  get sampled(): boolean {
    return this.segment.isSampled;
  }

  /** Whether {@link Entity.close} was called. */
  get isClosed(): boolean {
    return this.endTime !== undefined;
  }

  /**
   * Records an indexed annotation. Invalid keys or values, annotations beyond the 50 a trace
   * may carry, and annotations on an entity already closed are not recorded: one warning names
   * the key, nothing throws.
   * @returns whether it was recorded.
   */
  addAnnotation(key: string, value: AnnotationValue): boolean {
    if (this.endTime !== undefined) return this.refuseAfterClose('annotation', String(key));
    const problem = annotationProblem(key, value);
    if (problem) {
      this.segment.host.diagnostics.oncePerKey('annotation', 'warn', String(key), problem);
      return false;
    }
    const existing = this.annotations;
    // Own keys only: `constructor` or `toString` are new annotations, not inherited ones.
    if (!existing || !Object.hasOwn(existing, key)) {
      if (!this.segment.reserveAnnotation()) {
        this.segment.host.diagnostics.oncePerKey(
          'annotation-limit',
          'warn',
          key,
          `annotation ${quoteKey(key)} is not recorded: a trace carries at most ${MAX_ANNOTATIONS} annotations`,
        );
        return false;
      }
    }
    (this.annotations ??= {})[key] = clampAnnotation(value);
    return true;
  }

  /**
   * Records metadata (any JSON) under a namespace, `default` unless given. The value is copied,
   * with secrets scrubbed as everywhere else (a secret-named key or field becomes `[REDACTED]`);
   * values that cannot be serialised, `AWS.` namespaces and metadata on an entity already closed
   * are not recorded (one warning).
   * @returns whether it was recorded.
   */
  addMetadata(key: string, value: unknown, namespace = 'default'): boolean {
    if (this.endTime !== undefined) return this.refuseAfterClose('metadata', `${String(namespace)}.${String(key)}`);
    const nsProblem = namespaceProblem(namespace);
    if (nsProblem) {
      this.segment.host.diagnostics.oncePerKey('metadata-namespace', 'warn', String(namespace), nsProblem);
      return false;
    }
    if (typeof key !== 'string' || key.length === 0 || key === '__proto__') {
      this.segment.host.diagnostics.once('warn', 'metadata-key', 'metadata is not recorded: keys are non-empty strings other than __proto__');
      return false;
    }
    const json = isSensitiveName(key) ? { value: REDACTED } : toJsonValue(value);
    if ('problem' in json) {
      this.segment.host.diagnostics.oncePerKey('metadata', 'warn', `${namespace}:${key}`, `metadata ${quoteKey(namespace)}.${quoteKey(key)} is not recorded: ${json.problem}`);
      return false;
    }
    const metadata = (this.metadata ??= {});
    // Own namespaces only: `constructor` or `toString` must not reach Object or its prototype.
    const values = Object.hasOwn(metadata, namespace) ? metadata[namespace]! : (metadata[namespace] = {});
    values[key] = json.value;
    return true;
  }

  /** Sets `http.request` fields (merged with what is there). */
  setHttpRequest(request: HttpRequestDocument): void {
    const http = (this.http ??= {});
    http.request = http.request ? { ...http.request, ...request } : request;
  }

  /**
   * Records the response status (and length when known) and derives the flags: 429 sets
   * `throttle` and `error`, other 4xx `error`, 5xx `fault`.
   */
  setHttpResponse(status: number, contentLength?: number): void {
    const http = (this.http ??= {});
    const response: { status: number; content_length?: number } = { status };
    if (contentLength !== undefined && Number.isFinite(contentLength) && contentLength >= 0) {
      response.content_length = contentLength;
    }
    http.response = response;
    this.applyStatus(status);
  }

  /** Sets the flags an HTTP status implies. */
  applyStatus(status: number): void {
    if (status === 429) {
      this.throttle = true;
      this.error = true;
    } else if (status >= 400 && status < 500) {
      this.error = true;
    } else if (status >= 500 && status < 600) {
      this.fault = true;
    }
  }

  /**
   * Records an error as this entity's cause, once: if the same error object was already recorded
   * on another entity of the same trace, the cause becomes that exception's id (the documented
   * string form) instead of a second copy.
   */
  addError(thrown: unknown, options: AddErrorOptions = {}): void {
    try {
      if (options.fault !== false) this.fault = true;
      const key = thrown !== null && (typeof thrown === 'object' || typeof thrown === 'function') ? thrown : undefined;
      const earlier = key ? recorded.get(key) : undefined;
      if (earlier !== undefined && earlier.traceId === this.traceId) {
        if (this.cause === undefined) this.cause = earlier.exceptionId;
        return;
      }
      const exception = toExceptionDocument(thrown, options.remote === true, this.segment.host.scrubMessage);
      if (key) recorded.set(key, { traceId: this.traceId, exceptionId: exception.id });
      if (this.cause === undefined || typeof this.cause === 'string') {
        this.cause = { working_directory: process.cwd(), exceptions: [exception] };
      } else if (this.cause.exceptions.length < 10) {
        this.cause.exceptions.push(exception);
      }
    } catch (err) {
      this.segment.host.diagnostics.error(`could not record an error: ${String(err)}`);
    }
  }

  /** Attaches a child (used by {@link Subsegment}'s constructor). */
  attach(child: Subsegment): void {
    (this.subsegments ??= []).push(child);
  }

  /** Detaches a child that is being sent as an independent subsegment. */
  detach(child: Subsegment): void {
    const list = this.subsegments;
    if (!list) return;
    const i = list.indexOf(child);
    if (i >= 0) list.splice(i, 1);
  }

  /**
   * Closes the entity: sets `end_time` (once; now unless `endTime`, epoch seconds, is given) and,
   * when given, records `error` as the cause.
   */
  abstract close(error?: unknown, endTime?: number): void;

  // A closed entity may already be on the wire (a segment is sent as it closes, a subsegment may be
  // streamed): whatever is added afterwards would be silently lost, so it is refused, loudly.
  private refuseAfterClose(kind: 'annotation' | 'metadata', key: string): false {
    this.segment.host.diagnostics.oncePerKey(
      `${kind}-after-close`,
      'warn',
      key,
      `${kind} ${quoteKey(key)} is not recorded: ${quoteKey(this.name)} is already closed`,
    );
    return false;
  }

  /** Marks the end time; false when already closed. */
  protected markEnd(endTime?: number): boolean {
    if (this.endTime !== undefined) return false;
    this.endTime = endTime ?? nowSeconds();
    return true;
  }

  /** Writes the fields shared by all entities into `doc`, in wire order. */
  protected writeCommon(doc: EntityDocument): void {
    if (this.endTime !== undefined) doc.end_time = this.endTime;
    else doc.in_progress = true;
    if (this.http) doc.http = this.http;
    if (this.aws) doc.aws = this.aws;
    if (this.annotations) doc.annotations = this.annotations;
    if (this.metadata) doc.metadata = this.metadata;
    if (this.error) doc.error = true;
    if (this.throttle) doc.throttle = true;
    if (this.fault) doc.fault = true;
    if (this.cause !== undefined) doc.cause = this.cause;
    const children = this.subsegments;
    if (children && children.length > 0) doc.subsegments = children.map((c) => c.toJSON());
  }

  /**
   * The same fields as `writeCommon`, appended as JSON text. Serialising by hand skips the
   * intermediate objects of `toJSON()`; it is the largest single cost of a traced request.
   */
  protected commonJson(): string {
    let out = this.endTime !== undefined ? `,"end_time":${numberText(this.endTime)}` : ',"in_progress":true';
    if (this.http) out += `,"http":${JSON.stringify(this.http)}`;
    if (this.aws) out += `,"aws":${stringifyShared(this.aws)}`;
    if (this.annotations) out += `,"annotations":${JSON.stringify(this.annotations)}`;
    if (this.metadata) out += `,"metadata":${JSON.stringify(this.metadata)}`;
    if (this.error) out += ',"error":true';
    if (this.throttle) out += ',"throttle":true';
    if (this.fault) out += ',"fault":true';
    if (this.cause !== undefined) out += `,"cause":${JSON.stringify(this.cause)}`;
    const children = this.subsegments;
    if (children && children.length > 0) {
      out += ',"subsegments":[';
      for (let i = 0; i < children.length; i++) out += (i > 0 ? ',' : '') + (children[i] as Subsegment).toJsonText();
      out += ']';
    }
    return out;
  }
}

// Segments of one tracer share their `aws` block (sdk name, cloudwatch_logs, ec2…) and their
// `service` block until one of them changes it, and the OpenTelemetry bridge shares the `sql` block
// of a repeated query: the JSON of a frozen object is computed once per object, not once per request.
const sharedJson = new WeakMap<object, string>();
/** `JSON.stringify`, cached for frozen objects that many documents share. */
export function stringifyShared(value: object): string {
  if (!Object.isFrozen(value)) return JSON.stringify(value);
  let text = sharedJson.get(value);
  if (text === undefined) {
    text = JSON.stringify(value);
    sharedJson.set(value, text);
  }
  return text;
}
