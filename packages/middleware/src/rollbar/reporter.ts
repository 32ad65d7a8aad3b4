import { currentEntity, runUntraced } from '../core/context.js';
import { Diagnostics } from '../core/diagnostics.js';
import { scrubText } from '../core/scrub.js';
import type { Segment } from '../core/segment.js';
import { customData, PERSON_KEY } from './custom-data.js';
import { reportableError, rollbarRequest } from './payload-scrub.js';
import { personFor, setPersonFor } from './person.js';
import { installProcessCapture } from './process-capture.js';
import { boundRollbarRequests } from './request-timeout.js';
import { createRollbarClient, type RollbarClient } from './rollbar-client.js';
import { resolveReporterSettings, type ResolvedReporterSettings } from './settings.js';
import { traceData } from './trace-data.js';
import type { ErrorReporter, ErrorReporterOptions, ErrorReporterStats, ReportContext, ReportLevel, RollbarPerson } from './types.js';

const DEFAULT_FLUSH_MS = 5_000;
// "No token, reporting is off" is said once per process, however many reporters are created.
let disabledNoticeGiven = false;

type Callback = (err?: unknown) => void;

/** The reporter behind {@link createErrorReporter}. */
class RollbarErrorReporter implements ErrorReporter {
  readonly enabled: boolean;
  readonly #client: RollbarClient | undefined;
  readonly #settings: ResolvedReporterSettings;
  readonly #diagnostics: Diagnostics;
  // error object → uuid of its item: each error is reported once, whichever handlers it passes.
  readonly #reported = new WeakMap<object, string>();
  readonly #stats = { reported: 0, delivered: 0, failed: 0, dropped: 0, duplicates: 0 };
  #pending = 0;
  readonly #drainWaiters = new Set<() => void>();
  #uninstall: (() => void) | undefined;
  #unbound: (() => void) | undefined;
  #closed = false;
  #shutdown: Promise<boolean> | undefined;

  constructor(settings: ResolvedReporterSettings, diagnostics: Diagnostics) {
    this.#settings = settings;
    this.#diagnostics = diagnostics;
    const token = settings.accessToken;
    this.#client = token !== undefined ? createRollbarClient({ ...settings, accessToken: token }) : undefined;
    this.enabled = this.#client !== undefined;
    if (this.enabled) this.#unbound = boundRollbarRequests(settings.endpoint, settings.requestTimeoutMs);
    if (!this.enabled && !disabledNoticeGiven) {
      disabledNoticeGiven = true;
      diagnostics.warn('Rollbar error reporting is off: no access token (set ROLLBAR_ACCESS_TOKEN or pass accessToken)');
    }
    if (this.enabled && (settings.captureUncaught || settings.captureUnhandledRejections)) {
      this.#uninstall = installProcessCapture(this, {
        uncaught: settings.captureUncaught,
        rejections: settings.captureUnhandledRejections,
        flushTimeoutMs: settings.exitFlushTimeoutMs,
      });
    }
  }

  reportError(error: unknown, context: ReportContext = {}): string | undefined {
    try {
      const key = error !== null && (typeof error === 'object' || typeof error === 'function') ? error : undefined;
      const earlier = key ? this.#reported.get(key) : undefined;
      if (earlier !== undefined) {
        this.#stats.duplicates++;
        return earlier || undefined;
      }
      const uuid = this.#send(context.level ?? 'error', reportableError(error), context);
      if (key) this.#reported.set(key, uuid ?? '');
      return uuid;
    } catch (err) {
      this.#diagnostics.once('error', 'rollbar-report', `could not report an error to Rollbar: ${String(err)}`);
      return undefined;
    }
  }

  reportMessage(text: string, level: ReportLevel = 'info', context: ReportContext = {}): string | undefined {
    try {
      return this.#send(level, scrubText(String(text)), context);
    } catch (err) {
      this.#diagnostics.once('error', 'rollbar-message', `could not report a message to Rollbar: ${String(err)}`);
      return undefined;
    }
  }

  setPerson(person: RollbarPerson): void {
    const entity = currentEntity();
    if (!entity) {
      this.#diagnostics.once('debug', 'rollbar-person', 'setPerson() outside a request has no effect');
      return;
    }
    setPersonFor(entity.segment, person);
  }

  // Counts each item's own callback rather than using rollbar's wait(): wait() polls on an
  // interval that is not unref'd and never gives up, so a hanging endpoint would hold the process.
  flush(timeoutMs: number = DEFAULT_FLUSH_MS): Promise<boolean> {
    if (this.#pending === 0) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#drainWaiters.delete(done);
        resolve(true);
      };
      // Ref'd on purpose: whoever flushes wants the process to wait, but never past the deadline.
      const timer = setTimeout(() => {
        this.#drainWaiters.delete(done);
        resolve(false);
      }, timeoutMs);
      this.#drainWaiters.add(done);
    });
  }

  shutdown(timeoutMs: number = DEFAULT_FLUSH_MS): Promise<boolean> {
    this.#shutdown ??= (async () => {
      this.#closed = true;
      this.#uninstall?.();
      this.#uninstall = undefined;
      const flushed = await this.flush(timeoutMs);
      this.#unbound?.();
      this.#unbound = undefined;
      return flushed;
    })();
    return this.#shutdown;
  }

  close(timeoutMs?: number): Promise<boolean> {
    return this.shutdown(timeoutMs);
  }

  stats(): ErrorReporterStats {
    return { ...this.#stats, pending: this.#pending };
  }

  #send(level: ReportLevel, subject: Error | string, context: ReportContext): string | undefined {
    const client = this.#client;
    if (!client) return undefined;
    if (this.#closed) {
      this.#stats.dropped++;
      this.#diagnostics.once('warn', 'rollbar-after-shutdown', 'a report arrived after the error reporter was shut down and is dropped');
      return undefined;
    }
    if (this.#pending >= this.#settings.maxPending) {
      this.#stats.dropped++;
      this.#diagnostics.once('warn', 'rollbar-dropped', `${this.#pending} Rollbar reports are waiting for an answer; further reports are dropped and counted until they drain`);
      return undefined;
    }
    const entity = context.entity ?? currentEntity();
    const segment = entity?.segment;
    const person = context.person ?? personFor(segment);
    const custom = customData(context.custom, entity ? traceData(entity, this.#settings.region) : undefined);
    const request = context.request ? rollbarRequest(context.request, person) : undefined;
    if (!request && person) custom[PERSON_KEY] = { ...person };
    const args: Array<Error | string | object | Callback> = [subject];
    if (request) args.push(request);
    args.push(custom, this.#track());
    // Untraced: Rollbar's HTTP request is the package's own traffic, not a call of this request.
    const result = runUntraced(() => client[level](...args));
    this.#stats.reported++;
    const uuid = typeof result?.uuid === 'string' ? result.uuid : undefined;
    if (uuid !== undefined && segment) recordOnSegment(segment, uuid);
    return uuid;
  }

  #track(): Callback {
    this.#pending++;
    let settled = false;
    return (err?: unknown) => {
      if (settled) return;
      settled = true;
      this.#pending--;
      if (err) {
        this.#stats.failed++;
        const message = err instanceof Error ? err.message : String(err);
        this.#diagnostics.once('warn', `rollbar-failed:${message.slice(0, 60)}`, `Rollbar did not accept a report (${message}); requests are unaffected, failures are counted in stats()`);
      } else {
        this.#stats.delivered++;
      }
      if (this.#pending === 0) for (const done of [...this.#drainWaiters]) done();
    };
  }
}

// The trace points back at the report: search `annotation.rollbar_uuid = "…"` in X-Ray.
function recordOnSegment(segment: Segment, uuid: string): void {
  if (!segment.isSampled) return;
  segment.addAnnotation('rollbar_uuid', uuid);
  segment.addMetadata('item', { uuid, url: `https://rollbar.com/occurrence/uuid/?uuid=${encodeURIComponent(uuid)}` }, 'rollbar');
}

/**
 * Creates the error reporter. Without an access token (option or `ROLLBAR_ACCESS_TOKEN`) it is
 * disabled, says so once, and every call is a no-op; it never throws on the request path. When
 * enabled it also reports uncaught exceptions and unhandled rejections (unless turned off) and
 * then exits as Node would. Throws {@link ReporterConfigError} for settings that cannot work.
 */
export function createErrorReporter(options: ErrorReporterOptions = {}, env: NodeJS.ProcessEnv = process.env): ErrorReporter {
  const settings = resolveReporterSettings(options, env);
  return new RollbarErrorReporter(settings, new Diagnostics(options.diagnostics, options.diagnosticLevel ?? 'warn'));
}
