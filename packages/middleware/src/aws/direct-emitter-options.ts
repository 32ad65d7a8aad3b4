import type { AwsClientSettings, AwsSdkClient } from '../core/aws-sdk-shapes.js';
import type { Diagnostics } from '../core/diagnostics.js';

/** Options of {@link DirectXRayEmitter}. */
export interface DirectXRayEmitterOptions {
  /**
   * Your own `XRayClient` of `@aws-sdk/client-xray` (region, credentials, endpoint, retry
   * settings). Its own retries apply before this emitter's.
   */
  client?: AwsSdkClient;
  /**
   * Configuration of the client created on first use when `client` is absent, e.g. `{ region }`.
   * Default: the SDK's region and credential chains, one attempt per call (the emitter retries).
   */
  clientConfig?: AwsClientSettings;
  /** Documents per PutTraceSegments call, 1–50. Default 50. */
  batchSize?: number;
  /** A partial batch leaves this long after its first document arrived. Default 1,000 ms. */
  flushIntervalMs?: number;
  /** Documents waiting to be sent at most; beyond that new documents are dropped and counted. Default 5,000. */
  maxQueue?: number;
  /** Further attempts for a call that was throttled or failed transiently. Default 3. */
  maxRetries?: number;
  /** Back-off before the first retry; doubles each retry (with jitter), capped at 20 s. Default 200 ms. */
  retryBaseMs?: number;
  /** PutTraceSegments calls in flight at most. Default 2. */
  maxConcurrency?: number;
  /** Where rejected documents and failures are reported. Default: a console logger at the environment's level. */
  diagnostics?: Diagnostics;
  /** Uniform in [0, 1), for back-off jitter. Default `Math.random`. */
  random?: () => number;
}

/** The most documents PutTraceSegments takes in one call (the daemon's batch size). */
export const MAX_DOCUMENTS_PER_CALL = 50;

/** {@link DirectXRayEmitterOptions} with every default applied and bounds checked. */
export interface ResolvedDirectOptions {
  batchSize: number;
  flushIntervalMs: number;
  maxQueue: number;
  maxRetries: number;
  retryBaseMs: number;
  maxConcurrency: number;
  random: () => number;
}

/**
 * Applies defaults; throws a RangeError naming the option, the value and the allowed range for
 * values that cannot work (a configuration error belongs at start-up, not in the first flush).
 */
export function resolveDirectOptions(options: DirectXRayEmitterOptions): ResolvedDirectOptions {
  return {
    batchSize: integer('batchSize', options.batchSize ?? MAX_DOCUMENTS_PER_CALL, 1, MAX_DOCUMENTS_PER_CALL),
    flushIntervalMs: integer('flushIntervalMs', options.flushIntervalMs ?? 1_000, 1, 3_600_000),
    maxQueue: integer('maxQueue', options.maxQueue ?? 5_000, 1, 10_000_000),
    maxRetries: integer('maxRetries', options.maxRetries ?? 3, 0, 20),
    retryBaseMs: integer('retryBaseMs', options.retryBaseMs ?? 200, 0, 60_000),
    maxConcurrency: integer('maxConcurrency', options.maxConcurrency ?? 2, 1, 64),
    random: options.random ?? Math.random,
  };
}

function integer(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`DirectXRayEmitter option ${name} is ${JSON.stringify(value)}; expected an integer from ${min} to ${max}`);
  }
  return value;
}
