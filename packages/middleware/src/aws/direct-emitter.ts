import { Diagnostics } from '../core/diagnostics.js';
import type { Emitter } from '../core/emit/emitter.js';
import { resolveDirectOptions, type DirectXRayEmitterOptions, type ResolvedDirectOptions } from './direct-emitter-options.js';
import { backoffMs, isRetryableUnprocessedCode } from './direct-retry.js';
import { classifyAwsFailure, type AwsFailureKind } from './retry-classification.js';
import { XRayApiSender, type UnprocessedTraceSegment } from './xray-api-client.js';

/** What happened to the documents handed to a {@link DirectXRayEmitter}. */
export interface DirectXRayEmitterStats {
  /** Documents the service accepted. */
  sent: number;
  /** Documents the service answered with in `UnprocessedTraceSegments` and that were not retried or failed again. */
  rejected: number;
  /** Documents lost because their call failed for good (after retries, or a non-retryable error). */
  failed: number;
  /** Documents refused because the queue was full, or because the emitter was closed. */
  dropped: number;
  /** Retries: calls repeated after throttling or a transient error, plus documents re-sent once after a transient `UnprocessedTraceSegments` code. */
  retried: number;
  /** PutTraceSegments calls made (retries included). */
  calls: number;
}

interface Queued {
  document: string;
  /** Times re-queued after a transient UnprocessedTraceSegments entry. */
  resent: number;
}

const MAX_BACKOFF_MS = 20_000;

/**
 * Sends documents straight to the X-Ray API with `PutTraceSegments` — for environments where a
 * daemon is a burden. Documents wait in a bounded queue and leave in calls of up to 50: at once
 * when a batch is full, otherwise `flushIntervalMs` after the first one arrived, and on
 * `flush()`/`shutdown()`. Throttled or transiently failed calls are retried with back-off; documents
 * the service reports in `UnprocessedTraceSegments` are logged with their error codes, and re-sent
 * once when the code names a transient condition. `send` never throws and never waits.
 *
 * @example
 * ```ts
 * const tracer = createTracer({ emitter: new DirectXRayEmitter({ clientConfig: { region: 'us-east-1' } }) });
 * ```
 */
export class DirectXRayEmitter implements Emitter {
  /** Counters; read them to see what happened to documents. */
  readonly stats: DirectXRayEmitterStats = { sent: 0, rejected: 0, failed: 0, dropped: 0, retried: 0, calls: 0 };
  readonly #o: ResolvedDirectOptions;
  readonly #sender: XRayApiSender;
  readonly #diagnostics: Diagnostics;
  #queue: Queued[] = [];
  #inFlight = 0;
  /** Partial batches may leave (the interval elapsed, or a flush is waiting). */
  #drain = false;
  #timer: NodeJS.Timeout | undefined;
  #idle: Array<() => void> = [];
  #closed = false;
  #shutdown: Promise<void> | undefined;

  constructor(options: DirectXRayEmitterOptions = {}) {
    this.#o = resolveDirectOptions(options);
    this.#sender = new XRayApiSender(options.client, options.clientConfig);
    this.#diagnostics = options.diagnostics ?? new Diagnostics();
  }

  /** Documents waiting to be sent. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Queues one JSON document; a full batch leaves at once. Never throws; a full queue drops and counts. */
  send(document: string): void {
    if (this.#closed || this.#queue.length >= this.#o.maxQueue) {
      this.stats.dropped++;
      this.#diagnostics.once(
        'warn',
        'direct-emitter:dropped',
        this.#closed
          ? 'a segment document arrived after the X-Ray emitter was closed and is dropped'
          : `the X-Ray emitter's queue is full (${this.#o.maxQueue} documents); new documents are dropped and counted in stats.dropped`,
      );
      return;
    }
    this.#queue.push({ document, resent: 0 });
    this.#pump();
  }

  /** Sends everything queued so far and resolves once every call has finished (or failed for good). */
  flush(): Promise<void> {
    if (this.#queue.length === 0 && this.#inFlight === 0) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.#idle.push(resolve));
    this.#drain = true;
    this.#pump();
    return done;
  }

  /** Flushes, then refuses new documents (dropped and counted) and releases the client it created. Idempotent, never rejects. */
  shutdown(): Promise<void> {
    this.#shutdown ??= this.#release();
    return this.#shutdown;
  }

  /**
   * The former name of {@link DirectXRayEmitter.shutdown}, which it calls.
   * @deprecated Use {@link DirectXRayEmitter.shutdown}.
   */
  close(): Promise<void> {
    return this.shutdown();
  }

  async #release(): Promise<void> {
    await this.flush();
    this.#closed = true;
    this.#clearTimer();
    this.#sender.destroy();
  }

  #pump(): void {
    const o = this.#o;
    while (this.#inFlight < o.maxConcurrency && this.#queue.length > 0 && (this.#drain || this.#queue.length >= o.batchSize)) {
      const batch = this.#queue.splice(0, o.batchSize);
      this.#inFlight++;
      void this.#deliver(batch).finally(() => {
        this.#inFlight--;
        this.#pump();
      });
    }
    if (this.#queue.length === 0) {
      this.#drain = false;
      this.#clearTimer();
      if (this.#inFlight === 0) this.#wake();
    } else if (!this.#drain && !this.#timer) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#drain = true;
        this.#pump();
      }, o.flushIntervalMs);
      this.#timer.unref();
    }
  }

  async #deliver(batch: Queued[]): Promise<void> {
    const documents = batch.map((q) => q.document);
    for (let attempt = 0; ; attempt++) {
      this.stats.calls++;
      let unprocessed: UnprocessedTraceSegment[];
      try {
        unprocessed = await this.#sender.put(documents);
      } catch (err) {
        const kind = await classifyAwsFailure(err);
        if (attempt < this.#o.maxRetries && kind !== 'client') {
          this.stats.retried++;
          await sleep(backoffMs(attempt, this.#o.retryBaseMs, MAX_BACKOFF_MS, this.#o.random));
          continue;
        }
        this.stats.failed += batch.length;
        this.#reportFailure(err, kind, batch.length, attempt);
        return;
      }
      this.#settle(batch, unprocessed);
      return;
    }
  }

  /** Counts the accepted documents, re-queues transient rejections once, reports the rest. */
  #settle(batch: Queued[], unprocessed: UnprocessedTraceSegment[]): void {
    if (unprocessed.length === 0) {
      this.stats.sent += batch.length;
      return;
    }
    const byId = indexById(batch);
    let notAccepted = 0;
    const requeue: Queued[] = [];
    for (const entry of unprocessed) {
      notAccepted++;
      const item = entry.Id !== undefined ? byId.get(entry.Id)?.shift() : undefined;
      if (item && item.resent < 1 && isRetryableUnprocessedCode(entry.ErrorCode)) {
        item.resent++;
        this.stats.retried++;
        requeue.push(item);
        continue;
      }
      this.stats.rejected++;
      const code = entry.ErrorCode ?? 'unknown';
      this.#diagnostics.once(
        'warn',
        `direct-emitter:unprocessed:${code}`,
        `X-Ray did not process segment ${entry.Id ?? '?'} (${code}: ${entry.Message ?? 'no message'}); further ${code} rejections are counted in stats.rejected`,
      );
      this.#diagnostics.debug(`X-Ray did not process segment ${entry.Id ?? '?'} (${code}: ${entry.Message ?? 'no message'})`);
    }
    this.stats.sent += Math.max(0, batch.length - notAccepted);
    if (requeue.length > 0) {
      // Ahead of newer documents, and sent as soon as a slot frees: they already waited once.
      this.#queue.unshift(...requeue);
      this.#drain = true;
    }
  }

  #reportFailure(err: unknown, kind: AwsFailureKind, count: number, retries: number): void {
    const name = err instanceof Error ? err.name : 'Error';
    const message = err instanceof Error ? err.message : String(err);
    const what = kind === 'throttling' ? 'was still throttled' : 'failed';
    this.#diagnostics.once(
      'error',
      `direct-emitter:failed:${name}`,
      `PutTraceSegments ${what} after ${retries + 1} attempt(s) (${name}: ${message}); ${count} document(s) lost. Further ${name} failures are counted in stats.failed`,
    );
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #wake(): void {
    const waiters = this.#idle;
    this.#idle = [];
    for (const resolve of waiters) resolve();
  }
}

/** Documents of a batch by their top-level `id` (parsed only when the service rejected some). */
function indexById(batch: Queued[]): Map<string, Queued[]> {
  const out = new Map<string, Queued[]>();
  for (const item of batch) {
    let id: unknown;
    try {
      id = (JSON.parse(item.document) as { id?: unknown }).id;
    } catch {
      continue;
    }
    if (typeof id !== 'string') continue;
    const list = out.get(id);
    if (list) list.push(item);
    else out.set(id, [item]);
  }
  return out;
}

// Back-off timers stay ref'd: a retry under way should finish before the process exits, and the
// wait is bounded (a few seconds with the defaults).
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
