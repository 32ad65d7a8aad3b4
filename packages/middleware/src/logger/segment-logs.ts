import { processGlobal } from '../core/process-global.js';
import type { Tracer } from '../core/tracer.js';

// Log groups announced per tracer, so two loggers with different groups both appear — also when
// one logger comes from the CJS build and the other from the ESM build: one map for the process.
const announced = processGlobal('logger-log-groups.v1', () => new WeakMap<Tracer, string[]>());

/**
 * Adds `aws.cloudwatch_logs: [{ log_group }]` to every later segment of `tracer`, which is what
 * makes the X-Ray console offer "view logs" for a trace.
 */
export function announceLogGroup(tracer: Tracer, logGroup: string): void {
  const groups = announced.get(tracer) ?? [];
  if (groups.includes(logGroup)) return;
  groups.push(logGroup);
  announced.set(tracer, groups);
  tracer.addSegmentAws({ cloudwatch_logs: groups.map((log_group) => ({ log_group })) });
}
