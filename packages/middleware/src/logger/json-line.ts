import winston from 'winston';

const MESSAGE = Symbol.for('message');

// The fields a reader looks for first come first; they also survive when a long entry has to be
// truncated to fit CloudWatch Logs.
const LEADING = ['timestamp', 'level', 'service', 'trace_id', 'segment_id', 'sampled', 'message'] as const;

/**
 * A winston format writing one JSON object per entry with a stable key order: timestamp, level,
 * service, trace_id, segment_id, sampled, message, then the entry's other fields. Values JSON
 * cannot hold (bigint, cycles) never make it throw.
 */
export const jsonLine = winston.format((info) => {
  const out: Record<string, unknown> = {};
  for (const key of LEADING) if (info[key] !== undefined) out[key] = info[key];
  for (const key of Object.keys(info)) if (!(key in out) && info[key] !== undefined) out[key] = info[key];
  info[MESSAGE] = stringify(out);
  return info;
});

/** JSON text for a log entry; falls back to a reduced entry rather than throwing. */
export function stringify(entry: Record<string, unknown>): string {
  try {
    return JSON.stringify(entry, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
  } catch (err) {
    return JSON.stringify({
      timestamp: entry.timestamp,
      level: entry.level,
      service: entry.service,
      trace_id: entry.trace_id,
      message: String(entry.message),
      log_error: `entry could not be serialised: ${err instanceof Error ? err.message : String(err)}`,
    });
  }
}
