import { currentEntity, runUntraced } from '../core/context.js';
import { Diagnostics } from '../core/diagnostics.js';
import { CallMetrics } from './call-metrics.js';
import { CustomMetrics } from './custom-metrics.js';
import { CALL_METRIC_NAMES, customDocuments, exchangeDocuments, REQUEST_METRIC_NAMES, type FlushContext } from './documents.js';
import type { AddMetricOptions, MetricsOptions } from './options.js';
import { lineWriter, type LineWriter } from './output.js';
import { RequestMetrics } from './request-metrics.js';
import { resolveMetricsSettings, type ResolvedMetricsSettings } from './settings.js';
import type { MetricUnit } from './units.js';
import { dimensionsProblem, metricNameProblem, resolutionProblem, unitProblem, valueProblem } from './validate.js';

/** What {@link Metrics.flush} did. */
export interface MetricsFlushResult {
  /** EMF documents written by this flush. */
  documents: number;
  /** The output delivered them before the deadline (always true for stdout). */
  complete: boolean;
}

/** Counters since start, for health checks and tests. */
export interface MetricsStats {
  /** EMF documents written. */
  documents: number;
  /** Requests recorded. */
  requests: number;
  /** Outgoing calls recorded. */
  calls: number;
  /** Custom values recorded. */
  custom: number;
  /** Custom values, metadata and dimensions refused by validation. */
  rejected: number;
  /** Values recorded into an `Other` aggregate because the dimension set cap was reached. */
  overflowed: number;
  /** Custom values that arrived after {@link Metrics.shutdown} (not recorded). */
  dropped: number;
}

/** Request, call and custom metrics of one service, written as CloudWatch EMF documents. */
export interface Metrics {
  /** The CloudWatch namespace. */
  readonly namespace: string;
  /**
   * Records a value of a custom metric, aggregated with the interval's other values of the same
   * metric and dimensions. Invalid names, units, values or dimensions are reported once each and
   * the value is dropped; it never throws. Returns whether the value was kept.
   */
  addMetric(name: string, unit: MetricUnit, value: number, options?: AddMetricOptions): boolean;
  /**
   * Adds a property to every custom-metric document of the current interval (searchable in Logs
   * Insights, not a metric), as Powertools' `addMetadata`. Cleared after each flush.
   */
  addMetadata(key: string, value: unknown): boolean;
  /** Replaces the dimensions added to every later custom value. Invalid ones are refused as a whole. */
  setDefaultDimensions(dimensions: Record<string, string>): boolean;
  /** Writes every aggregate now and waits for the output to deliver them (default 10 s). Never rejects. */
  flush(timeoutMs?: number): Promise<MetricsFlushResult>;
  /**
   * Stops listening and the interval, then flushes; later custom values are dropped and counted
   * (`stats().dropped`). Idempotent (every call returns the first call's promise), never rejects.
   * See README-lifecycle.md.
   */
  shutdown(timeoutMs?: number): Promise<MetricsFlushResult>;
  /** Counters since creation. */
  stats(): MetricsStats;
}

const MAX_METADATA_KEYS = 100;
// How long a process ending on its own may wait for its last documents to be delivered.
const EXIT_FLUSH_TIMEOUT_MS = 5_000;

/**
 * Starts metrics for this process: request metrics from the Express and Fastify integrations,
 * outgoing HTTP and AWS SDK call metrics, and the custom metrics API, aggregated in-process and
 * written as one EMF document per dimension set every `flushIntervalMs` (and at shutdown).
 * Throws {@link MetricsConfigError} for settings that cannot work.
 */
export function createMetrics(options: MetricsOptions = {}, env: NodeJS.ProcessEnv = process.env): Metrics {
  return new EmfMetrics(resolveMetricsSettings(options, env), new Diagnostics(options.diagnostics, options.diagnosticLevel ?? 'warn'));
}

class EmfMetrics implements Metrics {
  readonly namespace: string;
  readonly #settings: ResolvedMetricsSettings;
  readonly #diagnostics: Diagnostics;
  readonly #writer: LineWriter;
  readonly #requests: RequestMetrics | undefined;
  readonly #calls: CallMetrics | undefined;
  readonly #custom: CustomMetrics;
  #defaultDimensions: Readonly<Record<string, string>>;
  #metadata: Record<string, unknown> = {};
  readonly #counters = { documents: 0, custom: 0, rejected: 0, overflowed: 0, dropped: 0 };
  readonly #timer: NodeJS.Timeout;
  #shutdown: Promise<MetricsFlushResult> | undefined;
  readonly #onBeforeExit = (): void => {
    // A process ending on its own still writes its last interval (the transport's wait keeps it
    // up). Only when there is something new: 'beforeExit' comes again after that wait, and an
    // unreachable output must not keep the process alive for ever.
    void this.flush(EXIT_FLUSH_TIMEOUT_MS, true);
  };

  constructor(settings: ResolvedMetricsSettings, diagnostics: Diagnostics) {
    this.#settings = settings;
    this.namespace = settings.namespace;
    this.#diagnostics = diagnostics;
    this.#writer = lineWriter(settings.output, diagnostics);
    this.#defaultDimensions = settings.defaultDimensions;
    this.#custom = new CustomMetrics(settings.maxDimensionSets);
    if (settings.requestMetrics) {
      this.#requests = new RequestMetrics(settings.service, settings.maxDimensionSets);
      this.#requests.start();
    }
    if (settings.callMetrics) {
      this.#calls = new CallMetrics(settings.service, settings.maxDimensionSets);
      this.#calls.start();
    }
    // Outside any request, so writing documents is never mistaken for a request's work; unref'd so
    // metrics never keep a process alive.
    this.#timer = runUntraced(() => setInterval(() => void this.flush(), settings.flushIntervalMs));
    this.#timer.unref();
    process.on('beforeExit', this.#onBeforeExit);
  }

  addMetric(name: string, unit: MetricUnit, value: number, options?: AddMetricOptions): boolean {
    if (this.#shutdown) {
      this.#counters.dropped++;
      this.#diagnostics.once('warn', 'metrics-after-shutdown', `metric ${JSON.stringify(name)} arrived after metrics were shut down and is dropped (counted in stats().dropped)`);
      return false;
    }
    try {
      const problem =
        metricNameProblem(name) ?? unitProblem(unit) ?? valueProblem(name, value) ?? resolutionProblem(name, options?.resolution) ?? this.#dimensionProblem(options?.dimensions);
      if (problem) return this.#reject(problem);
      const dimensions = this.#dimensionsFor(options?.dimensions);
      if (name in dimensions) return this.#reject(`metric name "${name}" is also a dimension name; EMF root members are shared`);
      const clash = this.#custom.record(name, unit, value, options?.resolution ?? 60, dimensions, Date.now());
      if (clash) return this.#reject(clash);
      this.#counters.custom++;
      return true;
    } catch (err) {
      this.#diagnostics.once('error', 'metrics-add', `a metric could not be recorded: ${String(err)}`);
      return false;
    }
  }

  addMetadata(key: string, value: unknown): boolean {
    if (typeof key !== 'string' || key.length === 0 || key === '_aws' || key === 'Exemplar') return this.#reject(`metadata key ${JSON.stringify(key)} is empty or reserved`);
    let json: string | undefined;
    try {
      json = JSON.stringify(value);
    } catch {
      json = undefined;
    }
    if (json === undefined) return this.#reject(`metadata "${key}" is not serialisable as JSON`);
    if (!(key in this.#metadata) && Object.keys(this.#metadata).length >= MAX_METADATA_KEYS) return this.#reject(`more than ${MAX_METADATA_KEYS} metadata keys in one interval`);
    this.#metadata[key] = JSON.parse(json) as unknown;
    return true;
  }

  setDefaultDimensions(dimensions: Record<string, string>): boolean {
    const problem = dimensionsProblem(dimensions, 3);
    if (problem) return this.#reject(`default dimensions not changed: ${problem}`);
    this.#defaultDimensions = { ...dimensions };
    return true;
  }

  async flush(timeoutMs = 10_000, onlyIfNew = false): Promise<MetricsFlushResult> {
    let documents: string[];
    try {
      documents = this.#collect();
    } catch (err) {
      this.#diagnostics.once('error', 'metrics-flush', `metrics could not be aggregated: ${String(err)}`);
      return { documents: 0, complete: false };
    }
    if (onlyIfNew && documents.length === 0) return { documents: 0, complete: true };
    runUntraced(() => {
      for (const line of documents) this.#writer.write(line);
    });
    this.#counters.documents += documents.length;
    const complete = await this.#writer.flush(timeoutMs);
    return { documents: documents.length, complete };
  }

  shutdown(timeoutMs?: number): Promise<MetricsFlushResult> {
    this.#shutdown ??= (() => {
      clearInterval(this.#timer);
      process.off('beforeExit', this.#onBeforeExit);
      this.#requests?.stop();
      this.#calls?.stop();
      return this.flush(timeoutMs);
    })();
    return this.#shutdown;
  }

  stats(): MetricsStats {
    return {
      documents: this.#counters.documents,
      requests: this.#requests?.recorded ?? 0,
      calls: this.#calls?.recorded ?? 0,
      custom: this.#counters.custom,
      rejected: this.#counters.rejected,
      overflowed: this.#counters.overflowed,
      dropped: this.#counters.dropped,
    };
  }

  #collect(): string[] {
    const context: FlushContext = { namespace: this.namespace, timestamp: Date.now(), defaultDimensions: this.#defaultDimensions };
    const documents: string[] = [];
    if (this.#requests) {
      const { aggregates, overflowed } = this.#requests.take();
      this.#overflow(overflowed, 'request');
      documents.push(...exchangeDocuments(context, aggregates, REQUEST_METRIC_NAMES, [['Service']]));
    }
    if (this.#calls) {
      const { http, aws, overflowed } = this.#calls.take();
      this.#overflow(overflowed, 'call');
      documents.push(...exchangeDocuments(context, http, CALL_METRIC_NAMES), ...exchangeDocuments(context, aws, CALL_METRIC_NAMES));
    }
    const custom = this.#custom.take();
    this.#overflow(custom.overflowed, 'custom metric');
    if (custom.dropped > 0) this.#counters.rejected += custom.dropped;
    documents.push(...customDocuments(context, custom.groups, this.#metadata));
    this.#metadata = {};
    return documents;
  }

  #overflow(count: number, kind: string): void {
    if (count === 0) return;
    this.#counters.overflowed += count;
    this.#diagnostics.once(
      'warn',
      `metrics-overflow:${kind}`,
      `more than ${this.#settings.maxDimensionSets} distinct ${kind} dimension sets in one interval; the rest are counted under dimension values "Other" (raise maxDimensionSets, or use fewer distinct values)`,
    );
  }

  #dimensionProblem(dimensions: Record<string, string> | undefined): string | undefined {
    if (dimensions === undefined) return undefined;
    const extra = Object.keys(this.#defaultDimensions).filter((k) => !(k in dimensions)).length + (this.#serviceName() === undefined || 'Service' in dimensions ? 0 : 1);
    return dimensionsProblem(dimensions, extra);
  }

  // Default dimensions, then the service, then the value's own: a value may override either.
  #dimensionsFor(own: Record<string, string> | undefined): Record<string, string> {
    const service = this.#serviceName();
    return { ...this.#defaultDimensions, ...(service === undefined ? {} : { Service: service }), ...own };
  }

  #serviceName(): string | undefined {
    return this.#settings.service ?? currentEntity()?.segment.name;
  }

  #reject(problem: string): false {
    this.#counters.rejected++;
    this.#diagnostics.oncePerKey('metrics', 'warn', problem, `metric not recorded: ${problem}`);
    return false;
  }
}
