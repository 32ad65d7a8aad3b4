import { internalTokenFromEnv } from './internal-token.js';

export interface WorkerConfig {
  port: number;
  host: string;
  tableName: string;
  backendUrl: string;
  endpoint?: string;
  region: string;
  /** `CRUDDUR_INTERNAL_TOKEN` or the content of `CRUDDUR_INTERNAL_TOKEN_FILE`. */
  internalToken: string | undefined;
}

function port(value: string | undefined, fallback: number): number {
  if (!value) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`PORT must be an integer 0-65535, got "${value}"`);
  return n;
}

/**
 * PORT (4568), HOST (127.0.0.1: internal, the backend calls it; compose sets 0.0.0.0), BACKEND_URL,
 * CRUDDUR_INTERNAL_TOKEN / CRUDDUR_INTERNAL_TOKEN_FILE, AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL, DDB_MESSAGE_TABLE, AWS_DEFAULT_REGION / AWS_REGION.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  return {
    port: port(env.PORT, 4568),
    host: env.HOST || '127.0.0.1',
    tableName: env.DDB_MESSAGE_TABLE || 'cruddur-messages',
    backendUrl: env.BACKEND_URL || 'http://127.0.0.1:4567',
    // The SDK's DynamoDB-only variable first: AWS_ENDPOINT_URL would also redirect CloudWatch Logs and X-Ray.
    endpoint: env.AWS_ENDPOINT_URL_DYNAMODB || env.AWS_ENDPOINT_URL || undefined,
    region: env.AWS_DEFAULT_REGION || env.AWS_REGION || 'us-east-1',
    internalToken: internalTokenFromEnv(env),
  };
}
