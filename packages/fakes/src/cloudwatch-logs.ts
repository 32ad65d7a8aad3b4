/**
 * CloudWatch Logs over its AWS JSON 1.1 protocol (`POST /`, `X-Amz-Target: Logs_20140328.<Op>`),
 * with the service's validation, limits and error shapes, recorded traffic and fault injection.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { readEmf, type MetricDatumRecord } from './emf.js';
import { FaultQueue } from './faults.js';
import {
  AwsServiceError,
  BodyTooLargeError,
  delayUnlessClosed,
  headerValue,
  type HttpFakeHandle,
  isRecord,
  listenHttp,
  type ListenOptions,
  parseJson,
  readBody,
  requestIdHeader,
  requestPath,
  sendAwsJsonError,
  sendJson,
  withListener,
} from './http-json.js';
import { type CountOrPredicate, Waiters } from './wait.js';

/** Operations the fake implements. */
export type CloudWatchLogsOperation =
  | 'CreateLogGroup'
  | 'CreateLogStream'
  | 'PutLogEvents'
  | 'DescribeLogStreams'
  | 'DescribeLogGroups'
  | 'PutRetentionPolicy';

/**
 * Injected failures: `throttle` answers 400 `ThrottlingException`; `limit` answers 400
 * `LimitExceededException`; `500` answers 500 `ServiceUnavailableException`; `denied` answers 400
 * `AccessDeniedException`; `reset` destroys the connection without an answer; `slow` waits
 * `delayMs` and then answers normally.
 */
export type CloudWatchLogsFaultKind = 'throttle' | 'limit' | '500' | 'denied' | 'reset' | 'slow';

/** PutLogEvents limits. Defaults follow the PutLogEvents API reference. */
export interface CloudWatchLogsLimits {
  /** Events per call. Default 10,000. */
  maxEventsPerBatch: number;
  /** Sum of UTF-8 message bytes + {@link CloudWatchLogsLimits.eventOverheadBytes} per event. Default 1,048,576. */
  maxBatchBytes: number;
  /** One event's UTF-8 message bytes + overhead. Default 262,144 (256 KiB). */
  maxEventBytes: number;
  /** Bytes counted per event on top of its message. Default 26. */
  eventOverheadBytes: number;
  /** Largest allowed difference between the last and the first timestamp of a batch. Default 24 h. */
  maxBatchSpanMs: number;
  /** Events older than this are rejected (reported in `rejectedLogEventsInfo`). Default 14 days. */
  maxEventAgeMs: number;
  /** Events further in the future than this are rejected (reported in `rejectedLogEventsInfo`). Default 2 h. */
  maxEventFutureMs: number;
}

/** Options of {@link startCloudWatchLogsServer}. */
export interface CloudWatchLogsServerOptions extends ListenOptions {
  /** Region used in ARNs. Default `us-east-1`. */
  region?: string;
  /** Account id used in ARNs. Default `123456789012`. */
  accountId?: string;
  /** Overrides of the PutLogEvents limits. */
  limits?: Partial<CloudWatchLogsLimits>;
  /** Largest request body accepted, in bytes (larger ones get 413). Default 8 MiB. */
  maxBodyBytes?: number;
}

/** One accepted log event. */
export interface LogEventRecord {
  readonly logGroupName: string;
  readonly logStreamName: string;
  /** Event time, epoch milliseconds, as sent. */
  readonly timestamp: number;
  readonly message: string;
  /** `Date.now()` when the fake accepted it. */
  readonly ingestionTime: number;
}

/** A log stream and the events it holds. */
export interface LogStreamRecord {
  readonly logStreamName: string;
  readonly creationTime: number;
  readonly arn: string;
  readonly events: readonly LogEventRecord[];
  readonly firstEventTimestamp: number | undefined;
  readonly lastEventTimestamp: number | undefined;
  readonly lastIngestionTime: number | undefined;
  readonly uploadSequenceToken: string;
}

/** A log group and its streams. */
export interface LogGroupRecord {
  readonly logGroupName: string;
  readonly creationTime: number;
  readonly retentionInDays: number | undefined;
  readonly arn: string;
  readonly streams: ReadonlyMap<string, LogStreamRecord>;
}

/** One request as received, with the answer given. */
export interface CloudWatchLogsRequestRecord {
  /** Operation from `X-Amz-Target` (`""` when the header is missing). */
  readonly operation: string;
  /** Parsed JSON body (`undefined` when it was not JSON). */
  readonly body: unknown;
  readonly headers: IncomingHttpHeaders;
  readonly receivedAt: number;
  /** HTTP status answered; `0` when the connection was reset on purpose. */
  status: number;
  /** Exception name answered, for errors. */
  errorType: string | undefined;
  /** Fault injected into this request, if any. */
  fault: CloudWatchLogsFaultKind | undefined;
}

/** An event with `_aws` that CloudWatch would extract no metric from, and why. */
export interface EmfRejectionRecord {
  readonly event: LogEventRecord;
  readonly problems: readonly string[];
}

/** Handle of a running CloudWatch Logs fake. */
export interface CloudWatchLogsServer extends HttpFakeHandle {
  /** Region used in ARNs. */
  readonly region: string;
  /** Log groups by name. */
  readonly groups: ReadonlyMap<string, LogGroupRecord>;
  /** Every accepted event, in acceptance order, across all streams. */
  readonly events: readonly LogEventRecord[];
  /** Every request, in arrival order. */
  readonly requests: readonly CloudWatchLogsRequestRecord[];
  /** Metric data extracted from accepted EMF events, as CloudWatch would store it, in order. */
  readonly metricData: readonly MetricDatumRecord[];
  /** Accepted events with `_aws` that CloudWatch would extract nothing from (`EMFValidationErrors`). */
  readonly emfRejections: readonly EmfRejectionRecord[];
  /** Like {@link waitForEvents}, on the extracted metric data. */
  waitForMetrics(condition: CountOrPredicate<MetricDatumRecord>, timeoutMs?: number): Promise<MetricDatumRecord[]>;
  /** Events accepted for one stream, in order (empty when the stream does not exist). */
  eventsFor(logGroupName: string, logStreamName: string): LogEventRecord[];
  /** Requests for one operation, in order. */
  requestsFor(operation: CloudWatchLogsOperation): CloudWatchLogsRequestRecord[];
  /**
   * Resolves with the first `count` accepted events once that many exist, or — given a predicate —
   * with every matching event once one matches. Rejects after `timeoutMs` (default 5000).
   */
  waitForEvents(condition: CountOrPredicate<LogEventRecord>, timeoutMs?: number): Promise<LogEventRecord[]>;
  /**
   * Makes the next `count` (default 1) requests for `operation` (`'*'`: any operation) fail with `kind`;
   * `delayMs` (default 1000) is the delay of `slow`. Faults apply in the order scheduled.
   */
  failNext(operation: CloudWatchLogsOperation | '*', kind: CloudWatchLogsFaultKind, count?: number, delayMs?: number): void;
  /** Cancels every scheduled fault. */
  clearFaults(): void;
  /** Forgets groups, streams, events and requests. */
  clear(): void;
}

const CONTENT_TYPE = 'application/x-amz-json-1.1';
const TARGET_PREFIX = 'Logs_20140328.';
const DAY_MS = 86_400_000;
const RETENTION_DAYS: readonly number[] = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];
const GROUP_NAME = /^[.\-_/#A-Za-z0-9]+$/;
const STREAM_NAME = /^[^:*]*$/;
const DEFAULT_LIMITS: CloudWatchLogsLimits = {
  maxEventsPerBatch: 10_000,
  maxBatchBytes: 1_048_576,
  maxEventBytes: 262_144,
  eventOverheadBytes: 26,
  maxBatchSpanMs: DAY_MS,
  maxEventAgeMs: 14 * DAY_MS,
  maxEventFutureMs: 2 * 3_600_000,
};

interface MutableStream {
  logStreamName: string;
  creationTime: number;
  arn: string;
  events: LogEventRecord[];
  firstEventTimestamp: number | undefined;
  lastEventTimestamp: number | undefined;
  lastIngestionTime: number | undefined;
  uploadSequenceToken: string;
}

interface MutableGroup {
  logGroupName: string;
  creationTime: number;
  retentionInDays: number | undefined;
  arn: string;
  streams: Map<string, MutableStream>;
}

type Params = Record<string, unknown>;

/**
 * Starts a CloudWatch Logs fake. Point the AWS SDK at it with
 * `new CloudWatchLogsClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } })`.
 */
export async function startCloudWatchLogsServer(options: CloudWatchLogsServerOptions = {}): Promise<CloudWatchLogsServer> {
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '123456789012';
  const limits: CloudWatchLogsLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const maxBodyBytes = options.maxBodyBytes ?? 8 * 1024 * 1024;
  const groups = new Map<string, MutableGroup>();
  const events: LogEventRecord[] = [];
  const metricData: MetricDatumRecord[] = [];
  const emfRejections: EmfRejectionRecord[] = [];
  const requests: CloudWatchLogsRequestRecord[] = [];
  const faults = new FaultQueue<CloudWatchLogsOperation, CloudWatchLogsFaultKind>();
  const waiters = new Waiters();
  let sequence = 0;

  const nextSequenceToken = (): string => {
    sequence += 1;
    return `4963${String(sequence).padStart(52, '0')}`;
  };
  const groupArn = (name: string): string => `arn:aws:logs:${region}:${accountId}:log-group:${name}`;

  const findGroup = (params: Params): MutableGroup => {
    const name = groupNameOf(params);
    const group = groups.get(name);
    if (group === undefined) throw new AwsServiceError('ResourceNotFoundException', 'The specified log group does not exist.');
    return group;
  };

  const operations: Record<CloudWatchLogsOperation, (params: Params) => unknown> = {
    CreateLogGroup(params) {
      const name = requireString(params, 'logGroupName');
      checkName(name, 'logGroupName', GROUP_NAME, '[\\.\\-_/#A-Za-z0-9]+');
      if (groups.has(name)) throw new AwsServiceError('ResourceAlreadyExistsException', 'The specified log group already exists');
      groups.set(name, { logGroupName: name, creationTime: Date.now(), retentionInDays: undefined, arn: groupArn(name), streams: new Map() });
      return undefined;
    },
    CreateLogStream(params) {
      const group = findGroup(params);
      const name = requireString(params, 'logStreamName');
      checkName(name, 'logStreamName', STREAM_NAME, '[^:*]*');
      if (group.streams.has(name)) throw new AwsServiceError('ResourceAlreadyExistsException', 'The specified log stream already exists');
      group.streams.set(name, {
        logStreamName: name,
        creationTime: Date.now(),
        arn: `${groupArn(group.logGroupName)}:log-stream:${name}`,
        events: [],
        firstEventTimestamp: undefined,
        lastEventTimestamp: undefined,
        lastIngestionTime: undefined,
        uploadSequenceToken: nextSequenceToken(),
      });
      return undefined;
    },
    PutRetentionPolicy(params) {
      const days = params.retentionInDays;
      if (typeof days !== 'number' || !RETENTION_DAYS.includes(days)) {
        throw validationError(days, 'retentionInDays', `Member must satisfy enum value set: [${RETENTION_DAYS.join(', ')}]`);
      }
      findGroup(params).retentionInDays = days;
      return undefined;
    },
    DescribeLogGroups(params) {
      const prefix = optionalString(params, 'logGroupNamePrefix') ?? '';
      const matching = [...groups.values()]
        .filter((group) => group.logGroupName.startsWith(prefix))
        .sort((a, b) => compare(a.logGroupName, b.logGroupName));
      const page = paginate(matching, params);
      return {
        logGroups: page.items.map((group) => ({
          logGroupName: group.logGroupName,
          creationTime: group.creationTime,
          ...(group.retentionInDays === undefined ? {} : { retentionInDays: group.retentionInDays }),
          metricFilterCount: 0,
          arn: `${group.arn}:*`,
          storedBytes: 0,
          logGroupClass: 'STANDARD',
          logGroupArn: group.arn,
        })),
        ...(page.nextToken === undefined ? {} : { nextToken: page.nextToken }),
      };
    },
    DescribeLogStreams(params) {
      const group = findGroup(params);
      const prefix = optionalString(params, 'logStreamNamePrefix');
      const orderBy = optionalString(params, 'orderBy') ?? 'LogStreamName';
      if (orderBy !== 'LogStreamName' && orderBy !== 'LastEventTime') {
        throw validationError(orderBy, 'orderBy', 'Member must satisfy enum value set: [LogStreamName, LastEventTime]');
      }
      if (orderBy === 'LastEventTime' && prefix !== undefined) {
        throw new AwsServiceError('InvalidParameterException', 'Cannot order by LastEventTime with a logStreamNamePrefix.');
      }
      const matching = [...group.streams.values()]
        .filter((stream) => prefix === undefined || stream.logStreamName.startsWith(prefix))
        .sort((a, b) =>
          orderBy === 'LogStreamName'
            ? compare(a.logStreamName, b.logStreamName)
            : (a.lastEventTimestamp ?? 0) - (b.lastEventTimestamp ?? 0),
        );
      if (params.descending === true) matching.reverse();
      const page = paginate(matching, params);
      return {
        logStreams: page.items.map((stream) => ({
          logStreamName: stream.logStreamName,
          creationTime: stream.creationTime,
          ...(stream.firstEventTimestamp === undefined
            ? {}
            : {
                firstEventTimestamp: stream.firstEventTimestamp,
                lastEventTimestamp: stream.lastEventTimestamp,
                lastIngestionTime: stream.lastIngestionTime,
              }),
          uploadSequenceToken: stream.uploadSequenceToken,
          arn: stream.arn,
          storedBytes: 0,
        })),
        ...(page.nextToken === undefined ? {} : { nextToken: page.nextToken }),
      };
    },
    PutLogEvents(params) {
      const streamName = requireString(params, 'logStreamName');
      const batch = readLogEvents(params, limits);
      const group = findGroup(params);
      const stream = group.streams.get(streamName);
      if (stream === undefined) throw new AwsServiceError('ResourceNotFoundException', 'The specified log stream does not exist.');
      checkBatch(batch, limits);

      const now = Date.now();
      const rejected: Record<string, number> = {};
      let start = 0;
      let end = batch.length;
      const tooOld = countWhile(batch, (event) => event.timestamp < now - limits.maxEventAgeMs);
      if (tooOld > 0) {
        rejected.tooOldLogEventEndIndex = tooOld;
        start = tooOld;
      }
      if (group.retentionInDays !== undefined) {
        const cutoff = now - group.retentionInDays * DAY_MS;
        const expired = countWhile(batch, (event) => event.timestamp < cutoff);
        if (expired > 0) {
          rejected.expiredLogEventEndIndex = expired;
          start = Math.max(start, expired);
        }
      }
      const firstTooNew = batch.findIndex((event) => event.timestamp > now + limits.maxEventFutureMs);
      if (firstTooNew >= 0) {
        rejected.tooNewLogEventStartIndex = firstTooNew;
        end = firstTooNew;
      }

      for (const input of batch.slice(start, Math.max(start, end))) {
        const event: LogEventRecord = {
          logGroupName: group.logGroupName,
          logStreamName: stream.logStreamName,
          timestamp: input.timestamp,
          message: input.message,
          ingestionTime: now,
        };
        stream.events.push(event);
        events.push(event);
        // CloudWatch extracts metrics from EMF events after accepting them; a bad document is
        // still stored as a log event, it just yields no metric.
        const reading = readEmf(event.message, now);
        if (reading.kind === 'metrics') metricData.push(...reading.data);
        else if (reading.kind === 'invalid') emfRejections.push({ event, problems: reading.problems });
        stream.firstEventTimestamp = Math.min(stream.firstEventTimestamp ?? event.timestamp, event.timestamp);
        stream.lastEventTimestamp = Math.max(stream.lastEventTimestamp ?? event.timestamp, event.timestamp);
        stream.lastIngestionTime = now;
      }
      stream.uploadSequenceToken = nextSequenceToken();
      return {
        nextSequenceToken: stream.uploadSequenceToken,
        ...(Object.keys(rejected).length === 0 ? {} : { rejectedLogEventsInfo: rejected }),
      };
    },
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const target = headerValue(req, 'x-amz-target') ?? '';
    const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
    let text: string;
    try {
      text = (await readBody(req, maxBodyBytes)).toString('utf8');
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        sendAwsJsonError(res, new AwsServiceError('RequestEntityTooLargeException', error.message, 413), CONTENT_TYPE);
        return;
      }
      throw error;
    }
    const parsed = parseJson(text);
    const record: CloudWatchLogsRequestRecord = {
      operation,
      body: parsed.ok ? parsed.value : undefined,
      headers: req.headers,
      receivedAt: Date.now(),
      status: 0,
      errorType: undefined,
      fault: undefined,
    };
    requests.push(record);
    const fail = (error: AwsServiceError): void => {
      record.status = error.status;
      record.errorType = error.type;
      sendAwsJsonError(res, error, CONTENT_TYPE);
    };

    if (req.method !== 'POST' || requestPath(req) !== '/') {
      fail(new AwsServiceError('UnknownOperationException', `${req.method ?? ''} ${req.url ?? ''} is not an operation`, 404));
      return;
    }
    if (!isOperation(operation)) {
      fail(new AwsServiceError('UnknownOperationException', `Unknown operation ${JSON.stringify(target)}`));
      return;
    }
    const fault = faults.take(operation);
    if (fault !== undefined) {
      record.fault = fault.kind;
      if (fault.kind === 'reset') {
        req.socket.destroy();
        return;
      }
      if (fault.kind === 'throttle') {
        fail(new AwsServiceError('ThrottlingException', 'Rate exceeded'));
        return;
      }
      if (fault.kind === 'limit') {
        fail(new AwsServiceError('LimitExceededException', 'Resource limit exceeded.'));
        return;
      }
      if (fault.kind === 'denied') {
        fail(new AwsServiceError('AccessDeniedException', 'User is not authorized to perform logs:PutLogEvents'));
        return;
      }
      if (fault.kind === '500') {
        fail(new AwsServiceError('ServiceUnavailableException', 'The service cannot complete the request.', 500));
        return;
      }
      if (!(await delayUnlessClosed(res, fault.delayMs))) return;
    }
    if (!parsed.ok || !isRecord(parsed.value)) {
      fail(new AwsServiceError('SerializationException', parsed.ok ? 'Expected a JSON object' : parsed.error));
      return;
    }
    try {
      const result = operations[operation](parsed.value);
      record.status = 200;
      sendJson(res, 200, result, requestIdHeader(), CONTENT_TYPE);
      waiters.notify();
    } catch (error) {
      if (!(error instanceof AwsServiceError)) throw error;
      fail(error);
    }
  };

  const listener = await listenHttp(handle, options);

  const streamOf = (group: string, stream: string): MutableStream | undefined => groups.get(group)?.streams.get(stream);

  return withListener<Omit<CloudWatchLogsServer, keyof HttpFakeHandle>>(
    listener,
    {
      region,
      groups,
      events,
      requests,
      metricData,
      emfRejections,
      waitForMetrics(condition, timeoutMs = 5000) {
        return waiters.waitForRecords(metricData, condition, timeoutMs, 'metric data', () => `extracted ${metricData.length} metric datum(s) from ${events.length} event(s); ${emfRejections.length} EMF event(s) rejected${emfRejections[0] ? ` (first: ${emfRejections[0].problems.join('; ')})` : ''}`);
      },
      eventsFor(logGroupName, logStreamName) {
        return [...(streamOf(logGroupName, logStreamName)?.events ?? [])];
      },
      requestsFor(operation) {
        return requests.filter((request) => request.operation === operation);
      },
      waitForEvents(condition, timeoutMs = 5000) {
        return waiters.waitForRecords(events, condition, timeoutMs, 'log events', () => {
          const byOperation = new Map<string, number>();
          for (const request of requests) byOperation.set(request.operation, (byOperation.get(request.operation) ?? 0) + 1);
          const summary = [...byOperation].map(([operation, count]) => `${operation || '(no target)'} ×${count}`).join(', ');
          return `accepted ${events.length} event(s); requests: ${summary || 'none'}; ${faults.pending} fault(s) still scheduled`;
        });
      },
      failNext(operation, kind, count = 1, delayMs = 1000) {
        faults.add(operation, kind, count, delayMs);
      },
      clearFaults() {
        faults.clear();
      },
      clear() {
        groups.clear();
        events.length = 0;
        requests.length = 0;
        metricData.length = 0;
        emfRejections.length = 0;
      },
    },
    () => waiters.rejectAll(`CloudWatch Logs fake on ${listener.url} closed`),
  );
}

interface InputEvent {
  readonly timestamp: number;
  readonly message: string;
}

function readLogEvents(params: Params, limits: CloudWatchLogsLimits): InputEvent[] {
  const raw = params.logEvents;
  if (!Array.isArray(raw)) throw validationError(raw, 'logEvents', 'Member must not be null');
  if (raw.length < 1 || raw.length > limits.maxEventsPerBatch) {
    throw validationError(
      `[${raw.length} events]`,
      'logEvents',
      raw.length < 1 ? 'Member must have length greater than or equal to 1' : `Member must have length less than or equal to ${limits.maxEventsPerBatch}`,
    );
  }
  return raw.map((event: unknown, index) => {
    const path = `logEvents.${index + 1}.member`;
    if (!isRecord(event)) throw validationError(event, path, 'Member must not be null');
    const { timestamp, message } = event;
    if (typeof timestamp !== 'number' || !Number.isInteger(timestamp)) {
      throw validationError(timestamp, `${path}.timestamp`, 'Member must be an integer number of milliseconds');
    }
    if (typeof message !== 'string' || message.length === 0) {
      throw validationError(message, `${path}.message`, 'Member must have length greater than or equal to 1');
    }
    return { timestamp, message };
  });
}

function checkBatch(batch: readonly InputEvent[], limits: CloudWatchLogsLimits): void {
  let total = 0;
  for (const event of batch) {
    const size = Buffer.byteLength(event.message, 'utf8') + limits.eventOverheadBytes;
    if (size > limits.maxEventBytes) {
      throw new AwsServiceError('InvalidParameterException', `Log event too large: ${size} bytes exceeds limit of ${limits.maxEventBytes}`);
    }
    total += size;
  }
  if (total > limits.maxBatchBytes) {
    throw new AwsServiceError('InvalidParameterException', `Upload too large: ${total} bytes exceeds limit of ${limits.maxBatchBytes}`);
  }
  for (let index = 1; index < batch.length; index += 1) {
    const previous = batch[index - 1];
    const current = batch[index];
    if (previous !== undefined && current !== undefined && current.timestamp < previous.timestamp) {
      throw new AwsServiceError(
        'InvalidParameterException',
        'Log events in a single PutLogEvents request must be in chronological order.',
      );
    }
  }
  const first = batch[0];
  const last = batch[batch.length - 1];
  if (first !== undefined && last !== undefined && last.timestamp - first.timestamp > limits.maxBatchSpanMs) {
    throw new AwsServiceError(
      'InvalidParameterException',
      'The batch of log events in a single PutLogEvents request cannot span more than 24 hours.',
    );
  }
}

function isOperation(name: string): name is CloudWatchLogsOperation {
  return [
    'CreateLogGroup',
    'CreateLogStream',
    'PutLogEvents',
    'DescribeLogStreams',
    'DescribeLogGroups',
    'PutRetentionPolicy',
  ].includes(name);
}

/** `logGroupName`, or the name inside `logGroupIdentifier` (a name or an ARN). */
function groupNameOf(params: Params): string {
  const identifier = optionalString(params, 'logGroupIdentifier');
  if (identifier !== undefined && params.logGroupName === undefined) {
    const match = /^arn:[^:]+:logs:[^:]*:[^:]*:log-group:([^:]+)/.exec(identifier);
    return match?.[1] ?? identifier;
  }
  return requireString(params, 'logGroupName');
}

function requireString(params: Params, field: string): string {
  const value = params[field];
  if (typeof value !== 'string') throw validationError(value, field, 'Member must not be null');
  return value;
}

function optionalString(params: Params, field: string): string | undefined {
  const value = params[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw validationError(value, field, 'Member must be a string');
  return value;
}

function checkName(name: string, field: string, pattern: RegExp, patternText: string): void {
  if (name.length < 1 || name.length > 512) {
    throw validationError(name, field, 'Member must have length between 1 and 512');
  }
  if (!pattern.test(name)) throw validationError(name, field, `Member must satisfy regular expression pattern: ${patternText}`);
}

function validationError(value: unknown, field: string, constraint: string): AwsServiceError {
  const shown = value === undefined || value === null ? 'null' : `'${typeof value === 'string' ? value : JSON.stringify(value)}'`;
  return new AwsServiceError(
    'InvalidParameterException',
    `1 validation error detected: Value ${shown} at '${field}' failed to satisfy constraint: ${constraint}`,
  );
}

function paginate<T>(items: readonly T[], params: Params): { items: T[]; nextToken: string | undefined } {
  const limit = params.limit ?? 50;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 50) {
    throw validationError(limit, 'limit', 'Member must have value between 1 and 50');
  }
  const token = optionalString(params, 'nextToken');
  let offset = 0;
  if (token !== undefined) {
    const decoded = /^offset:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
    if (decoded?.[1] === undefined) throw new AwsServiceError('InvalidParameterException', 'The specified nextToken is invalid.');
    offset = Number(decoded[1]);
  }
  const page = items.slice(offset, offset + limit);
  const next = offset + limit < items.length ? Buffer.from(`offset:${offset + limit}`).toString('base64url') : undefined;
  return { items: page, nextToken: next };
}

function countWhile<T>(items: readonly T[], predicate: (item: T) => boolean): number {
  let count = 0;
  while (count < items.length && predicate(items[count] as T)) count += 1;
  return count;
}

function compare(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}
