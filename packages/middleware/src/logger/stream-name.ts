import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * `<service>/<host>/<start time>/<pid>-<random>`: readable in the console, sorted by start, and
 * distinct for parallel instances on one host (CloudWatch forbids `:` and `*` in stream names).
 */
export function defaultStreamName(service: string, now: Date = new Date()): string {
  const time = now.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/:/g, '-');
  const clean = (s: string): string => s.replace(/[:*]/g, '-');
  return `${clean(service)}/${clean(hostname())}/${time}/${process.pid}-${randomBytes(3).toString('hex')}`;
}
