import type { EventBuffer } from './event-buffer.js';
import { MAX_BATCH_BYTES, MAX_BATCH_EVENTS, MAX_BATCH_SPAN_MS } from './limits.js';

/** Limits of one PutLogEvents call (tests lower them to exercise batching). */
export interface BatchLimits {
  maxEvents: number;
  maxBytes: number;
  maxSpanMs: number;
}

/** The PutLogEvents limits of CloudWatch Logs. */
export const PUT_LOG_EVENTS_LIMITS: BatchLimits = Object.freeze({
  maxEvents: MAX_BATCH_EVENTS,
  maxBytes: MAX_BATCH_BYTES,
  maxSpanMs: MAX_BATCH_SPAN_MS,
});

/**
 * How many events from the head of `buffer` make the next batch: as many as fit the count, the
 * byte budget (26 bytes per event included) and the 24-hour span. Always at least one when the
 * buffer is not empty, since every buffered event fits a batch on its own.
 */
export function nextBatchSize(buffer: EventBuffer, limits: BatchLimits = PUT_LOG_EVENTS_LIMITS): number {
  const first = buffer.at(0);
  if (!first) return 0;
  let count = 0;
  let bytes = 0;
  const total = buffer.length;
  while (count < total && count < limits.maxEvents) {
    const event = buffer.at(count)!;
    if (bytes + event.size > limits.maxBytes) break;
    if (event.timestamp - first.timestamp > limits.maxSpanMs) break;
    bytes += event.size;
    count++;
  }
  return Math.max(count, 1);
}
