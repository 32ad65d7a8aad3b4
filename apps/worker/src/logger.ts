import { type Logger } from './deps.js';

type Level = 'info' | 'warn' | 'error';

/** JSON-lines logger on stdout/stderr, used when no other logger is supplied. */
export function createConsoleLogger(service: string): Logger {
  const write = (level: Level, message: string, meta?: Record<string, unknown>): void => {
    const line = JSON.stringify({ time: new Date().toISOString(), level, service, message, ...meta });
    if (level === 'info') process.stdout.write(`${line}\n`);
    else process.stderr.write(`${line}\n`);
  };
  return {
    info: (message, meta) => write('info', message, meta),
    warn: (message, meta) => write('warn', message, meta),
    error: (message, meta) => write('error', message, meta),
  };
}

/** A logger that drops everything (tests). */
export const silentLogger: Logger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
