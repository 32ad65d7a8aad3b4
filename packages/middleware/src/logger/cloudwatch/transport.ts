/*
 * Why our own transport and not winston-cloudwatch: at-least-once, in-order delivery after an
 * outage. winston-cloudwatch splices a batch out of its queue before sending it and, after a few
 * failed attempts on throttling or 5xx, drops it; an endpoint that recovers later never receives
 * those entries, and no wrapper can put them back. It also buffers without limit, sends more than
 * 10,000 events per call, cuts long messages mid-character, and runs an interval that keeps the
 * process alive. Here an entry leaves the buffer only once CloudWatch Logs accepted it (or refused
 * it for good), the buffer has hard caps, and every timer is unref'd. At least once, not exactly
 * once: a request that timed out may still have landed, and its entries are sent again (PutLogEvents
 * no longer uses sequence tokens, so the service cannot tell, and never answers
 * DataAlreadyAcceptedException any more).
 */
import type { PutLogEventsCommandOutput } from '@aws-sdk/client-cloudwatch-logs';
import winston from 'winston';
import type { AwsSdkClient } from '../../core/aws-sdk-shapes.js';
import { runUntraced } from '../../core/context.js';
import { Diagnostics } from '../../core/diagnostics.js';
import { nextBatchSize, PUT_LOG_EVENTS_LIMITS, type BatchLimits } from './batch.js';
import { EventBuffer } from './event-buffer.js';
import { ensureLogStream, type LogStreamTarget } from './resources.js';
import { MAX_MESSAGE_BYTES } from './limits.js';
import { backoffMs } from '../../core/backoff.js';
import { classifyFailure, describeFailure } from './retry.js';
import { createClient, loadSdk, type CloudWatchLogsSdk } from './sdk.js';
import type { CloudWatchTransportOptions, CloudWatchStats, FlushResult } from './types.js';
import { fitMessage } from './truncate.js';

const MESSAGE = Symbol.for('message');
// winston exports the transport base class at runtime; its typings only describe it by module
// (`winston-transport`, which is winston's dependency, not ours: named through winston here).
const TransportBase = (winston as unknown as { Transport: new (options?: winston.transport.TransportStreamOptions) => winston.transport }).Transport;

/** Defaults of {@link CloudWatchTransportOptions}. */
export const CLOUDWATCH_DEFAULTS = Object.freeze({
  maxBufferedEvents: 20_000,
  maxBufferedBytes: 16 * 1024 * 1024,
  flushIntervalMs: 1_000,
  retryBaseMs: 200,
  maxRetryDelayMs: 30_000,
  requestTimeoutMs: 10_000,
  flushTimeoutMs: 10_000,
  exitFlushTimeoutMs: 5_000,
});

// While someone waits in flush(), retries come at least this often, so a recovered endpoint is
// noticed before the caller's deadline.
const FLUSH_RETRY_CEILING_MS = 1_000;

/** One log entry as winston hands it to a transport. */
export type LogInfo = Record<string | symbol, unknown>;

/**
 * A winston transport that delivers entries to one CloudWatch Logs stream with the PutLogEvents
 * limits respected, throttling and 5xx retried with back-off, bounded memory, and a `flush()`
 * that resolves once everything buffered was delivered or definitively failed.
 */
export class CloudWatchLogsTransport extends TransportBase {
  /** The log group entries go to. */
  readonly logGroup: string;
  /** The log stream entries go to. */
  readonly logStream: string;
  readonly #options: CloudWatchTransportOptions;
  readonly #buffer: EventBuffer;
  readonly #batchLimits: BatchLimits;
  readonly #diagnostics: Diagnostics;
  readonly #counters = { delivered: 0, dropped: 0, truncated: 0, failed: 0, rejected: 0, retries: 0 };
  #client: AwsSdkClient | undefined;
  #sdk: CloudWatchLogsSdk | undefined;
  #unavailable = false;
  #resourcesReady = false;
  readonly #resources: LogStreamTarget;
  #pump: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #wake: (() => void) | undefined;
  #flushing = 0;
  readonly #drainWaiters = new Set<() => void>();
  #closed = false;
  #closing: Promise<FlushResult> | undefined;
  #exitFlushDone = false;
  readonly #onBeforeExit = (): void => {
    // A process that ends on its own (no signal) still delivers what it logged last.
    if (this.#closed || this.#exitFlushDone || this.#buffer.length === 0) return;
    this.#exitFlushDone = true;
    void this.flush(this.#options.exitFlushTimeoutMs ?? CLOUDWATCH_DEFAULTS.exitFlushTimeoutMs);
  };

  constructor(options: CloudWatchTransportOptions) {
    super({ level: options.level, format: options.format });
    this.#options = options;
    this.logGroup = options.logGroup;
    this.logStream = options.logStream;
    this.#client = options.client;
    this.#resources = { logGroup: options.logGroup, logStream: options.logStream, createLogGroup: options.createLogGroup !== false, retentionDays: options.retentionDays, retentionSet: false };
    this.#diagnostics = options.diagnostics ?? new Diagnostics();
    this.#buffer = new EventBuffer({
      maxEvents: options.maxBufferedEvents ?? CLOUDWATCH_DEFAULTS.maxBufferedEvents,
      maxBytes: options.maxBufferedBytes ?? CLOUDWATCH_DEFAULTS.maxBufferedBytes,
    });
    this.#batchLimits = { ...PUT_LOG_EVENTS_LIMITS, ...options.batchLimits };
    process.on('beforeExit', this.#onBeforeExit);
  }

  /**
   * A transport with the same group, client settings and limits, writing to another stream (e.g.
   * EMF metric documents beside the service's log entries).
   */
  withStream(logStream: string): CloudWatchLogsTransport {
    return new CloudWatchLogsTransport({ ...this.#options, logStream });
  }

  /** Counters and buffer levels, for health checks and tests. */
  stats(): CloudWatchStats {
    return {
      ...this.#counters,
      buffered: this.#buffer.length,
      bufferedBytes: this.#buffer.bytes,
      peakBuffered: this.#buffer.peakEvents,
      peakBufferedBytes: this.#buffer.peakBytes,
    };
  }

  /** Takes one formatted entry; never throws, never waits for the network. */
  override log(info: LogInfo, next: () => void): void {
    try {
      const formatted = info[MESSAGE];
      this.#accept(typeof formatted === 'string' ? formatted : JSON.stringify(info));
    } catch (err) {
      this.#diagnostics.once('error', 'cloudwatch-accept', `a log entry could not be buffered for CloudWatch Logs: ${describeFailure(err)}`);
    }
    next();
  }

  /**
   * Sends everything buffered now and resolves when it was delivered or definitively failed, or
   * when `timeoutMs` passed (`complete: false`, the rest stays buffered and keeps retrying).
   */
  async flush(timeoutMs: number = CLOUDWATCH_DEFAULTS.flushTimeoutMs): Promise<FlushResult> {
    if (this.#buffer.length === 0 && !this.#pump) return this.#result(true);
    this.#flushing++;
    try {
      this.#startPump();
      this.#wake?.();
      return this.#result(await this.#waitDrained(timeoutMs));
    } finally {
      this.#flushing--;
    }
  }

  /**
   * Final flush, then stops: entries still buffered after `timeoutMs` count as failed. winston
   * calls this when the logger closes; awaiting it is optional. Never rejects.
   */
  override close(timeoutMs: number = CLOUDWATCH_DEFAULTS.flushTimeoutMs): Promise<FlushResult> {
    this.#closing ??= this.flush(timeoutMs).then(
      () => this.#stop(),
      () => this.#stop(),
    );
    return this.#closing;
  }

  /**
   * The lifecycle name of {@link CloudWatchLogsTransport.close} (README-lifecycle.md): final flush,
   * then stops; later entries are dropped and counted. Idempotent, never rejects.
   */
  shutdown(timeoutMs?: number): Promise<FlushResult> {
    return this.close(timeoutMs);
  }

  #stop(): FlushResult {
    this.#closed = true;
    process.off('beforeExit', this.#onBeforeExit);
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const left = this.#buffer.length;
    if (left > 0) {
      this.#buffer.shift(left);
      this.#counters.failed += left;
      this.#diagnostics.warn(`${left} log entries were not delivered to CloudWatch Logs ${this.logGroup}/${this.logStream} before the logger closed`);
    }
    this.#wake?.();
    this.#notifyDrained();
    return this.#result(left === 0);
  }

  #accept(message: string): void {
    // CloudWatch refuses empty events, and one would sink the whole batch it travels in.
    if (message.length === 0) return;
    if (this.#closed) {
      this.#counters.dropped++;
      this.#diagnostics.once('warn', `cloudwatch-after-shutdown:${this.logGroup}:${this.logStream}`, `a log entry arrived after the CloudWatch Logs transport of ${this.logGroup}/${this.logStream} was shut down and is dropped`);
      return;
    }
    if (this.#unavailable) {
      this.#counters.failed++;
      return;
    }
    const fitted = fitMessage(message, this.#options.maxMessageBytes ?? MAX_MESSAGE_BYTES);
    if (fitted.removed > 0) {
      this.#counters.truncated++;
      this.#diagnostics.once('warn', 'cloudwatch-truncated', `a log entry longer than CloudWatch Logs' event limit was truncated (${fitted.removed} bytes removed, marked in the entry)`);
    }
    if (!this.#buffer.push(fitted.message, fitted.bytes, Date.now())) {
      this.#counters.dropped++;
      this.#diagnostics.once(
        'warn',
        `cloudwatch-dropped:${this.logGroup}:${this.logStream}`,
        `the CloudWatch Logs buffer of ${this.logGroup}/${this.logStream} is full; new entries are dropped and counted (transport stats().dropped) until it drains`,
      );
      return;
    }
    this.#exitFlushDone = false;
    this.#schedule();
  }

  #schedule(): void {
    if (this.#pump || this.#closed) return;
    if (this.#buffer.length >= this.#batchLimits.maxEvents || this.#buffer.bytes >= this.#batchLimits.maxBytes) {
      this.#startPump();
      return;
    }
    if (this.#timer) return;
    // Created outside the request's context: the upload is the package's own traffic and must not
    // appear as a call of whichever request logged first.
    this.#timer = runUntraced(() =>
      setTimeout(() => {
        this.#timer = undefined;
        this.#startPump();
      }, this.#options.flushIntervalMs ?? CLOUDWATCH_DEFAULTS.flushIntervalMs),
    );
    this.#timer.unref();
  }

  #startPump(): void {
    if (this.#pump || this.#closed) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pump = runUntraced(() => this.#run()).finally(() => {
      this.#pump = undefined;
      if (this.#buffer.length > 0) this.#schedule();
      this.#notifyDrained();
    });
  }

  // Sends batch after batch, one request at a time (order per stream), until the buffer is empty.
  async #run(): Promise<void> {
    let attempt = 0;
    while (this.#buffer.length > 0 && !this.#closed) {
      const count = nextBatchSize(this.#buffer, this.#batchLimits);
      try {
        const { client, sdk } = await this.#connect();
        if (!this.#resourcesReady) {
          await ensureLogStream(client, sdk, this.#resources, this.#diagnostics);
          this.#resourcesReady = true;
        }
        const logEvents = new Array<{ timestamp: number; message: string }>(count);
        for (let i = 0; i < count; i++) {
          const event = this.#buffer.at(i)!;
          logEvents[i] = { timestamp: event.timestamp, message: event.message };
        }
        // Typed by the command: any CloudWatch Logs client answers PutLogEvents with this output.
        const output = (await client.send(new sdk.PutLogEventsCommand({ logGroupName: this.logGroup, logStreamName: this.logStream, logEvents }))) as PutLogEventsCommandOutput;
        const rejected = countRejected(output.rejectedLogEventsInfo, count);
        if (this.#closed) {
          // close() gave the buffer up while this batch was on its way, counting it as failed.
          this.#counters.failed -= count;
          this.#counters.delivered += count - rejected;
          this.#counters.rejected += rejected;
          return;
        }
        this.#buffer.shift(count);
        this.#counters.delivered += count - rejected;
        if (rejected > 0) {
          this.#counters.rejected += rejected;
          this.#diagnostics.once('warn', 'cloudwatch-rejected', `CloudWatch Logs refused ${rejected} entries as too old or too far in the future`);
        }
        attempt = 0;
      } catch (err) {
        const name = err instanceof Error ? err.name : 'Error';
        const kind = await classifyFailure(err);
        // Checked after the classification, whose first use loads a module: close() may have run.
        if (this.#unavailable || this.#closed) return;
        if (kind === 'fatal') {
          // Resending cannot succeed: give this batch up so the ones behind it can go.
          this.#buffer.shift(count);
          this.#counters.failed += count;
          this.#diagnostics.once('error', `cloudwatch-fatal:${name}`, `CloudWatch Logs refused entries for ${this.logGroup}/${this.logStream}: ${describeFailure(err)}`);
          continue;
        }
        if (kind === 'missing') this.#resourcesReady = false;
        attempt++;
        this.#counters.retries++;
        this.#diagnostics.once('warn', `cloudwatch-retry:${name}`, `CloudWatch Logs is not accepting entries (${describeFailure(err)}); they stay buffered and are retried with back-off`);
        await this.#backoff(attempt);
      }
    }
  }

  async #connect(): Promise<{ client: AwsSdkClient; sdk: CloudWatchLogsSdk }> {
    if (!this.#sdk) {
      try {
        this.#sdk = await loadSdk();
      } catch (err) {
        this.#giveUp(`@aws-sdk/client-cloudwatch-logs could not be loaded (${describeFailure(err)}); install it to send logs to CloudWatch Logs`);
        throw err;
      }
    }
    this.#client ??= createClient(this.#sdk, {
      region: this.#options.region,
      endpoint: this.#options.endpoint,
      credentials: this.#options.credentials,
      requestTimeoutMs: this.#options.requestTimeoutMs ?? CLOUDWATCH_DEFAULTS.requestTimeoutMs,
    });
    return { client: this.#client, sdk: this.#sdk };
  }

  #giveUp(message: string): void {
    this.#unavailable = true;
    const left = this.#buffer.length;
    this.#buffer.shift(left);
    this.#counters.failed += left;
    this.#diagnostics.once('error', 'cloudwatch-unavailable', message);
  }

  #backoff(attempt: number): Promise<void> {
    const max = this.#options.maxRetryDelayMs ?? CLOUDWATCH_DEFAULTS.maxRetryDelayMs;
    // Attempts count from 1 here, from 0 in the shared back-off.
    const delay = backoffMs(attempt - 1, this.#options.retryBaseMs ?? CLOUDWATCH_DEFAULTS.retryBaseMs, this.#flushing > 0 ? Math.min(max, FLUSH_RETRY_CEILING_MS) : max, Math.random);
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        if (this.#wake === done) this.#wake = undefined;
        resolve();
      };
      // unref'd: a logger waiting to retry must not keep the process alive; flush() holds it open.
      const timer = setTimeout(done, delay);
      timer.unref();
      this.#wake = done;
    });
  }

  #waitDrained(timeoutMs: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const check = (): void => {
        if (this.#buffer.length > 0 || this.#pump) return;
        clearTimeout(timer);
        this.#drainWaiters.delete(check);
        resolve(true);
      };
      // Deliberately ref'd: the caller asked to wait, so the process stays up until delivery or the deadline.
      const timer = setTimeout(() => {
        this.#drainWaiters.delete(check);
        resolve(false);
      }, timeoutMs);
      this.#drainWaiters.add(check);
      check();
    });
  }

  #notifyDrained(): void {
    for (const check of [...this.#drainWaiters]) check();
  }

  #result(complete: boolean): FlushResult {
    return { complete, pending: this.#buffer.length, delivered: this.#counters.delivered, dropped: this.#counters.dropped, failed: this.#counters.failed };
  }
}

// The end indexes are exclusive and the start index inclusive (PutLogEvents API reference).
function countRejected(info: { tooNewLogEventStartIndex?: number; tooOldLogEventEndIndex?: number; expiredLogEventEndIndex?: number } | undefined, count: number): number {
  if (!info) return 0;
  const oldEnd = Math.max(info.tooOldLogEventEndIndex ?? 0, info.expiredLogEventEndIndex ?? 0);
  const newStart = info.tooNewLogEventStartIndex ?? count;
  return Math.min(count, oldEnd + Math.max(0, count - newStart));
}
