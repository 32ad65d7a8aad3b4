import { isTraceId } from '../core/ids.js';
import { isW3cTraceId } from './traceparent.js';

/**
 * Maps an X-Ray trace id to the W3C form: `1-5759e988-bd862e3fe1be46a994272793` ⇔
 * `5759e988bd862e3fe1be46a994272793` (the version and dashes dropped, the 32 hex digits kept in
 * order). Undefined when `xrayTraceId` is not a well-formed X-Ray trace id or maps to all zeros.
 */
export function xrayToW3cTraceId(xrayTraceId: string): string | undefined {
  if (!isTraceId(xrayTraceId)) return undefined;
  const w3c = w3cFormOf(xrayTraceId);
  return isW3cTraceId(w3c) ? w3c : undefined;
}

/**
 * The same mapping without the checks, for ids this package made or already validated (every
 * entity's): the exporters convert one per span, where two regular expressions would cost more
 * than the rest of the span's mapping.
 */
export function w3cFormOf(xrayTraceId: string): string {
  return xrayTraceId.slice(2, 10) + xrayTraceId.slice(11);
}

/**
 * Maps any valid W3C trace id to an X-Ray trace id: `1-<first 8 hex>-<last 24 hex>`. The mapping
 * is exact both ways, so a trace keeps one id across X-Ray and OpenTelemetry services.
 *
 * X-Ray reads the first 8 hex digits as the trace's start time in epoch seconds. Ids from a W3C
 * caller are random there: the daemon's UDP path and the `PutTraceSegments` API reject documents
 * whose trace id does not start with a recent epoch (older than 30 days, or in the future), while
 * the X-Ray OTLP endpoint (and the CloudWatch agent / ADOT collector in front of it) accepts W3C
 * ids. Send such traces through OTLP, or expect X-Ray to refuse them.
 */
export function w3cToXrayTraceId(w3cTraceId: string): string | undefined {
  if (!isW3cTraceId(w3cTraceId)) return undefined;
  return `1-${w3cTraceId.slice(0, 8)}-${w3cTraceId.slice(8)}`;
}
