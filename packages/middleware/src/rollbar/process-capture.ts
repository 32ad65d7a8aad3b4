import type { ErrorReporter } from './types.js';

// Marks this package's listeners, so several reporters still count as "no listener of the application".
const OURS = Symbol.for('@cruddur/middleware.rollbar.process-capture');

/** Which process-level failures to report. */
export interface ProcessCaptureOptions {
  uncaught: boolean;
  rejections: boolean;
  /** How long the report may take before the process exits. */
  flushTimeoutMs: number;
}

/**
 * Reports uncaught exceptions and unhandled rejections. A listener for these events changes what
 * Node does (it no longer exits), so when ours is the only listener it restores that: report,
 * flush within the bound, print the error like Node, exit with code 1. When the application has
 * listeners of its own, they decide, and ours only reports.
 * @returns a function that removes the listeners.
 */
export function installProcessCapture(reporter: ErrorReporter, options: ProcessCaptureOptions): () => void {
  let exiting = false;
  const onlyOurs = (listeners: ReadonlyArray<object>): boolean => listeners.every((listener) => (listener as { [OURS]?: true })[OURS] === true);
  const crash = (error: unknown): void => {
    if (exiting) return;
    exiting = true;
    void reporter.flush(options.flushTimeoutMs).finally(() => {
      console.error(error);
      process.exit(1);
    });
  };
  const onUncaught = (error: unknown): void => {
    reporter.reportError(error, { level: 'critical', custom: { origin: 'uncaughtException' } });
    if (onlyOurs(process.listeners('uncaughtException'))) crash(error);
  };
  const onRejection = (reason: unknown): void => {
    reporter.reportError(reason, { level: 'critical', custom: { origin: 'unhandledRejection' } });
    if (onlyOurs(process.listeners('unhandledRejection')) && rejectionsAreFatal()) crash(reason);
  };
  Object.assign(onUncaught, { [OURS]: true });
  Object.assign(onRejection, { [OURS]: true });
  if (options.uncaught) process.on('uncaughtException', onUncaught);
  if (options.rejections) process.on('unhandledRejection', onRejection);
  return () => {
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onRejection);
  };
}

// Node exits on an unhandled rejection unless started with --unhandled-rejections=warn|none.
function rejectionsAreFatal(): boolean {
  const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  const mode = flags.find((flag) => flag.startsWith('--unhandled-rejections='))?.split('=')[1];
  return mode === undefined || mode === 'throw' || mode === 'strict';
}
