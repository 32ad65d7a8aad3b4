import type { Diagnostics } from '../core/diagnostics.js';
import type { MetricsOutput } from './options.js';

const MESSAGE = Symbol.for('message');

/** Writes EMF lines to the configured output; never throws. */
export interface LineWriter {
  write(line: string): void;
  /** Waits for the output to deliver what it was given (a transport's flush). */
  flush(timeoutMs: number): Promise<boolean>;
}

/** The writer for an output setting. */
export function lineWriter(output: MetricsOutput, diagnostics: Diagnostics): LineWriter {
  const failed = (err: unknown): void => diagnostics.once('error', 'metrics-output', `an EMF document could not be written: ${String(err)}`);
  if (output === 'off') return { write: () => undefined, flush: () => Promise.resolve(true) };
  if (output === 'stdout') {
    return {
      write(line) {
        try {
          process.stdout.write(`${line}\n`);
        } catch (err) {
          failed(err);
        }
      },
      flush: () => Promise.resolve(true),
    };
  }
  if (typeof output === 'function') {
    return {
      write(line) {
        try {
          output(line);
        } catch (err) {
          failed(err);
        }
      },
      flush: () => Promise.resolve(true),
    };
  }
  return {
    write(line) {
      try {
        // The line is the entry's formatted message: a transport sends it as it is.
        output.log({ level: 'info', message: line, [MESSAGE]: line }, () => undefined);
      } catch (err) {
        failed(err);
      }
    },
    async flush(timeoutMs) {
      if (!output.flush) return true;
      try {
        const result = (await output.flush(timeoutMs)) as { complete?: unknown } | undefined;
        return result?.complete !== false;
      } catch (err) {
        failed(err);
        return false;
      }
    },
  };
}
