import winston from 'winston';
import { Diagnostics } from '../core/diagnostics.js';
import { getDefaultTracer } from '../core/default-tracer.js';
import { subscribeAccessLog } from './access-log.js';
import { CloudWatchLogsTransport } from './cloudwatch/transport.js';
import type { FlushResult } from './cloudwatch/types.js';
import { jsonLine } from './json-line.js';
import { NullTransport } from './null-transport.js';
import type { LoggerOptions } from './options.js';
import { prettyLine } from './pretty-format.js';
import { scrubSecrets } from './scrub-format.js';
import { announceLogGroup } from './segment-logs.js';
import { resolveLoggerSettings } from './settings.js';
import { traceFields } from './trace-format.js';

/** A winston logger with delivery control. */
export interface Logger extends winston.Logger {
  /** The CloudWatch Logs transport, when CloudWatch is on. */
  readonly cloudwatch: CloudWatchLogsTransport | undefined;
  /**
   * Resolves once every entry logged so far was delivered or definitively failed, or after
   * `timeoutMs` (default 10 s) with `complete: false`. Without CloudWatch it resolves at once.
   */
  flush(timeoutMs?: number): Promise<FlushResult>;
  /** Flushes, stops the access log and closes the transports. Never rejects. */
  shutdown(timeoutMs?: number): Promise<FlushResult>;
}

const NOTHING_PENDING: FlushResult = Object.freeze({ complete: true, pending: 0, delivered: 0, dropped: 0, failed: 0 });

/**
 * Creates the service's winston logger: JSON entries with `timestamp`, `level`, `message`,
 * `service` and, inside a request, `trace_id`, `segment_id` and `sampled`; secrets scrubbed; a
 * console transport (pretty in a TTY, JSON otherwise); CloudWatch Logs when a log group is
 * configured (then every segment names the group in `aws.cloudwatch_logs`); one access-log entry
 * per request. Throws {@link LoggerConfigError} for settings that cannot work.
 */
export function createLogger(options: LoggerOptions, env: NodeJS.ProcessEnv = process.env): Logger {
  const settings = resolveLoggerSettings(options, env, process.stdout.isTTY === true);
  const diagnostics = new Diagnostics(options.diagnostics, options.diagnosticLevel ?? 'warn');
  const transports: winston.transport[] = [];
  if (settings.console !== 'off') {
    transports.push(new winston.transports.Console({ format: settings.console === 'pretty' ? prettyLine() : jsonLine() }));
  }
  let cloudwatch: CloudWatchLogsTransport | undefined;
  if (settings.cloudwatch) {
    cloudwatch = new CloudWatchLogsTransport({ ...settings.cloudwatch, format: jsonLine(), diagnostics });
    transports.push(cloudwatch);
    announceLogGroup(options.tracer ?? getDefaultTracer(), settings.cloudwatch.logGroup);
  }
  const base = winston.createLogger({
    level: settings.level,
    defaultMeta: { ...options.defaultMeta, service: settings.service },
    format: winston.format.combine(winston.format.errors({ stack: true }), winston.format.timestamp(), traceFields(), scrubSecrets()),
    transports: transports.length > 0 ? transports : [new NullTransport()],
    exitOnError: false,
  });
  // winston re-emits transport errors; with no listener an 'error' event would crash the host.
  base.on('error', (err: unknown) => diagnostics.once('error', 'logger-error', `logger error: ${String(err)}`));
  const stopAccessLog = settings.accessLog ? subscribeAccessLog(base) : undefined;

  const flush = async (timeoutMs?: number): Promise<FlushResult> => {
    await drainPipeline(base);
    return cloudwatch ? cloudwatch.flush(timeoutMs) : { ...NOTHING_PENDING };
  };
  let shuttingDown: Promise<FlushResult> | undefined;
  const shutdown = (timeoutMs?: number): Promise<FlushResult> => {
    shuttingDown ??= (async () => {
      stopAccessLog?.();
      const result = await flush(timeoutMs).catch(() => ({ ...NOTHING_PENDING, complete: false }));
      const closed = cloudwatch ? await cloudwatch.close(1) : result;
      base.close();
      // Later entries are dropped without winston's per-entry complaint, and counted where the
      // logger has counters: the CloudWatch transport, closed by now, counts them as dropped.
      base.add(new NullTransport(cloudwatch ? (info) => cloudwatch.log(info, () => {}) : undefined));
      return { ...closed, complete: result.complete && closed.complete };
    })();
    return shuttingDown;
  };
  return Object.assign(base, { cloudwatch, flush, shutdown });
}

// Entries pass through winston's stream pipeline before reaching a transport; wait (a few turns
// of the event loop at most) until none is left in between.
async function drainPipeline(logger: winston.Logger): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const pending = logger.readableLength + logger.writableLength + logger.transports.reduce((n, t) => n + t.writableLength, 0);
    if (pending === 0) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
