/**
 * @packageDocumentation
 * Outgoing HTTP: `fetch` (undici) and node:http / node:https calls made inside a traced request
 * become `remote` subsegments and carry the trace context downstream (`X-Amzn-Trace-Id` and W3C
 * `traceparent`/`tracestate`, as the tracer's `propagators` say).
 *
 * ```ts
 * import { instrumentHttp } from '@cruddur/middleware/http';
 * const http = instrumentHttp();          // once, at start-up
 * // … later, e.g. in tests: http.uninstall();
 * ```
 */
export { instrumentHttp } from './instrument-http.js';
export type { HttpInstrumentation, HttpInstrumentationOptions } from './types.js';
