import type { Diagnostics } from '../../diagnostics.js';
import { PollTimer } from './poll-timer.js';
import type { SamplingProxyClient } from './proxy-client.js';
import type { ProxyFailureReporter } from './proxy-failures.js';
import type { RuleCache } from './rule-cache.js';
import { parseSamplingRules, type SamplingRuleDefinition } from './rule-definition.js';
import { SamplingProxyError } from './proxy-client.js';

/** Options of {@link RulePoller}. */
export interface RulePollerOptions {
  client: SamplingProxyClient;
  cache: RuleCache;
  diagnostics: Diagnostics;
  failures: ProxyFailureReporter;
  now: () => number;
  random: () => number;
  /** Between successful polls. Default 300,000 ms. */
  intervalMs?: number;
  /** Up to this much is added to each interval so a fleet does not poll in step. Default 5,000 ms. */
  jitterMs?: number;
}

/** The first retry after a failed poll while no usable rules are cached; doubles up to the interval. */
const FIRST_RETRY_MS = 5_000;
/** Pages of `GetSamplingRules` followed at most (the SDKs read only the first). */
const MAX_PAGES = 10;

/**
 * Fetches `GetSamplingRules` at start, then every five minutes plus jitter, and on demand when the
 * service reports a rule change. While no usable rules are cached (the daemon starts after the
 * app, or was away for an hour) failed polls are retried sooner, backing off from 5 s to the
 * interval: one connection attempt per retry, nothing per request.
 */
export class RulePoller {
  readonly #o: Required<RulePollerOptions>;
  readonly #timer: PollTimer;
  #inFlight: Promise<boolean> | undefined;
  #failures = 0;
  #everLoaded = false;
  // Only a started poller reschedules itself: a fetch asked for directly (refresh) stays a one-off.
  #started = false;
  readonly #reportedIgnored = new Set<string>();

  constructor(options: RulePollerOptions) {
    this.#o = { ...options, intervalMs: options.intervalMs ?? 300_000, jitterMs: options.jitterMs ?? 5_000 };
    this.#timer = new PollTimer(() => void this.refresh());
  }

  /** Whether rules were ever fetched. */
  get everLoaded(): boolean {
    return this.#everLoaded;
  }

  /** Polls now, then on schedule. */
  start(): void {
    this.#started = true;
    this.#timer.schedule(0);
  }

  /** Stops polling. */
  stop(): void {
    this.#timer.stop();
  }

  /** Fetches the rules now (joining a fetch already under way); resolves with success. */
  refresh(): Promise<boolean> {
    if (this.#timer.stopped) return Promise.resolve(false);
    this.#inFlight ??= this.#fetch().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  async #fetch(): Promise<boolean> {
    const o = this.#o;
    try {
      const rules = await this.#fetchAll();
      o.cache.load(rules, o.now());
      this.#everLoaded = true;
      this.#failures = 0;
      o.failures.succeeded();
      o.diagnostics.debug(`centralized sampling: ${rules.length} rule(s) from ${o.client.address}: ${rules.map((r) => r.ruleName).join(', ')}`);
      this.#scheduleNext(o.intervalMs);
      return true;
    } catch (err) {
      this.#failures++;
      o.failures.failed('GetSamplingRules', err, this.#everLoaded);
      const fresh = o.cache.isFresh(o.now());
      if (!fresh && this.#everLoaded) o.failures.expired();
      const delay = fresh ? o.intervalMs : Math.min(o.intervalMs, FIRST_RETRY_MS * 2 ** (this.#failures - 1));
      this.#scheduleNext(delay);
      return false;
    }
  }

  #scheduleNext(delayMs: number): void {
    if (this.#started) this.#timer.schedule(delayMs + this.#o.random() * this.#o.jitterMs);
  }

  async #fetchAll(): Promise<SamplingRuleDefinition[]> {
    const o = this.#o;
    const rules: SamplingRuleDefinition[] = [];
    let token: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const body = await o.client.post('/GetSamplingRules', token === undefined ? {} : { NextToken: token });
      const parsed = parseSamplingRules(body);
      if (!parsed) throw new SamplingProxyError(`GetSamplingRules answered JSON without SamplingRuleRecords from ${o.client.address}`, 'invalid');
      rules.push(...parsed.rules);
      for (const { ruleName, reason } of parsed.ignored) {
        const key = `${ruleName}:${reason}`;
        if (this.#reportedIgnored.has(key) || this.#reportedIgnored.size >= 1000) continue;
        this.#reportedIgnored.add(key);
        o.diagnostics.debug(`centralized sampling: rule ${JSON.stringify(ruleName)} is ignored: ${reason}`);
      }
      const next = (body as { NextToken?: unknown }).NextToken;
      if (typeof next !== 'string' || next.length === 0) break;
      token = next;
    }
    return rules;
  }
}
