import type { Diagnostics } from '../../diagnostics.js';
import { PollTimer } from './poll-timer.js';
import { SamplingProxyError, type SamplingProxyClient } from './proxy-client.js';
import type { ProxyFailureReporter } from './proxy-failures.js';
import type { RuleCache } from './rule-cache.js';
import { MAX_STATISTICS_PER_CALL, parseSamplingTargets, statisticsDocument, type SamplingStatisticsDocument } from './targets.js';

/** Options of {@link TargetPoller}. */
export interface TargetPollerOptions {
  client: SamplingProxyClient;
  cache: RuleCache;
  diagnostics: Diagnostics;
  failures: ProxyFailureReporter;
  clientId: string;
  now: () => number;
  random: () => number;
  /** Called when the service says a rule changed after our rules were fetched. */
  onRulesChanged: () => void;
  /** Between polls. Default 10,000 ms. */
  intervalMs?: number;
  /** Up to this much is added to each interval. Default 100 ms. */
  jitterMs?: number;
}

/**
 * Every ten seconds (plus jitter) reports the counts of the rules that are due and matched
 * something, in calls of at most 25 documents, and applies the targets the service answers with:
 * the rate, the quota and its expiry (epoch seconds), and the reporting interval. A
 * `LastRuleModification` newer than our rules triggers an immediate rules refresh.
 */
export class TargetPoller {
  readonly #o: Required<TargetPollerOptions>;
  readonly #timer: PollTimer;
  #inFlight: Promise<boolean> | undefined;
  readonly #reportedUnprocessed = new Set<string>();
  // The modification time a refresh was already triggered for: with a clock behind the service's,
  // the same LastRuleModification would otherwise look newer than each refetch for a while.
  #actedOnModification: number | undefined;

  constructor(options: TargetPollerOptions) {
    this.#o = { ...options, intervalMs: options.intervalMs ?? 10_000, jitterMs: options.jitterMs ?? 100 };
    this.#timer = new PollTimer(() => {
      void this.poll().finally(() => this.#timer.schedule(this.#nextDelay()));
    });
  }

  /** Starts the schedule. */
  start(): void {
    this.#timer.schedule(this.#nextDelay());
  }

  /** Stops polling. */
  stop(): void {
    this.#timer.stop();
  }

  /**
   * Reports due statistics and applies the answer now (joining a poll already under way).
   * Resolves with false when a call failed; true otherwise, also when nothing was due.
   */
  poll(): Promise<boolean> {
    if (this.#timer.stopped) return Promise.resolve(false);
    this.#inFlight ??= this.#report().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  #nextDelay(): number {
    return this.#o.intervalMs + this.#o.random() * this.#o.jitterMs;
  }

  async #report(): Promise<boolean> {
    const o = this.#o;
    const nowMs = o.now();
    if (!o.cache.isFresh(nowMs)) return true;
    const documents: SamplingStatisticsDocument[] = [];
    for (const rule of o.cache.rules) {
      const counts = rule.takeReport();
      if (counts) documents.push(statisticsDocument(rule.name, o.clientId, counts, nowMs));
    }
    let ok = true;
    let rulesChanged = false;
    for (let i = 0; i < documents.length; i += MAX_STATISTICS_PER_CALL) {
      try {
        const body = await o.client.post('/SamplingTargets', { SamplingStatisticsDocuments: documents.slice(i, i + MAX_STATISTICS_PER_CALL) });
        const answer = parseSamplingTargets(body);
        if (!answer) throw new SamplingProxyError(`SamplingTargets answered JSON that is not a targets answer from ${o.client.address}`, 'invalid');
        o.failures.succeeded();
        for (const { ruleName, target } of answer.targets) o.cache.applyTarget(ruleName, target);
        for (const u of answer.unprocessed) this.#reportUnprocessed(u.ruleName, u.errorCode, u.message);
        const fetchedAt = o.cache.fetchedAtMs;
        const modified = answer.lastRuleModification;
        if (modified !== undefined && fetchedAt !== undefined && modified * 1000 > fetchedAt && modified !== this.#actedOnModification) {
          this.#actedOnModification = modified;
          rulesChanged = true;
        }
      } catch (err) {
        ok = false;
        o.failures.failed('SamplingTargets', err, true);
      }
    }
    if (rulesChanged) o.onRulesChanged();
    return ok;
  }

  #reportUnprocessed(ruleName: string, errorCode: string, message: string): void {
    const key = `${ruleName}:${errorCode}`;
    if (this.#reportedUnprocessed.has(key) || this.#reportedUnprocessed.size >= 100) return;
    this.#reportedUnprocessed.add(key);
    this.#o.diagnostics.warn(`centralized sampling: the service did not process the statistics of rule ${JSON.stringify(ruleName)} (${errorCode}: ${message})`);
  }
}
