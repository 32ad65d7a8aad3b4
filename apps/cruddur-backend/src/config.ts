import { dynamoOptionsFromEnv, type DynamoOptions } from './db/client.js';
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
}

function port(value: string | undefined, fallback: number): number {
  if (!value) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`PORT must be an integer 0-65535, got "${value}"`);
  return n;
}

/**
 * PORT (4567), HOST (0.0.0.0), WORKER_URL, CRUDDUR_INTERNAL_TOKEN / CRUDDUR_INTERNAL_TOKEN_FILE,
 * AWS_ENDPOINT_URL, DDB_MESSAGE_TABLE, AWS_DEFAULT_REGION / AWS_REGION.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): BackendConfig {
  return {
    ...dynamoOptionsFromEnv(env),
    port: port(env.PORT, 4567),
    host: env.HOST || '0.0.0.0',
    workerUrl: env.WORKER_URL || 'http://127.0.0.1:4568',
    internalToken: internalTokenFromEnv(env),
    demoRoutes: env.CRUDDUR_DEMO_ROUTES === '1',
  };
}
