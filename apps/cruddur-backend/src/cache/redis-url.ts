// Apart from traced-redis.ts: the configuration is checked without loading any Redis or
// OpenTelemetry code, which a service without CRUDDUR_REDIS_URL never loads.
import { scrubUrl } from '@cruddur/middleware';

/**
 * `redis://` or `rediss://`, else an error naming the variable and its value (its password
 * masked: the message goes to the logs).
 */
export function parseRedisUrl(value: string, variable = 'CRUDDUR_REDIS_URL'): URL {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url?.protocol !== 'redis:' && url?.protocol !== 'rediss:') {
    throw new Error(`${variable} must be a redis:// or rediss:// URL (e.g. redis://127.0.0.1:6379), got "${scrubUrl(value)}"`);
  }
  return url;
}
