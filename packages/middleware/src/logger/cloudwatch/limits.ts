// PutLogEvents quotas, from the CloudWatch Logs API reference. Batches that break them are
// rejected whole, so the batcher and the truncation below are written against these numbers.

/** Bytes CloudWatch Logs counts for each event on top of its UTF-8 message. */
export const EVENT_OVERHEAD_BYTES = 26;

/** Largest PutLogEvents request: sum of (message bytes + 26) over the batch. */
export const MAX_BATCH_BYTES = 1_048_576;

/** Most events in one PutLogEvents request. */
export const MAX_BATCH_EVENTS = 10_000;

/** Largest event (message bytes + 26); a longer message is truncated, never rejected whole. */
export const MAX_EVENT_BYTES = 262_144;

/** Largest message, in UTF-8 bytes. */
export const MAX_MESSAGE_BYTES = MAX_EVENT_BYTES - EVENT_OVERHEAD_BYTES;

/** The events of one batch must span at most 24 hours. */
export const MAX_BATCH_SPAN_MS = 24 * 60 * 60 * 1000;

/** Retention periods CloudWatch Logs accepts (PutRetentionPolicy). */
export const RETENTION_DAYS: ReadonlySet<number> = new Set([
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
]);
