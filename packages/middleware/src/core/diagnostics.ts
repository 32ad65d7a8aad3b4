import { channel } from 'node:diagnostics_channel';
import { envReader, type Env } from './env.js';

/** Severity of a diagnostic, lowest first. `silent` turns them all off. */
export type DiagnosticLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** Where the tracer reports its own trouble (bad input, a dead daemon, …). Never the request path's. */
export interface DiagnosticLogger {
  /** Detail for troubleshooting (`logLevel: 'debug'`). */
  debug(message: string): void;
  /** Notable events (a rule set loaded, a plugin applied). */
  info(message: string): void;
  /** Something degraded: a document dropped, a setting ignored. */
  warn(message: string): void;
  /** Something failed: a destination unreachable, a document refused. */
  error(message: string): void;
}

/** Every diagnostic is also published here, so tests and tools can observe them without a logger. */
export const DIAGNOSTICS_CHANNEL = 'cruddur.middleware.diagnostic';
const diagnosticsChannel = channel(DIAGNOSTICS_CHANNEL);

/** The message published on {@link DIAGNOSTICS_CHANNEL}. */
export interface DiagnosticEvent {
  /** How serious: `debug`, `info`, `warn` or `error`. */
  level: Exclude<DiagnosticLevel, 'silent'>;
  /** What happened, in one sentence. */
  message: string;
}

const ORDER: Record<DiagnosticLevel, number> = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 };

const LEVELS: readonly DiagnosticLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

/**
 * Reads the level from `AWS_XRAY_DEBUG_MODE` (a boolean: on means `debug`) and
 * `AWS_XRAY_LOG_LEVEL`; `warn` when neither is set.
 * @throws ConfigError for a value that is neither a boolean nor a level.
 */
export function levelFromEnv(env: Env = process.env): DiagnosticLevel {
  const read = envReader(env);
  if (read.boolean('AWS_XRAY_DEBUG_MODE') === true) return 'debug';
  return read.choice('AWS_XRAY_LOG_LEVEL', LEVELS) ?? 'warn';
}

/**
 * Filters by level, prefixes messages, and remembers "once" keys so a broken annotation key in a
 * hot loop warns a single time instead of flooding the logs.
 */
export class Diagnostics {
  readonly #sink: DiagnosticLogger;
  readonly #threshold: number;
  readonly #seen = new Set<string>();
  readonly #seenByCategory = new Map<string, Set<string>>();

  constructor(sink: DiagnosticLogger = consoleSink, level: DiagnosticLevel = levelFromEnv()) {
    this.#sink = sink;
    this.#threshold = ORDER[level];
  }

  /** Logs at `debug` when the level allows, and publishes on {@link DIAGNOSTICS_CHANNEL}. */
  debug(message: string): void {
    this.#emit('debug', message);
  }
  /** Logs at `info` when the level allows, and publishes on {@link DIAGNOSTICS_CHANNEL}. */
  info(message: string): void {
    this.#emit('info', message);
  }
  /** Logs at `warn` when the level allows, and publishes on {@link DIAGNOSTICS_CHANNEL}. */
  warn(message: string): void {
    this.#emit('warn', message);
  }
  /** Logs at `error` when the level allows, and publishes on {@link DIAGNOSTICS_CHANNEL}. */
  error(message: string): void {
    this.#emit('error', message);
  }

  /** Emits `message` only the first time `key` is seen (bounded memory: at most 1,000 keys). */
  once(level: Exclude<DiagnosticLevel, 'silent'>, key: string, message: string): void {
    const k = boundedKey(key);
    if (this.#seen.has(k)) return;
    if (this.#seen.size < 1000) this.#seen.add(k);
    this.#emit(level, message);
  }

  /**
   * Like {@link Diagnostics.once}, for keys that come from application data (annotation and metadata keys):
   * at most 100 distinct keys of a `category` are reported, then one notice says that further
   * ones are not. Application data can hold any number of distinct keys; without this budget a
   * loop adding 10,000 of them would print thousands of warnings per request, and would fill the
   * set {@link Diagnostics.once} relies on for the package's own problems.
   */
  oncePerKey(category: string, level: Exclude<DiagnosticLevel, 'silent'>, key: string, message: string): void {
    let seen = this.#seenByCategory.get(category);
    if (seen === undefined) this.#seenByCategory.set(category, (seen = new Set()));
    const k = boundedKey(key);
    if (seen.has(k)) return;
    if (seen.size >= KEYS_PER_CATEGORY) {
      this.once('warn', `${category}:budget`, `more than ${KEYS_PER_CATEGORY} distinct ${category} problems were reported; further ones are not`);
      return;
    }
    seen.add(k);
    this.#emit(level, message);
  }

  #emit(level: Exclude<DiagnosticLevel, 'silent'>, message: string): void {
    if (diagnosticsChannel.hasSubscribers) diagnosticsChannel.publish({ level, message } satisfies DiagnosticEvent);
    if (ORDER[level] < this.#threshold) return;
    try {
      this.#sink[level](`[@cruddur/middleware] ${message}`);
    } catch {
      // a broken user logger must not take the request down with it
    }
  }
}

const KEYS_PER_CATEGORY = 100;

// Keys may embed application data of any size (a 5 MB annotation key): remember a bounded prefix.
function boundedKey(key: string): string {
  return key.length > 200 ? key.slice(0, 200) : key;
}

const consoleSink: DiagnosticLogger = {
  debug: (m) => console.debug(m),
  info: (m) => console.info(m),
  warn: (m) => console.warn(m),
  error: (m) => console.error(m),
};
