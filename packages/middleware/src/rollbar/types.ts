import type { DiagnosticLevel, DiagnosticLogger } from '../core/diagnostics.js';
import type { Entity } from '../core/entity.js';

/** Severity of a report, as Rollbar names it. */
export type ReportLevel = 'critical' | 'error' | 'warning' | 'info' | 'debug';

/** The end user a report is about; Rollbar groups and searches by it. */
export interface RollbarPerson {
  /** Your id of the user. */
  id: string;
  /** Shown in Rollbar's item view. */
  username?: string;
  /** Shown in Rollbar's item view (scrubbed from nothing: only pass it where policy allows). */
  email?: string;
}

/** A framework-neutral view of the request an error happened in. */
export interface ReportedRequest {
  /** The HTTP method. */
  method: string;
  /** Path and query as received (secret-looking query values are scrubbed before sending). */
  url: string;
  /** The request headers (sensitive ones are scrubbed before sending). */
  headers: Readonly<Record<string, string | string[] | number | undefined>>;
  /** The route template, e.g. `/api/activities/@:handle`. */
  route?: string;
  /** `http` or `https`. */
  protocol?: string;
  /** The client's address. */
  ip?: string;
}

/** What a report is about beyond the error itself. */
export interface ReportContext {
  /** The request, when there is one. */
  request?: ReportedRequest;
  /** The entity whose trace the report belongs to. Default: the current one. */
  entity?: Entity;
  /** The end user. Default: what {@link ErrorReporter.setPerson} set, else the segment's `user`. */
  person?: RollbarPerson;
  /** Extra data (scrubbed like everything else). */
  custom?: Record<string, unknown>;
  /** Severity. Default `error` for errors. */
  level?: ReportLevel;
}

/** Options of {@link createErrorReporter}. Explicit options win over environment variables. */
export interface ErrorReporterOptions {
  /** Rollbar server token (`post_server_item`). Env: `ROLLBAR_ACCESS_TOKEN`. Without one, reporting is off. */
  accessToken?: string;
  /** Environment name shown in Rollbar. Env: `ROLLBAR_ENVIRONMENT`, then `NODE_ENV`. Default `development`. */
  environment?: string;
  /** Code version (a git sha) for Rollbar's deploy tracking. Env: `ROLLBAR_CODE_VERSION`. */
  codeVersion?: string;
  /** Item API URL, used verbatim. Env: `ROLLBAR_ENDPOINT`. Default Rollbar's `https://api.rollbar.com/api/1/item/`. */
  endpoint?: string;
  /** Region for links to the X-Ray console. Env: `AWS_REGION`, then `AWS_DEFAULT_REGION`. No link without one. */
  region?: string;
  /** Report uncaught exceptions (then exit as Node would). Default true when enabled. */
  captureUncaught?: boolean;
  /** Report unhandled promise rejections (then exit as Node would). Default true when enabled. */
  captureUnhandledRejections?: boolean;
  /** Reports waiting for Rollbar's answer beyond which new ones are dropped and counted. Default 1,000. */
  maxPending?: number;
  /**
   * A report whose request gets no answer for this long is abandoned (its connection closed) and
   * counted as failed; reports are never retried. Default 10,000 ms.
   */
  requestTimeoutMs?: number;
  /** How long the flush before exiting after an uncaught error may take. Default 2,000 ms. */
  exitFlushTimeoutMs?: number;
  /** Where the reporter reports its own trouble. Default: the console. */
  diagnostics?: DiagnosticLogger;
  /** Level of those reports. Default `warn`. */
  diagnosticLevel?: DiagnosticLevel;
}

/** What the reporter did so far. */
export interface ErrorReporterStats {
  /** Reports handed to the Rollbar client. */
  reported: number;
  /** Reports Rollbar accepted. */
  delivered: number;
  /** Reports Rollbar refused or could not be reached for. */
  failed: number;
  /** Reports not sent because too many were waiting, or because the reporter was shut down. */
  dropped: number;
  /** Repeated reports of an error already reported (skipped). */
  duplicates: number;
  /** Reports waiting for Rollbar's answer. */
  pending: number;
}

/** Reports errors and messages to Rollbar with their trace. */
export interface ErrorReporter {
  /** False without an access token: every call is then a cheap no-op. */
  readonly enabled: boolean;
  /**
   * Reports `error` once (the same error object reported again returns the first uuid), with
   * trace id, segment id, an X-Ray console link, the scrubbed request and the person; records
   * the item's uuid on the segment as annotation `rollbar_uuid`. Never throws, never waits.
   * @returns the item's uuid, or undefined when disabled or dropped.
   */
  reportError(error: unknown, context?: ReportContext): string | undefined;
  /** Reports a message (e.g. for a `/rollbar/test` route). Default level `info`. */
  reportMessage(text: string, level?: ReportLevel, context?: ReportContext): string | undefined;
  /** Sets the person for reports made later in the current request. */
  setPerson(person: RollbarPerson): void;
  /** Resolves true once every report was answered, false after `timeoutMs` (default 5,000). Never rejects. */
  flush(timeoutMs?: number): Promise<boolean>;
  /**
   * Stops capturing uncaught errors, flushes, then releases the request-timeout hook; later
   * reports are dropped and counted in `stats().dropped`. Idempotent (every call returns the first
   * call's promise), never rejects. See README-lifecycle.md.
   */
  shutdown(timeoutMs?: number): Promise<boolean>;
  /**
   * The former name of {@link ErrorReporter.shutdown}, which it calls.
   * @deprecated Use {@link ErrorReporter.shutdown}.
   */
  close(timeoutMs?: number): Promise<boolean>;
  /** Counters. */
  stats(): ErrorReporterStats;
}
