/**
 * How far a client-supplied timestamp may be from the worker's clock. Five minutes covers the
 * clock drift of hosts kept in sync by NTP and the time a request spends in flight and retries.
 */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

/** Where an ISO timestamp lies relative to `now ± skew`. */
export type SkewVerdict = 'now' | 'past' | 'future';

/**
 * Classifies the `created_at` part of a message sort key (or any ISO timestamp). The fan-out
 * only ever moves a conversation preview forward, so a key dated in the future would freeze the
 * preview until that date: such keys must be refused, whoever sends them.
 */
export function skewOf(iso: string, now: number, maxSkewMs: number = MAX_CLOCK_SKEW_MS): SkewVerdict {
  const at = Date.parse(iso);
  if (Number.isNaN(at) || at > now + maxSkewMs) return 'future';
  if (at < now - maxSkewMs) return 'past';
  return 'now';
}
