import winston from 'winston';
import { stringify } from './json-line.js';

const MESSAGE = Symbol.for('message');
const SKIP = new Set(['timestamp', 'level', 'service', 'message', 'trace_id', 'segment_id', 'sampled']);

/**
 * A human-friendly line for a terminal: `time level [service] message trace=<id> key=value…`,
 * level coloured. Used for the console when stdout is a TTY.
 */
export function prettyLine(): winston.Logform.Format {
  return winston.format.combine(
    winston.format.colorize({ level: true }),
    winston.format((info) => {
      const rest: Record<string, unknown> = {};
      for (const key of Object.keys(info)) if (!SKIP.has(key) && info[key] !== undefined) rest[key] = info[key];
      const extra = Object.keys(rest).length > 0 ? ` ${stringify(rest)}` : '';
      const trace = typeof info.trace_id === 'string' ? ` trace=${info.trace_id}` : '';
      const time = typeof info.timestamp === 'string' ? `${info.timestamp.slice(11, 23)} ` : '';
      info[MESSAGE] = `${time}${info.level} [${String(info.service)}] ${String(info.message)}${trace}${extra}`;
      return info;
    })(),
  );
}
