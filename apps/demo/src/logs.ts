// The services write one JSON object per line on stdout (CRUDDUR_LOG_CONSOLE=json). These are
// kept in memory, bounded, so a trace's log lines can be found by its trace id.

/** One line a service printed on stdout, parsed when it is a JSON object. */
export interface LogLine {
  /** The process that printed it (`cruddur-backend`, `cruddur-worker`). */
  readonly source: string;
  /** When the line was read, epoch milliseconds. */
  readonly receivedAt: number;
  /** The line as printed. */
  readonly raw: string;
  /** The parsed entry; undefined when the line is not a JSON object. */
  readonly entry: Readonly<Record<string, unknown>> | undefined;
}

/** The trace id a log line carries (`trace_id`), if any. */
export function traceIdOf(line: LogLine): string | undefined {
  const value = line.entry?.trace_id;
  return typeof value === 'string' ? value : undefined;
}

/** A fixed-size buffer of lines: the oldest goes first once `capacity` is reached. */
export class LogBuffer {
  readonly #lines: LogLine[] = [];
  #dropped = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`log capacity must be a positive integer, got ${String(capacity)}`);
  }

  push(line: LogLine): void {
    this.#lines.push(line);
    if (this.#lines.length > this.capacity) {
      this.#lines.shift();
      this.#dropped++;
    }
  }

  /** The lines held, oldest first. */
  lines(): readonly LogLine[] {
    return [...this.#lines];
  }

  /** Lines evicted to stay within the capacity. */
  get dropped(): number {
    return this.#dropped;
  }
}

/** Parses one printed line: the object when it is JSON, else undefined. */
export function parseLogLine(source: string, raw: string, receivedAt = Date.now()): LogLine {
  let entry: Record<string, unknown> | undefined;
  if (raw.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(raw);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) entry = parsed as Record<string, unknown>;
    } catch {
      entry = undefined;
    }
  }
  return { source, receivedAt, raw, entry };
}

/**
 * Splits a stream of chunks into lines and hands each complete one to `onLine`. A line longer
 * than `maxLineBytes` is cut there (the rest of it is dropped) so one runaway line cannot grow
 * memory without limit.
 */
export function lineSplitter(onLine: (line: string) => void, maxLineBytes = 256 * 1024): { write(chunk: Buffer | string): void; end(): void } {
  let pending = '';
  let skipping = false;
  return {
    write(chunk) {
      const parts = (pending + chunk.toString()).split('\n');
      pending = parts.pop() ?? '';
      for (const part of parts) {
        if (skipping) {
          skipping = false;
          continue;
        }
        const line = part.endsWith('\r') ? part.slice(0, -1) : part;
        if (line.length > 0) onLine(line);
      }
      if (pending.length > maxLineBytes) {
        if (!skipping) onLine(pending.slice(0, maxLineBytes));
        pending = '';
        skipping = true;
      }
    },
    end() {
      if (pending.length > 0 && !skipping) onLine(pending);
      pending = '';
      skipping = false;
    },
  };
}

/** The entry's own fields, without the ones every line has (shown elsewhere or implied). */
const COMMON_FIELDS = new Set(['timestamp', 'level', 'service', 'trace_id', 'segment_id', 'sampled', 'message']);

/** A one-line human view of a log line: `time service level message {other fields}`. */
export function formatLogLine(line: LogLine, { color = false }: { color?: boolean } = {}): string {
  const entry = line.entry;
  if (!entry) return `${line.source}  ${line.raw}`;
  const paint = (code: string, text: string): string => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const time = typeof entry.timestamp === 'string' ? entry.timestamp.slice(11, 23) : '';
  const level = typeof entry.level === 'string' ? entry.level : '';
  const levelText = level === 'error' ? paint('31', level.padEnd(5)) : level === 'warn' ? paint('33', level.padEnd(5)) : paint('2', level.padEnd(5));
  const service = typeof entry.service === 'string' ? entry.service : line.source;
  // An access line's message already says method, path, status and duration.
  const rest: Record<string, unknown> = {};
  if (entry.log_type !== 'access') for (const [key, value] of Object.entries(entry)) if (!COMMON_FIELDS.has(key) && key !== 'stack') rest[key] = value;
  const extra = Object.keys(rest).length > 0 ? `  ${paint('2', clip(JSON.stringify(rest), 200))}` : '';
  const segment = typeof entry.segment_id === 'string' ? paint('2', ` [segment ${entry.segment_id}]`) : '';
  return `${paint('2', time)} ${service.padEnd(15)} ${levelText} ${clip(String(entry.message ?? ''), 120)}${segment}${extra}`;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
