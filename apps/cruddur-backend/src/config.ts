import { dynamoOptionsFromEnv, type DynamoOptions } from './db/client.js';
import { parseRedisUrl } from './cache/redis-url.js';
import { internalTokenFromEnv } from './internal-token.js';

export interface BackendConfig extends DynamoOptions {
  port: number;
  host: string;
  tableName: string;
  workerUrl: string;
  /** Shared secret sent to the worker (`CRUDDUR_INTERNAL_TOKEN` or the file `CRUDDUR_INTERNAL_TOKEN_FILE` names). */
  internalToken: string | undefined;
  /** `CRUDDUR_DEMO_ROUTES=1`: mount the demo's induced-error route. */
  demoRoutes: boolean;
  /** `CRUDDUR_REDIS_URL`: Redis caches the home feed. Unset: no Redis at all. */
  redisUrl: string | undefined;
}

function port(value: string | undefined, fallback: number): number {
  if (!value) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`PORT must be an integer 0-65535, got "${value}"`);
  return n;
}

function redisUrl(value: string | undefined): string | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  parseRedisUrl(v);
  return v;
}

/**
 * PORT (4567), HOST (0.0.0.0), WORKER_URL, CRUDDUR_INTERNAL_TOKEN / CRUDDUR_INTERNAL_TOKEN_FILE,
 * AWS_ENDPOINT_URL, DDB_MESSAGE_TABLE, AWS_DEFAULT_REGION / AWS_REGION, CRUDDUR_REDIS_URL.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): BackendConfig {
  return {
    ...dynamoOptionsFromEnv(env),
    port: port(env.PORT, 4567),
    host: env.HOST || '0.0.0.0',
    workerUrl: env.WORKER_URL || 'http://127.0.0.1:4568',
    internalToken: internalTokenFromEnv(env),
    demoRoutes: env.CRUDDUR_DEMO_ROUTES === '1',
    redisUrl: redisUrl(env.CRUDDUR_REDIS_URL),
  };
}
