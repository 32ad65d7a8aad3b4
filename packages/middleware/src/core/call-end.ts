import { channel } from 'node:diagnostics_channel';
import type { Entity } from './entity.js';
import type { Subsegment } from './subsegment.js';

/** How an outgoing call ended, in the X-Ray sense of the flags. */
export type CallOutcome = 'ok' | 'error' | 'throttle' | 'fault';

/**
 * Published on {@link CALL_END_CHANNEL} when an instrumented AWS SDK operation finishes, sampled
 * or not (the metrics listen). One event per operation, retries included, like its subsegment.
 */
export interface CallEndEvent {
  /** The entity the call was made under (its segment names the service and the trace). */
  entity: Entity;
  /** The AWS service, e.g. `DynamoDB`. */
  service: string;
  /** The operation, e.g. `PutItem`. */
  operation: string | undefined;
  /** HTTP status of the last attempt, when there was an answer. */
  status: number | undefined;
  outcome: CallOutcome;
  durationMs: number;
}

/** The diagnostics channel AWS SDK operations are published on when they end. */
export const CALL_END_CHANNEL = 'cruddur.middleware.call.end';
const callEnd = channel(CALL_END_CHANNEL);

/** Whether anyone listens: without a listener, unsampled calls are not even timed. */
export function callEndObserved(): boolean {
  return callEnd.hasSubscribers;
}

/** Publishes a closed AWS subsegment; its flags already say how the operation ended. */
export function publishSubsegmentCall(subsegment: Subsegment): void {
  if (!callEnd.hasSubscribers || subsegment.endTime === undefined) return;
  const status = subsegment.http?.response?.status;
  safePublish({
    entity: subsegment.parent,
    service: subsegment.name,
    operation: typeof subsegment.aws?.operation === 'string' ? subsegment.aws.operation : undefined,
    status: typeof status === 'number' ? status : undefined,
    outcome: subsegment.fault ? 'fault' : subsegment.throttle ? 'throttle' : subsegment.error ? 'error' : 'ok',
    durationMs: Math.round((subsegment.endTime - subsegment.startTime) * 1e6) / 1000,
  });
}

/**
 * Times a call that records nothing (its trace is not sampled) and publishes how it ended. The
 * result and the error pass through untouched.
 */
export function observeCall<T>(entity: Entity, service: string, operation: string | undefined, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const end = (status: number | undefined, outcome: CallOutcome): void => {
    safePublish({ entity, service, operation, status, outcome, durationMs: Math.round((performance.now() - started) * 1000) / 1000 });
  };
  return run().then(
    (result) => {
      const status = statusOfResult(result);
      end(status, outcomeOfStatus(status));
      return result;
    },
    (error: unknown) => {
      const status = statusOfError(error);
      end(status, isThrottling(error, status) ? 'throttle' : status !== undefined && status < 500 ? 'error' : 'fault');
      throw error;
    },
  );
}

function safePublish(event: CallEndEvent): void {
  try {
    callEnd.publish(event);
  } catch {
    // a listener's failure must not change the call's result
  }
}

function outcomeOfStatus(status: number | undefined): CallOutcome {
  if (status === undefined || status < 400) return 'ok';
  if (status === 429) return 'throttle';
  return status >= 500 ? 'fault' : 'error';
}

function statusOfResult(result: unknown): number | undefined {
  const response = (result as { response?: { statusCode?: unknown } } | undefined)?.response;
  return typeof response?.statusCode === 'number' ? response.statusCode : undefined;
}

function statusOfError(error: unknown): number | undefined {
  const status = (error as { $metadata?: { httpStatusCode?: unknown } } | null)?.$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

// The same test the SDK's retry strategy uses, in short: its own mark, or a throttling name.
const THROTTLING = /Throttl|TooManyRequests|SlowDown|LimitExceeded|ProvisionedThroughputExceeded/;
function isThrottling(error: unknown, status: number | undefined): boolean {
  if (status === 429) return true;
  const e = error as { name?: unknown; $retryable?: { throttling?: unknown } } | null;
  return e?.$retryable?.throttling === true || (typeof e?.name === 'string' && THROTTLING.test(e.name));
}
