/**
 * The X-Ray REST-JSON API as the daemon and the SDKs reach it: `POST /TraceSegments`
 * (PutTraceSegments) and the daemon TCP proxy's sampling calls `POST /GetSamplingRules` and
 * `POST /SamplingTargets`.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { FaultQueue } from './faults.js';
import {
  AwsServiceError,
  BodyTooLargeError,
  type HttpFakeHandle,
  isRecord,
  listenHttp,
  type ListenOptions,
  parseJson,
  readBody,
  requestIdHeader,
  requestPath,
  sendJson,
  sendRestJsonError,
  sendText,
  withListener,
} from './http-json.js';
import { validateSegmentDocument } from './segment-validator.js';
import { type CountOrPredicate, Waiters } from './wait.js';

/** The three calls the fake answers (the path without its leading slash). */
export type XRayApiCall = 'TraceSegments' | 'GetSamplingRules' | 'SamplingTargets';

/**
 * Injected failures: `throttle` answers 429 `ThrottledException`; `limit` answers 400
 * `LimitExceededException` (a throttling error by name, not by status); `500` answers 500
 * `InternalFailure`; `denied` answers 403 `AccessDeniedException`; `garbage` answers 200 with a
 * truncated JSON body; `hang` never answers; `reset` destroys the connection without an answer.
 */
export type XRayApiFaultKind = 'throttle' | 'limit' | '500' | 'denied' | 'garbage' | 'hang' | 'reset';

/** A sampling rule as GetSamplingRules returns it. */
export interface SamplingRule {
  RuleName: string;
  RuleARN: string;
  ResourceARN: string;
  Priority: number;
  FixedRate: number;
  ReservoirSize: number;
  ServiceName: string;
  ServiceType: string;
  Host: string;
  HTTPMethod: string;
  URLPath: string;
  Version: number;
  Attributes: Record<string, string>;
}

/** A rule to serve: `RuleName` plus any fields that differ from the catch-all defaults. */
export type SamplingRuleInput = Partial<SamplingRule> & { RuleName: string };

/** One entry of `SamplingRuleRecords`. */
export interface SamplingRuleRecord {
  SamplingRule: SamplingRule;
  /** Epoch seconds. */
  CreatedAt: number;
  /** Epoch seconds. */
  ModifiedAt: number;
}

/** One report sent to `/SamplingTargets`. */
export interface SamplingStatisticsDocument {
  RuleName: string;
  ClientID: string;
  /** Epoch seconds. */
  Timestamp: number;
  RequestCount: number;
  SampledCount: number;
  BorrowCount: number;
}

/** One entry of `SamplingTargetDocuments`. */
export interface SamplingTargetDocument {
  RuleName: string;
  FixedRate: number;
  ReservoirQuota?: number;
  /** Epoch seconds when the quota expires. */
  ReservoirQuotaTTL?: number;
  /** Seconds between reports for this rule. */
  Interval?: number;
}

/** How the fake computes `SamplingTargetDocuments`: fixed documents, or from the statistics received. */
export type SamplingTargetsSource =
  | readonly SamplingTargetDocument[]
  | ((statistics: readonly SamplingStatisticsDocument[]) => SamplingTargetDocument[]);

/** One document received through PutTraceSegments. */
export interface ReceivedTraceSegment {
  /** The string as sent in `TraceSegmentDocuments`. */
  readonly raw: string;
  /** The parsed document (`undefined` when it is not JSON). */
  readonly document: unknown;
  /** The document's `id`, when it has a string one. */
  readonly id: string | undefined;
  /** {@link validateSegmentDocument} of the document (a parse error when it is not JSON). */
  readonly violations: readonly string[];
  /** `false` when the fake listed it in `UnprocessedTraceSegments`. */
  readonly accepted: boolean;
  readonly receivedAt: number;
}

/** One entry of `UnprocessedTraceSegments`. */
export interface UnprocessedTraceSegment {
  Id?: string;
  ErrorCode: string;
  Message: string;
}

/** One request as received, with the answer given. */
export interface XRayApiRequestRecord {
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
  readonly headers: IncomingHttpHeaders;
  readonly receivedAt: number;
  /** HTTP status answered; `0` while hanging. */
  status: number;
  /** Fault injected, if any. */
  fault: XRayApiFaultKind | undefined;
}

/** Options of {@link startXRayApiServer}. */
export interface XRayApiServerOptions extends ListenOptions {
  /** Rules served at start. Default: the built-in `Default` rule (5 %, 1 per second). */
  samplingRules?: readonly SamplingRuleInput[];
  /** Region used in rule ARNs. Default `us-east-1`. */
  region?: string;
  /** Account id used in rule ARNs. Default `123456789012`. */
  accountId?: string;
  /** Largest body accepted, in bytes. Default 8 MiB. */
  maxBodyBytes?: number;
}

/** Handle of a running X-Ray API fake. */
export interface XRayApiServer extends HttpFakeHandle {
  /** `host:port`, usable as the TCP part of `AWS_XRAY_DAEMON_ADDRESS` (`tcp:${address} udp:...`). */
  readonly address: string;
  /** Every document received through PutTraceSegments, in order. */
  readonly segments: readonly ReceivedTraceSegment[];
  /** Every statistics document received on `/SamplingTargets`, in order. */
  readonly samplingStatistics: readonly SamplingStatisticsDocument[];
  /** Every request, in arrival order. */
  readonly requests: readonly XRayApiRequestRecord[];
  /** Rules currently served. */
  readonly samplingRules: readonly SamplingRuleRecord[];
  /** `LastRuleModification` currently answered, epoch seconds. */
  readonly lastRuleModification: number;
  /** Requests for one call, in order. */
  requestsFor(call: XRayApiCall): XRayApiRequestRecord[];
  /** Replaces the served rules (missing fields take catch-all defaults) and bumps `LastRuleModification` to now. */
  setSamplingRules(rules: readonly SamplingRuleInput[]): void;
  /** Sets what `/SamplingTargets` answers; `undefined` restores the default (each reported rule's own rate and reservoir, TTL now + 10 s, interval 10 s). */
  setSamplingTargets(source: SamplingTargetsSource | undefined): void;
  /** Sets `LastRuleModification` (epoch seconds). */
  setLastRuleModification(epochSeconds: number): void;
  /** Lists documents with this `id` in `UnprocessedTraceSegments` (they are recorded with `accepted: false`) until cleared. */
  rejectSegment(id: string, errorCode?: string, message?: string): void;
  /** Stops rejecting documents. */
  clearRejections(): void;
  /** Makes the next `count` (default 1) requests to `call` (`'*'`: any) fail with `kind`. */
  failNext(call: XRayApiCall | '*', kind: XRayApiFaultKind, count?: number): void;
  /** Cancels every scheduled fault. */
  clearFaults(): void;
  /**
   * Resolves with the first `count` received documents once that many arrived, or — given a
   * predicate — with every matching one once one matches. Rejects after `timeoutMs` (default 5000).
   */
  waitForSegments(condition: CountOrPredicate<ReceivedTraceSegment>, timeoutMs?: number): Promise<ReceivedTraceSegment[]>;
  /** Like {@link XRayApiServer.waitForSegments}, for statistics documents. */
  waitForSamplingStatistics(
    condition: CountOrPredicate<SamplingStatisticsDocument>,
    timeoutMs?: number,
  ): Promise<SamplingStatisticsDocument[]>;
  /** Forgets segments, statistics and requests (rules and targets stay). */
  clear(): void;
}

const CALLS: readonly string[] = ['TraceSegments', 'GetSamplingRules', 'SamplingTargets'];

/**
 * Starts an X-Ray API fake. Point `@aws-sdk/client-xray` at `url`, or an SDK's centralized
 * sampling at `address` (the daemon TCP proxy speaks the same paths unsigned).
 */
export async function startXRayApiServer(options: XRayApiServerOptions = {}): Promise<XRayApiServer> {
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '123456789012';
  const maxBodyBytes = options.maxBodyBytes ?? 8 * 1024 * 1024;
  const segments: ReceivedTraceSegment[] = [];
  const statistics: SamplingStatisticsDocument[] = [];
  const requests: XRayApiRequestRecord[] = [];
  const rejections = new Map<string, UnprocessedTraceSegment>();
  const faults = new FaultQueue<XRayApiCall, XRayApiFaultKind>();
  const waiters = new Waiters();
  let rules: SamplingRuleRecord[] = [];
  let lastRuleModification = 0;
  let targets: SamplingTargetsSource | undefined;

  const setRules = (inputs: readonly SamplingRuleInput[]): void => {
    const now = epochSeconds();
    rules = inputs.map((input) => ({
      SamplingRule: {
        RuleARN: `arn:aws:xray:${region}:${accountId}:sampling-rule/${input.RuleName}`,
        ResourceARN: '*',
        Priority: input.RuleName === 'Default' ? 10000 : 1000,
        FixedRate: 0.05,
        ReservoirSize: 1,
        ServiceName: '*',
        ServiceType: '*',
        Host: '*',
        HTTPMethod: '*',
        URLPath: '*',
        Version: 1,
        Attributes: {},
        ...input,
      },
      CreatedAt: now,
      ModifiedAt: now,
    }));
    lastRuleModification = now;
  };
  setRules(options.samplingRules ?? [{ RuleName: 'Default' }]);

  const defaultTargets = (received: readonly SamplingStatisticsDocument[]): SamplingTargetDocument[] => {
    const now = epochSeconds();
    return received.flatMap((document) => {
      const rule = rules.find((record) => record.SamplingRule.RuleName === document.RuleName)?.SamplingRule;
      if (rule === undefined) return [];
      return [
        { RuleName: rule.RuleName, FixedRate: rule.FixedRate, ReservoirQuota: rule.ReservoirSize, ReservoirQuotaTTL: now + 10, Interval: 10 },
      ];
    });
  };

  const calls: Record<XRayApiCall, (body: Record<string, unknown>) => unknown> = {
    TraceSegments(body) {
      const documents = body.TraceSegmentDocuments;
      if (!Array.isArray(documents) || !documents.every((document): document is string => typeof document === 'string')) {
        throw new AwsServiceError('InvalidRequestException', 'TraceSegmentDocuments must be a list of strings');
      }
      const unprocessed: UnprocessedTraceSegment[] = [];
      for (const raw of documents) {
        const parsed = parseJson(raw);
        const document = parsed.ok ? parsed.value : undefined;
        const id = isRecord(document) && typeof document.id === 'string' ? document.id : undefined;
        let rejection: UnprocessedTraceSegment | undefined;
        if (!parsed.ok) rejection = { ErrorCode: 'ParseError', Message: `Invalid segment: ${parsed.error}` };
        else if (id !== undefined) rejection = rejections.get(id);
        if (rejection !== undefined) unprocessed.push(rejection);
        segments.push({
          raw,
          document,
          id,
          violations: parsed.ok ? validateSegmentDocument(document) : [`$: not JSON: ${parsed.error}`],
          accepted: rejection === undefined,
          receivedAt: Date.now(),
        });
      }
      return { UnprocessedTraceSegments: unprocessed };
    },
    GetSamplingRules() {
      return { SamplingRuleRecords: rules, NextToken: null };
    },
    SamplingTargets(body) {
      const received = body.SamplingStatisticsDocuments;
      if (!Array.isArray(received) || !received.every(isStatisticsDocument)) {
        throw new AwsServiceError(
          'InvalidRequestException',
          'SamplingStatisticsDocuments must be a list of {RuleName, ClientID, Timestamp, RequestCount, SampledCount, BorrowCount}',
        );
      }
      if (received.length > 25) {
        throw new AwsServiceError('InvalidRequestException', `at most 25 SamplingStatisticsDocuments per call, got ${received.length}`);
      }
      const badClient = received.find((document) => document.ClientID.length !== 24);
      if (badClient !== undefined) {
        throw new AwsServiceError('InvalidRequestException', `ClientID must be 24 characters, got ${JSON.stringify(badClient.ClientID)}`);
      }
      statistics.push(...received);
      const documents = targets === undefined ? defaultTargets(received) : typeof targets === 'function' ? targets(received) : [...targets];
      return { SamplingTargetDocuments: documents, LastRuleModification: lastRuleModification, UnprocessedStatistics: [] };
    },
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = requestPath(req);
    let text = '';
    let tooLarge = false;
    try {
      text = (await readBody(req, maxBodyBytes)).toString('utf8');
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error;
      tooLarge = true;
    }
    const parsed = parseJson(text === '' ? '{}' : text);
    const record: XRayApiRequestRecord = {
      method: req.method ?? '',
      path,
      body: parsed.ok ? parsed.value : undefined,
      headers: req.headers,
      receivedAt: Date.now(),
      status: 0,
      fault: undefined,
    };
    requests.push(record);
    const fail = (error: AwsServiceError): void => {
      record.status = error.status;
      sendRestJsonError(res, error);
    };

    const call = path.slice(1);
    if (req.method !== 'POST' || !isCall(call)) {
      fail(new AwsServiceError('UnknownOperationException', `${req.method ?? ''} ${path} is not an operation of this fake`, 404));
      return;
    }
    if (tooLarge) {
      fail(new AwsServiceError('InvalidRequestException', `request body larger than ${maxBodyBytes} bytes`, 413));
      return;
    }
    const fault = faults.take(call);
    if (fault !== undefined) {
      record.fault = fault.kind;
      switch (fault.kind) {
        case 'hang':
          return;
        case 'reset':
          req.socket.destroy();
          return;
        case 'throttle':
          fail(new AwsServiceError('ThrottledException', 'Rate exceeded', 429));
          return;
        case 'limit':
          fail(new AwsServiceError('LimitExceededException', 'Limit exceeded'));
          return;
        case 'denied':
          fail(new AwsServiceError('AccessDeniedException', 'User is not authorized to perform this action', 403));
          return;
        case '500':
          fail(new AwsServiceError('InternalFailure', 'Internal failure', 500));
          return;
        case 'garbage':
          record.status = 200;
          sendText(res, 200, '{"SamplingRuleRecords":[{"SamplingRule":{"RuleName":', { 'Content-Type': 'application/json' });
          return;
      }
    }
    if (!parsed.ok || !isRecord(parsed.value)) {
      fail(new AwsServiceError('InvalidRequestException', parsed.ok ? 'Expected a JSON object' : `Invalid JSON: ${parsed.error}`));
      return;
    }
    try {
      const result = calls[call](parsed.value);
      record.status = 200;
      sendJson(res, 200, result, requestIdHeader());
      waiters.notify();
    } catch (error) {
      if (!(error instanceof AwsServiceError)) throw error;
      fail(error);
    }
  };

  const listener = await listenHttp(handle, options);

  return withListener<Omit<XRayApiServer, keyof HttpFakeHandle>>(
    listener,
    {
      get address() {
        return `${listener.host}:${listener.port}`;
      },
      segments,
      samplingStatistics: statistics,
      requests,
      get samplingRules() {
        return rules;
      },
      get lastRuleModification() {
        return lastRuleModification;
      },
      requestsFor(call) {
        return requests.filter((request) => request.path === `/${call}`);
      },
      setSamplingRules: setRules,
      setSamplingTargets(source) {
        targets = source;
      },
      setLastRuleModification(seconds) {
        lastRuleModification = seconds;
      },
      rejectSegment(id, errorCode = 'InvalidTraceId', message = 'Invalid segment. ErrorCode: InvalidTraceId') {
        rejections.set(id, { Id: id, ErrorCode: errorCode, Message: message });
      },
      clearRejections() {
        rejections.clear();
      },
      failNext(call, kind, count = 1) {
        faults.add(call, kind, count, 0);
      },
      clearFaults() {
        faults.clear();
      },
      waitForSegments(condition, timeoutMs = 5000) {
        return waiters.waitForRecords(segments, condition, timeoutMs, 'segments', () => {
          return `received ${segments.length} document(s) in ${requestsOf('/TraceSegments')} PutTraceSegments call(s)`;
        });
      },
      waitForSamplingStatistics(condition, timeoutMs = 5000) {
        return waiters.waitForRecords(statistics, condition, timeoutMs, 'statistics documents', () => {
          return `received ${statistics.length} statistics document(s) in ${requestsOf('/SamplingTargets')} SamplingTargets call(s)`;
        });
      },
      clear() {
        segments.length = 0;
        statistics.length = 0;
        requests.length = 0;
      },
    },
    () => waiters.rejectAll(`X-Ray API fake on ${listener.url} closed`),
  );

  function requestsOf(path: string): number {
    return requests.filter((request) => request.path === path).length;
  }
}

function isCall(name: string): name is XRayApiCall {
  return CALLS.includes(name);
}

function isStatisticsDocument(value: unknown): value is SamplingStatisticsDocument {
  return (
    isRecord(value) &&
    typeof value.RuleName === 'string' &&
    typeof value.ClientID === 'string' &&
    typeof value.Timestamp === 'number' &&
    typeof value.RequestCount === 'number' &&
    typeof value.SampledCount === 'number' &&
    typeof value.BorrowCount === 'number'
  );
}

function epochSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
