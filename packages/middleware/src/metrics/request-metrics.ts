import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { REQUEST_END_CHANNEL, type RequestEndEvent } from '../core/incoming.js';
import { AggregateTable } from './aggregate-table.js';
import { ExchangeStats, outcomeOfStatus } from './exchange-stats.js';
import { dimensionValue } from './validate.js';

/** The `Route` of requests no route matched (a 404, a failure before routing): never the raw path. */
export const UNMATCHED_ROUTE = '(unmatched)';

/**
 * Request metrics from every request the Express and Fastify integrations finish, sampled or not
 * (they publish on {@link REQUEST_END_CHANNEL}), aggregated per service, route template and
 * method. Recording is a few map lookups and counter increments: no allocation once an aggregate
 * exists, no I/O.
 */
export class RequestMetrics {
  readonly #service: string | undefined;
  readonly #max: number;
  #table: AggregateTable<ExchangeStats>;
  /** Requests recorded since start. */
  recorded = 0;
  readonly #listener = (message: unknown): void => {
    try {
      this.record(message as RequestEndEvent);
    } catch {
      // metrics must never break the response that just finished
    }
  };

  constructor(service: string | undefined, maxDimensionSets: number) {
    this.#service = service;
    this.#max = maxDimensionSets;
    this.#table = this.#newTable();
  }

  /** Starts listening to finished requests. */
  start(): void {
    subscribe(REQUEST_END_CHANNEL, this.#listener);
  }

  /** Stops listening. */
  stop(): void {
    unsubscribe(REQUEST_END_CHANNEL, this.#listener);
  }

  /** Adds one finished request. */
  record(event: RequestEndEvent): void {
    this.recorded++;
    const segment = event.segment;
    const stats = this.#table.get(this.#service ?? segment.name, event.route ?? UNMATCHED_ROUTE, event.method);
    stats.record(event.durationMs, outcomeOfStatus(event.status), event.status, segment.isSampled ? segment.traceId : undefined);
  }

  /** Hands over this interval's aggregates and starts the next interval empty. */
  take(): { aggregates: ExchangeStats[]; overflowed: number } {
    const table = this.#table;
    this.#table = this.#newTable();
    return { aggregates: table.values(), overflowed: table.overflowed };
  }

  #newTable(): AggregateTable<ExchangeStats> {
    // Dimension values are made valid once per aggregate, not per request.
    return new AggregateTable(
      this.#max,
      (service, route, method) => new ExchangeStats({ Service: dimensionValue(service, 'unknown'), Route: dimensionValue(route, UNMATCHED_ROUTE), Method: dimensionValue(method, 'UNKNOWN') }),
    );
  }
}
