import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { CALL_END_CHANNEL, type CallEndEvent } from '../core/call-end.js';
import { currentEntity } from '../core/context.js';
import type { Entity } from '../core/entity.js';
import { Subsegment } from '../core/subsegment.js';
import { AggregateTable } from './aggregate-table.js';
import { ExchangeStats, Outcome, outcomeOfStatus } from './exchange-stats.js';
import { dimensionValue } from './validate.js';

// Outgoing HTTP calls are observed on the channels Node.js and undici publish for every call, so
// they are counted whether the trace is sampled or not, and whether or not outgoing tracing is on.
// Latency runs from the moment the request is sent to the moment the response headers arrive
// (or the call fails).
const UNDICI_CREATE = 'undici:request:create';
const UNDICI_HEADERS = 'undici:request:headers';
const UNDICI_ERROR = 'undici:request:error';
const HTTP_START = 'http.client.request.start';
const HTTP_RESPONSE = 'http.client.response.finish';
const HTTP_ERROR = 'http.client.request.error';

// The AWS SDK v3 marks each attempt with this header; its operations are counted once each, by
// operation, through the SDK middleware (CALL_END_CHANNEL), not again as HTTP calls.
const SDK_ATTEMPT_HEADER = 'amz-sdk-invocation-id';

const OUTCOME: Record<CallEndEvent['outcome'], Outcome> = { ok: Outcome.Ok, error: Outcome.Error, throttle: Outcome.Throttle, fault: Outcome.Fault };

interface PendingCall {
  started: number;
  service: string;
  host: string;
  traceId: string | undefined;
}

/**
 * Outgoing call metrics: HTTP calls per remote host, AWS SDK operations per service and
 * operation, made while handling a request (the package's own uploads run outside any request and
 * are not counted).
 */
export class CallMetrics {
  readonly #service: string | undefined;
  readonly #max: number;
  #http: AggregateTable<ExchangeStats>;
  #aws: AggregateTable<ExchangeStats>;
  readonly #pending = new WeakMap<object, PendingCall>();
  readonly #subscriptions: [string, (message: unknown) => void][];
  /** Calls recorded since start. */
  recorded = 0;

  constructor(service: string | undefined, maxDimensionSets: number) {
    this.#service = service;
    this.#max = maxDimensionSets;
    this.#http = this.#newHttpTable();
    this.#aws = this.#newAwsTable();
    this.#subscriptions = [
      [UNDICI_CREATE, guarded((m) => this.#onUndiciCreate(m as { request: UndiciRequest }))],
      [UNDICI_HEADERS, guarded((m) => this.#onAnswer((m as { request: object }).request, (m as { response: { statusCode: number } }).response.statusCode))],
      [UNDICI_ERROR, guarded((m) => this.#onAnswer((m as { request: object }).request, undefined))],
      [HTTP_START, guarded((m) => this.#onHttpStart((m as { request: ClientRequest }).request))],
      [HTTP_RESPONSE, guarded((m) => this.#onAnswer((m as { request: object }).request, (m as { response: IncomingMessage }).response.statusCode ?? 0))],
      [HTTP_ERROR, guarded((m) => this.#onAnswer((m as { request: object }).request, undefined))],
      [CALL_END_CHANNEL, guarded((m) => this.#onAwsCall(m as CallEndEvent))],
    ];
  }

  /** Starts listening. */
  start(): void {
    for (const [name, listener] of this.#subscriptions) subscribe(name, listener);
  }

  /** Stops listening. */
  stop(): void {
    for (const [name, listener] of this.#subscriptions) unsubscribe(name, listener);
  }

  /** Hands over this interval's aggregates and starts the next interval empty. */
  take(): { http: ExchangeStats[]; aws: ExchangeStats[]; overflowed: number } {
    const http = this.#http;
    const aws = this.#aws;
    this.#http = this.#newHttpTable();
    this.#aws = this.#newAwsTable();
    return { http: http.values(), aws: aws.values(), overflowed: http.overflowed + aws.overflowed };
  }

  #onUndiciCreate(message: { request: UndiciRequest }): void {
    const entity = callingEntity();
    if (!entity) return;
    const request = message.request;
    if (hasUndiciHeader(request.headers, SDK_ATTEMPT_HEADER)) return;
    const origin = String(request.origin);
    const scheme = origin.indexOf('//');
    this.#open(request, entity, scheme >= 0 ? origin.slice(scheme + 2) : origin);
  }

  #onHttpStart(request: ClientRequest): void {
    const entity = callingEntity();
    if (!entity || request.getHeader(SDK_ATTEMPT_HEADER) !== undefined) return;
    const host = request.getHeader('host');
    this.#open(request, entity, typeof host === 'string' ? host : request.host);
  }

  #open(request: object, entity: Entity, host: string): void {
    this.#pending.set(request, {
      started: performance.now(),
      service: this.#service ?? entity.segment.name,
      host,
      traceId: entity.sampled ? entity.traceId : undefined,
    });
  }

  // The first answer or failure ends the call; 1xx are interim answers.
  #onAnswer(request: object, status: number | undefined): void {
    if (status !== undefined && status < 200) return;
    const call = this.#pending.get(request);
    if (call === undefined) return;
    this.#pending.delete(request);
    this.recorded++;
    const durationMs = Math.round((performance.now() - call.started) * 1000) / 1000;
    this.#http.get(call.service, call.host, '').record(durationMs, status === undefined ? Outcome.Fault : outcomeOfStatus(status), status, call.traceId);
  }

  #onAwsCall(event: CallEndEvent): void {
    this.recorded++;
    const entity = event.entity;
    this.#aws
      .get(this.#service ?? entity.segment.name, event.service, event.operation ?? 'Unknown')
      .record(event.durationMs, OUTCOME[event.outcome], event.status, entity.sampled ? entity.traceId : undefined);
  }

  #newHttpTable(): AggregateTable<ExchangeStats> {
    return new AggregateTable(this.#max, (service, host) => new ExchangeStats({ Service: dimensionValue(service, 'unknown'), RemoteHost: dimensionValue(host, 'unknown') }));
  }

  #newAwsTable(): AggregateTable<ExchangeStats> {
    return new AggregateTable(
      this.#max,
      (service, remote, operation) => new ExchangeStats({ Service: dimensionValue(service, 'unknown'), RemoteService: dimensionValue(remote, 'AWS'), RemoteOperation: dimensionValue(operation, 'Unknown') }),
    );
  }
}

interface UndiciRequest {
  origin?: unknown;
  /** undici 6+: `[name, value, …]`; undici 5: `"name: value\r\n…"`. */
  headers?: unknown;
}

// The entity a call is made under, unless the call belongs to an AWS SDK operation (its subsegment
// is current while the SDK sends) or runs outside any request (the package's own traffic).
function callingEntity(): Entity | undefined {
  const entity = currentEntity();
  if (entity instanceof Subsegment && entity.namespace === 'aws') return undefined;
  return entity;
}

function hasUndiciHeader(headers: unknown, lowerName: string): boolean {
  if (Array.isArray(headers)) {
    for (let i = 0; i < headers.length; i += 2) {
      const name: unknown = headers[i];
      if (typeof name === 'string' && name.length === lowerName.length && name.toLowerCase() === lowerName) return true;
    }
    return false;
  }
  return typeof headers === 'string' && headers.toLowerCase().includes(`${lowerName}:`);
}

function guarded(listener: (message: unknown) => void): (message: unknown) => void {
  return (message) => {
    try {
      listener(message);
    } catch {
      // metrics must never disturb the call they observe
    }
  };
}
