// What an application under test serves, the same for every framework variant, and the work
// its handlers do. The variants implement these routes; traced-app-matrix.ts tests them.
//
// Routes every variant serves:
//   GET  /ok              200 "hello"
//   GET  /api/items/:id   200 {"id"} from a router/plugin mounted under /api
//   GET  /throttled       429 "slow down"
//   GET  /throw           a handler that throws BoomError("boom") synchronously → 500
//   GET  /reject          an async handler that rejects with BoomError("rejected") → 500
//   GET  /bad-input       BadInputError (status 400) through the framework's error path
//   GET  /slow            calls hooks.slowReached() and never answers
//   GET  /capture         runCaptureWork(<the request's segment>) as JSON
//   POST /echo            {"same": current segment is the request's, "body": parsed JSON}
//   GET  /health          200, excluded by the `ignore` option the variant is given
import { setTimeout as delay } from 'node:timers/promises';
import { capture, currentEntity, type Tracer } from '../../src/index.js';

/** The error the failing routes throw. */
export class BoomError extends Error {
  override name = 'BoomError';
}

/** An error the framework answers with 400 (Express reads `status`, Fastify `statusCode`). */
export class BadInputError extends Error {
  override name = 'BadInputError';
  readonly status = 400;
  readonly statusCode = 400;
}

/** What the integration under test is configured with. */
export interface VariantOptions {
  tracer: Tracer;
  name: string;
  dynamicNaming?: string;
  /** Requests whose path this accepts must not be traced. */
  ignorePath: (path: string) => boolean;
}

/** Callbacks from the application to the tests. */
export interface AppHooks {
  slowReached(): void;
}

/** A started application. */
export interface RunningApp {
  port: number;
  close(): Promise<void>;
}

/** One framework major. */
export interface Variant<A extends RunningApp> {
  label: string;
  start(options: VariantOptions, hooks: AppHooks): Promise<A>;
}

/** What `/capture` answers. */
export interface CaptureResult {
  /** The current segment in the handler is the request's segment. */
  same: boolean;
  traceId: string | undefined;
  /** `inner` was opened under `outer`, after awaits. */
  nested: boolean;
  /** After `inner` settled, `outer` was current again; after `outer`, the segment. */
  restored: boolean;
}

/** The work `/capture` does: nested `capture()` calls separated by awaits. */
export async function runCaptureWork(requestSegment: unknown): Promise<CaptureResult> {
  const segment = currentEntity()?.segment;
  const same = segment !== undefined && segment === requestSegment;
  let nested = false;
  let restored = true;
  await capture('outer', async (outer) => {
    await delay(2);
    await capture('inner', async (inner) => {
      await delay(1);
      nested = outer !== undefined && inner?.parent === outer && currentEntity() === inner;
    });
    restored &&= currentEntity() === outer;
  });
  restored &&= currentEntity() === segment;
  return { same, traceId: currentEntity()?.traceId, nested, restored };
}
