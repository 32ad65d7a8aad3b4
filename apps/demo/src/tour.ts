// A short scripted tour of the Cruddur API: each request shows a different kind of trace, from a
// plain read to a call chain that crosses both services both ways, a Rollbar report and a fault.
import { SEED_ACTIVITIES, SEED_MESSAGE_GROUP } from '@cruddur/backend/dist/db/seed.js';

/** One request of the tour. */
export interface TourStep {
  title: string;
  /** What the trace shows, in a few words. */
  shows: string;
  method: 'GET' | 'POST';
  path: string;
  /** `X-Cruddur-User` (the backend's default user, andrewbrown, when absent). */
  user?: string;
  body?: unknown;
  /** The status this step is expected to get. */
  expectStatus: number;
  /** The request reports to Rollbar (a warning or an error). */
  reportsToRollbar?: boolean;
}

/** What one step got back. */
export interface TourResult {
  step: TourStep;
  /** 0 when the request failed without an answer (see `error`). */
  status: number;
  /** The root of the `X-Amzn-Trace-Id` response header. */
  traceId: string | undefined;
  body: unknown;
  durationMs: number;
  error?: string;
}

/** The root trace id of an `X-Amzn-Trace-Id` header value (`Root=1-…;Parent=…;Sampled=1`). */
export function rootTraceId(header: string | null | undefined): string | undefined {
  return /(?:^|;)\s*Root=(1-[0-9a-f]{8}-[0-9a-f]{24})/i.exec(header ?? '')?.[1];
}

/**
 * The backend's demo-only route (mounted with `CRUDDUR_DEMO_ROUTES=1`, which the demo sets): a
 * GetItem with a key longer than DynamoDB allows, ValidationException, and a 500 — a fault in the
 * trace, an error log line and an error report, all carrying the same trace id. (Client input
 * cannot cause this: handles are validated before they reach DynamoDB.)
 */
export const INDUCED_ERROR_PATH = '/api/demo/induced-error';

/** Sends one request to the backend and reads its trace id from the response header. */
export async function sendStep(baseUrl: string, step: TourStep, timeoutMs = 10_000): Promise<TourResult> {
  const started = performance.now();
  const headers: Record<string, string> = { accept: 'application/json' };
  if (step.user) headers['x-cruddur-user'] = step.user;
  if (step.body !== undefined) headers['content-type'] = 'application/json';
  try {
    const res = await fetch(new URL(step.path, baseUrl), {
      method: step.method,
      headers,
      body: step.body === undefined ? undefined : JSON.stringify(step.body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
    return {
      step,
      status: res.status,
      traceId: rootTraceId(res.headers.get('x-amzn-trace-id')),
      body,
      durationMs: performance.now() - started,
    };
  } catch (error) {
    return {
      step,
      status: 0,
      traceId: undefined,
      body: undefined,
      durationMs: performance.now() - started,
      error: error instanceof Error ? error.message : String(error),
    };
  }
}

/**
 * The tour. A step can depend on what earlier ones got back (the reply goes to the activity the
 * tour just posted), so each is built from the results so far, just before it is sent.
 */
export const TOUR: readonly ((previous: readonly TourResult[]) => TourStep)[] = [
  () => ({
    title: 'Home feed',
    shows: 'one service, DynamoDB Query + BatchGetItem',
    method: 'GET',
    path: '/api/activities/home',
    expectStatus: 200,
  }),
  () => ({
    title: "A user's page",
    shows: 'the custom mock-data subsegment, with metadata (now, results-size)',
    method: 'GET',
    path: '/api/activities/@andrewbrown',
    expectStatus: 200,
  }),
  () => ({
    title: 'Create an activity',
    shows: 'the backend asks the worker to moderate, then writes',
    method: 'POST',
    path: '/api/activities',
    body: { message: 'Tracing two services from one command.', ttl: '1-day' },
    expectStatus: 200,
  }),
  (previous) => {
    const created = previous.find((r) => r.step.title === 'Create an activity');
    const uuid = created && isObject(created.body) && typeof created.body.uuid === 'string' ? created.body.uuid : SEED_ACTIVITIES.cloudIsFun;
    return {
      title: 'Reply to it as worf',
      shows: 'backend → worker (moderate, notify) → backend (users short): one trace, both ways',
      method: 'POST',
      path: `/api/activities/${uuid}/reply`,
      user: 'worf',
      body: { message: 'Today is a good day to trace.' },
      expectStatus: 200,
    };
  },
  () => ({
    title: 'Start a conversation with garek',
    shows: 'new message group; the worker notifies garek and calls the backend back',
    method: 'POST',
    path: '/api/messages',
    body: { handle: 'garek', message: 'Is the tailor shop open today?' },
    expectStatus: 200,
  }),
  () => ({
    title: 'Message an existing group',
    shows: 'membership check, write, then the worker fans the message out (GSI Query + UpdateItem)',
    method: 'POST',
    path: '/api/messages',
    body: { message_group_uuid: SEED_MESSAGE_GROUP, message: 'Every hop of this message is in one trace.' },
    expectStatus: 200,
  }),
  () => ({
    title: 'Rollbar test',
    shows: 'a warning report carrying the trace id',
    method: 'GET',
    path: '/rollbar/test',
    expectStatus: 200,
    reportsToRollbar: true,
  }),
  () => ({
    title: 'Induced error',
    shows: 'a key too long for DynamoDB (demo-only route): ValidationException, 500, fault, error report',
    method: 'GET',
    path: INDUCED_ERROR_PATH,
    expectStatus: 500,
    reportsToRollbar: true,
  }),
];

/** Runs the whole tour against `baseUrl`, one request after the other; `onResult` sees each answer as it comes. */
export async function runTour(baseUrl: string, onResult?: (result: TourResult, index: number) => Promise<void> | void): Promise<TourResult[]> {
  const results: TourResult[] = [];
  for (const build of TOUR) {
    const result = await sendStep(baseUrl, build(results));
    results.push(result);
    await onResult?.(result, results.length - 1);
  }
  return results;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
