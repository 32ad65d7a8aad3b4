import { createRequire } from 'node:module';
import { scrubUrl, type Tracer } from '@cruddur/middleware';
import { registerOtelBridge } from '@cruddur/middleware/otel';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import type * as IORedis from 'ioredis';
import { type Logger } from '../deps.js';
import { parseRedisUrl } from './redis-url.js';

/** A Redis client made by {@link connectTracedRedis}. */
export type TracedRedis = IORedis.Redis;

// One instrumentation per process: a second one would wrap ioredis again and record every command twice.
let instrumentation: IORedisInstrumentation | undefined;

/**
 * ioredis with every command traced as a subsegment of the current request, set up as
 * README-otel-bridge.md says for CommonJS (ioredis is a CommonJS package): the bridge, then the
 * instrumentation (enabled by `registerInstrumentations`, as its README says), and only then
 * `require('ioredis')`, which the instrumentation's require hook patches. A plain `import` of
 * ioredis would be evaluated before any of this runs, unpatched.
 */
function tracedIORedis(tracer: Tracer): typeof IORedis {
  registerOtelBridge({ tracer });
  if (!instrumentation) {
    instrumentation = new IORedisInstrumentation();
    registerInstrumentations({ instrumentations: [instrumentation] });
  }
  // In the production bundle, ioredis stays a package of its own beside it (scripts/bundle-app.mjs
  // --cjs-package): the hook patches packages that `require` loads, not code compiled into a bundle.
  return createRequire(import.meta.url)('ioredis') as typeof IORedis;
}

export interface TracedRedisOptions {
  tracer: Tracer;
  logger: Logger;
  /** A command that has not answered after this many ms fails (the feed then comes from DynamoDB). Default 250. */
  commandTimeoutMs?: number;
}

/**
 * Connects to Redis in the background and keeps reconnecting; a Redis that is down or slow never
 * holds or fails a request: nothing is queued while disconnected, a command fails after
 * `commandTimeoutMs`, and the callers fall back to DynamoDB. Outages are logged once each.
 */
export function connectTracedRedis(url: string, options: TracedRedisOptions): TracedRedis {
  parseRedisUrl(url);
  const { Redis } = tracedIORedis(options.tracer);
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    commandTimeout: options.commandTimeoutMs ?? 250,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  const where = scrubUrl(url);
  // One line per outage, not one per failed reconnect attempt: `reported` resets once Redis is back.
  let reported = false;
  const outage = (reason: string): void => {
    if (reported) return;
    reported = true;
    options.logger.warn('redis unavailable: the home feed is read from DynamoDB until it is back', { redis: where, error: reason });
  };
  // 'error' before the first connection; 'reconnecting' when a connection is lost (not on disconnect()).
  redis.on('error', (err: Error) => outage(err.message));
  redis.on('reconnecting', () => outage('connection lost'));
  redis.on('ready', () => {
    reported = false;
    options.logger.info('redis connected: the home feed is cached', { redis: where });
  });
  return redis;
}

