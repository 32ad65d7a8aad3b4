import Rollbar from 'rollbar';
import type { ResolvedReporterSettings } from './settings.js';
import { liftPerson } from './custom-data.js';
import { scrubPayloadInPlace } from './payload-scrub.js';

/** The part of the Rollbar client the reporter uses. */
export type RollbarClient = Pick<Rollbar, 'error' | 'critical' | 'warning' | 'info' | 'debug'>;

/**
 * Builds the Rollbar client the way the reporter needs it: the endpoint verbatim; no retries
 * (rollbar 3.x retries on an interval it never clears, which would keep the process alive);
 * no process handlers of its own (the reporter installs handlers that keep Node's exit
 * behaviour); no auto-instrumentation; its console logging off (the reporter reports delivery
 * trouble once through its own diagnostics); the person as the application set it; and the
 * package's scrubbing over every payload.
 */
export function createRollbarClient(settings: ResolvedReporterSettings & { accessToken: string }): RollbarClient {
  const config: Rollbar.Configuration = {
    accessToken: settings.accessToken,
    environment: settings.environment,
    captureUncaught: false,
    captureUnhandledRejections: false,
    autoInstrument: false,
    retryInterval: null,
    captureEmail: true,
    captureUsername: true,
    // The package's one scrubbing policy (below) covers the whole payload; Rollbar's own lists
    // would be a second policy, and its text scrubbing cuts messages off at the first secret.
    overwriteScrubFields: true,
    scrubFields: [],
    scrubHeaders: [],
    transform: (data) => {
      liftPerson(data);
      scrubPayloadInPlace(data);
    },
    // 'disable' is the silent level of rollbar's internal logger (not in its typings).
    logLevel: 'disable' as Rollbar.Level,
  };
  if (settings.endpoint !== undefined) config.endpoint = settings.endpoint;
  if (settings.codeVersion !== undefined) config.codeVersion = settings.codeVersion;
  return new Rollbar(config);
}
