import type { Agent } from 'node:http';
import { backoffMs } from '../../core/backoff.js';
import { Diagnostics } from '../../core/diagnostics.js';
import type { EntityEmitter } from '../../core/emit/emitter.js';
import type { Entity } from '../../core/entity.js';
import { Segment } from '../../core/segment.js';
import type { Subsegment } from '../../core/subsegment.js';
import { BatchBodyEncoder } from './batch-body.js';
import { decodeExportResponse, decodeStatusMessage } from './decode-response.js';
import { createAgent, post, type PostResponse } from './http-post.js';
import { resolveOtlpOptions, type OtlpExporterOptions, type ResolvedOtlpOptions } from './options.js';
import { ResourceBuilder } from './resource.js';
import { createSigV4Signer, type RequestSigner } from './sigv4.js';
import { VERSION } from '../../core/version.js';

/** What happened to the spans handed to an {@link OtlpTraceExporter}. */
export interface OtlpExporterStats {
  /** Spans the endpoint accepted. */
  exported: number;
  /** Spans refused because the queue was full or the exporter was closed. */
  dropped: number;
  /** Spans the endpoint refused: a non-retryable status (400, 401, 403…) or `partial_success.rejected_spans`. */
  rejected: number;
  /** Spans given up on: retries still failing when a `flush()`/`close()` ran out of time. */
  failed: number;
  /** Requests repeated after 429/502/503/504 or a network error. */
  retries: number;
  /** HTTP requests made (retries included). */
  requests: number;
  /** Request body bytes sent (after compression, retries included). */
  bytes: number;
}

/** Options of {@link OtlpTraceExporter} beyond the OTLP settings. */
export interface OtlpExporterDeps {
  /** Where the exporter's own diagnostics go. Default: the console at `warn`. */
  diagnostics?: Diagnostics;
  /** The environment to read `OTEL_*` variables from. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Jitter source (tests). */
  random?: () => number;
}

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);
const BACKOFF_BASE_MS = 1000;
const BACKOFF_CAP_MS = 30_000;
const RETRY_AFTER_CAP_MS = 300_000;
// Subsegments still open when their segment was sent: exported as in progress at shutdown unless
// they close first. Bounded: a leak of never-closed subsegments must not grow without limit.
const MAX_OPEN_TRACKED = 10_000;

/**
 * Sends the tracer's segments and subsegments as OTLP/HTTP spans — to the X-Ray OTLP endpoint
 * (SigV4-signed), Honeycomb, an OpenTelemetry collector, or any OTLP receiver — beside or instead
 * of the X-Ray daemon. Entities wait in a bounded queue and leave in batches (protobuf or JSON,
 * gzip): at once when a batch is full, otherwise `scheduleDelayMs` after the first one arrived,
 * and on `flush()`/`close()`. `emitEntity` never throws and never waits; mapping and encoding
 * happen off the request path, in the export.
 *
 * Delivery: 429, 502, 503, 504 and network errors are retried with exponential back-off and
 * jitter, honouring `Retry-After`, for as long as the process runs (new spans meanwhile wait in
 * the queue, and beyond it are dropped and counted); other statuses are not retried — they are
 * reported once and counted in {@link OtlpExporterStats.rejected}, as is `partial_success`.
 *
 * @example
 * ```ts
 * const tracer = createTracer({ emitter: [new UdpEmitter(...), new OtlpTraceExporter({ endpoint: 'https://api.honeycomb.io/v1/traces', headers: { 'x-honeycomb-team': key } })] });
 * ```
 */
export class OtlpTraceExporter implements EntityEmitter {
  /** Counters; read them to see what happened to spans. */
  readonly stats: OtlpExporterStats = { exported: 0, dropped: 0, rejected: 0, failed: 0, retries: 0, requests: 0, bytes: 0 };
  readonly #o: ResolvedOtlpOptions;
  readonly #diagnostics: Diagnostics;
  readonly #random: () => number;
  readonly #encoder: BatchBodyEncoder;
  readonly #agent: Agent;
  readonly #signer: Promise<RequestSigner | undefined>;
  readonly #headers: Readonly<Record<string, string>>;
  #queue: Entity[] = [];
  readonly #open = new Set<Subsegment>();
  #timer: NodeJS.Timeout | undefined;
  #immediate: NodeJS.Immediate | undefined;
  #exporting = false;
  /** Partial batches may leave (the delay elapsed, or a flush is waiting). */
  #drain = false;
  /** While a flush or close waits: retries stop at this time, and back-off timers keep the process alive. */
  #deadline: number | undefined;
  #idle: Array<() => void> = [];
  #closed = false;
  #shutdown: Promise<void> | undefined;
  #failing = false;

  /**
   * @throws OtlpConfigError for an option that cannot work (naming it and its value), and when the
   *   endpoint needs SigV4 and no region is known. An `OTEL_*` variable that cannot be used is
   *   warned about and its default applies, as the OpenTelemetry specification asks.
   */
  constructor(options: OtlpExporterOptions = {}, deps: OtlpExporterDeps = {}) {
    this.#diagnostics = deps.diagnostics ?? new Diagnostics();
    this.#o = resolveOtlpOptions(options, deps.env ?? process.env, (message) => this.#diagnostics.warn(message));
    this.#random = deps.random ?? Math.random;
    this.#encoder = new BatchBodyEncoder(new ResourceBuilder(this.#o.resource), this.#o.protocol, this.#o.gzip);
    this.#agent = createAgent(this.#o.endpoint);
    this.#headers = {
      ...this.#o.headers,
      'content-type': this.#o.protocol === 'http/json' ? 'application/json' : 'application/x-protobuf',
      ...(this.#o.gzip ? { 'content-encoding': 'gzip' } : {}),
      'user-agent': `cruddur-middleware-otlp/${VERSION}`,
    };
    this.#signer = this.#o.sigv4 ? createSigV4Signer(this.#o.region as string, options.credentials) : Promise.resolve(undefined);
    this.#signer.catch((err: unknown) => {
      this.#diagnostics.error(`OTLP export to ${this.#o.endpoint.href} cannot start: ${err instanceof Error ? err.message : String(err)}. Spans are dropped and counted in stats.rejected`);
    });
  }

  /** The traces URL requests go to. */
  get endpoint(): string {
    return this.#o.endpoint.href;
  }

  /** Spans waiting to be sent. */
  get queued(): number {
    return this.#queue.length;
  }

  /**
   * Resolves once the exporter can send (SigV4 peers loaded and credentials found); rejects with
   * the reason otherwise. Await it at start-up to fail fast instead of losing spans.
   */
  async ready(): Promise<void> {
    await this.#signer;
  }

  /** Queues one closed segment or subsegment. Never throws; a full queue drops and counts. */
  emitEntity(entity: Segment | Subsegment): void {
    if (entity instanceof Segment) this.#trackOpen(entity);
    else this.#open.delete(entity);
    if (this.#closed || this.#queue.length >= this.#o.maxQueueSize) {
      this.stats.dropped++;
      this.#diagnostics.once(
        'warn',
        'otlp:dropped',
        this.#closed
          ? 'a span arrived after the OTLP exporter was closed and is dropped'
          : `the OTLP exporter's queue is full (${this.#o.maxQueueSize} spans, OTEL_BSP_MAX_QUEUE_SIZE); new spans are dropped and counted in stats.dropped`,
      );
      return;
    }
    this.#queue.push(entity);
    if (this.#queue.length >= this.#o.maxExportBatchSize) this.#pumpSoon();
    else this.#schedule();
  }

  // A full batch leaves on the next turn of the event loop, never inside the request that filled
  // it: mapping and encoding 512 spans would otherwise delay that one response by milliseconds.
  #pumpSoon(): void {
    if (this.#immediate || this.#exporting) return;
    this.#immediate = setImmediate(() => {
      this.#immediate = undefined;
      this.#pump();
    });
  }

  /**
   * Sends everything queued so far; resolves once every request has finished, or when retries run
   * past `exportTimeoutMs` (what is left is then counted in `stats.failed`).
   */
  flush(): Promise<void> {
    if (this.#queue.length === 0 && !this.#exporting) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.#idle.push(resolve));
    this.#deadline ??= Date.now() + this.#o.exportTimeoutMs;
    this.#drain = true;
    this.#pump();
    return done;
  }

  /**
   * Sends what is queued and the subsegments still open (as in progress), then refuses new spans
   * (dropped and counted) and releases its connections. Idempotent, never rejects.
   */
  shutdown(): Promise<void> {
    this.#shutdown ??= this.#release();
    return this.#shutdown;
  }

  /**
   * The former name of {@link OtlpTraceExporter.shutdown}, which it calls.
   * @deprecated Use {@link OtlpTraceExporter.shutdown}.
   */
  close(): Promise<void> {
    return this.shutdown();
  }

  async #release(): Promise<void> {
    for (const sub of this.#open) if (sub.endTime === undefined) this.#queue.push(sub);
    this.#open.clear();
    await this.flush();
    this.#closed = true;
    this.#clearTimer();
    this.#agent.destroy();
  }

  // A segment leaves with some subsegments possibly still running (a fire-and-forget call): they
  // are exported when they close, or in progress at shutdown.
  #trackOpen(segment: Segment): void {
    if (segment.openSubsegments === 0) return;
    const walk = (entity: Entity): void => {
      for (const child of entity.subsegments ?? []) {
        if (child.endTime === undefined && this.#open.size < MAX_OPEN_TRACKED) this.#open.add(child);
        walk(child);
      }
    };
    walk(segment);
  }

  #schedule(): void {
    if (this.#timer || this.#exporting) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#drain = true;
      this.#pump();
    }, this.#o.scheduleDelayMs);
    this.#timer.unref();
  }

  #pump(): void {
    if (this.#exporting) return;
    if (this.#queue.length === 0 || (!this.#drain && this.#queue.length < this.#o.maxExportBatchSize)) {
      if (this.#queue.length === 0) this.#finishDrain();
      else this.#schedule();
      return;
    }
    this.#clearTimer();
    const batch = this.#queue.splice(0, this.#o.maxExportBatchSize);
    this.#exporting = true;
    void this.#export(batch)
      .catch((err: unknown) => {
        this.stats.failed += batch.length;
        this.#diagnostics.error(`OTLP export failed unexpectedly: ${err instanceof Error ? err.message : String(err)}`);
      })
      .finally(() => {
        this.#exporting = false;
        this.#pump();
      });
  }

  #finishDrain(): void {
    this.#drain = false;
    this.#clearTimer();
    if (this.#exporting) return;
    this.#deadline = undefined;
    const waiters = this.#idle;
    this.#idle = [];
    for (const resolve of waiters) resolve();
  }

  async #export(batch: Entity[]): Promise<void> {
    let body: Uint8Array;
    try {
      body = this.#encoder.encode(batch);
    } catch (err) {
      this.stats.failed += batch.length;
      this.#diagnostics.error(`could not encode ${batch.length} span(s) for OTLP: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    await this.#deliver(batch, body);
  }

  async #deliver(batch: readonly Entity[], body: Uint8Array): Promise<void> {
    let signer: RequestSigner | undefined;
    try {
      signer = await this.#signer;
    } catch {
      this.stats.rejected += batch.length; // reported once, when the set-up failed
      return;
    }
    for (let attempt = 0; ; attempt++) {
      let response: PostResponse | undefined;
      let failure: unknown;
      try {
        const headers = signer ? await signer(this.#o.endpoint, this.#headers, body) : this.#headers;
        this.stats.requests++;
        this.stats.bytes += body.byteLength;
        response = await post(this.#o.endpoint, this.#agent, headers, body, this.#o.timeoutMs);
      } catch (err) {
        failure = err;
      }
      if (response && response.status >= 200 && response.status < 300) {
        this.#accepted(batch.length, response, attempt);
        return;
      }
      if (response && response.status === 413 && batch.length > 1) {
        // Too large for this endpoint: send each half on its own (re-encoded, smaller).
        const half = Math.ceil(batch.length / 2);
        await this.#export(batch.slice(0, half));
        await this.#export(batch.slice(half));
        return;
      }
      if (response && !RETRYABLE_STATUS.has(response.status)) {
        this.#refused(batch.length, response);
        return;
      }
      const wait = retryAfterMs(response?.retryAfter) ?? backoffMs(attempt, BACKOFF_BASE_MS, BACKOFF_CAP_MS, this.#random);
      this.#retrying(response, failure, wait);
      if (this.#deadline !== undefined && Date.now() + wait > this.#deadline) {
        this.stats.failed += batch.length;
        this.#diagnostics.error(`OTLP export to ${this.endpoint} still failing when the flush ran out of time; ${batch.length} span(s) lost (stats.failed)`);
        return;
      }
      this.stats.retries++;
      await this.#sleep(wait);
    }
  }

  #accepted(count: number, response: PostResponse, attempt: number): void {
    const partial = decodeExportResponse(response.body, response.contentType);
    const rejected = Math.min(count, partial?.rejectedSpans ?? 0);
    this.stats.exported += count - rejected;
    this.stats.rejected += rejected;
    if (partial && (rejected > 0 || partial.errorMessage)) {
      this.#diagnostics.oncePerKey(
        'otlp-partial',
        'warn',
        partial.errorMessage || String(rejected),
        `the OTLP endpoint accepted a batch only in part: ${rejected} of ${count} span(s) rejected${partial.errorMessage ? ` (${partial.errorMessage})` : ''}; further rejections are counted in stats.rejected`,
      );
    }
    if (this.#failing) {
      this.#failing = false;
      this.#diagnostics.info(`OTLP export to ${this.endpoint} recovered after ${attempt} retr${attempt === 1 ? 'y' : 'ies'}`);
    }
  }

  #refused(count: number, response: PostResponse): void {
    this.stats.rejected += count;
    const detail = decodeStatusMessage(response.body, response.contentType);
    const status = response.status;
    const why = detail ? `: ${detail.slice(0, 300)}` : '';
    const hint =
      status === 401 || status === 403
        ? ' — the credentials were refused: check the API key header in OTEL_EXPORTER_OTLP_HEADERS (Honeycomb: x-honeycomb-team=<key>) or the IAM permissions (X-Ray: xray:PutTraceSegments… and Transaction Search)'
        : '';
    this.#diagnostics.once(
      'error',
      `otlp:refused:${status}`,
      `the OTLP endpoint ${this.endpoint} answered HTTP ${status}${why}${hint}; ${count} span(s) dropped, not retried. Further ${status} answers are counted in stats.rejected`,
    );
  }

  #retrying(response: PostResponse | undefined, failure: unknown, wait: number): void {
    const reason = response ? `HTTP ${response.status}` : failure instanceof Error ? ((failure as NodeJS.ErrnoException).code ?? failure.message) : String(failure);
    this.#diagnostics.debug(`OTLP export: ${reason}; retrying in ${Math.round(wait)} ms`);
    if (!this.#failing) {
      this.#failing = true;
      this.#diagnostics.once(
        'warn',
        `otlp:retrying:${reason}`,
        `the OTLP endpoint ${this.endpoint} is not accepting spans (${reason}); retrying with back-off while spans wait in the queue (at most ${this.#o.maxQueueSize})`,
      );
    }
  }

  // A flush waiting on this retry keeps the process alive until its deadline; otherwise the timer
  // must not hold an idle service open.
  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      if (this.#deadline === undefined) timer.unref();
    });
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  let ms: number;
  if (/^\d+$/.test(trimmed)) ms = Number(trimmed) * 1000;
  else {
    const at = Date.parse(trimmed);
    if (Number.isNaN(at)) return undefined;
    ms = at - now;
  }
  return Math.min(RETRY_AFTER_CAP_MS, Math.max(0, ms));
}
