/**
 * Exponential back-off with jitter: uniform in [d/2, d] where d = base·2^attempt (capped), so
 * clients that failed together spread out, yet each always actually waits.
 */
export function backoffMs(attempt: number, baseMs: number, capMs: number, random: () => number): number {
  const d = Math.min(capMs, baseMs * 2 ** attempt);
  return d / 2 + (random() * d) / 2;
}
