import { Diagnostics } from '../../diagnostics.js';
import type { HostPort } from '../../emit/daemon-address.js';
import { LocalSampler } from '../local-sampler.js';
import type { Sampler, SamplingDecision, SamplingRequest } from '../sampler.js';
import { isClientId, samplingClientId } from './client-id.js';
import { SamplingProxyClient } from './proxy-client.js';
import { ProxyFailureReporter } from './proxy-failures.js';
import { RULE_CACHE_TTL_MS, RuleCache } from './rule-cache.js';
import { RulePoller } from './rule-poller.js';
import { TargetPoller } from './target-poller.js';

/** Options of {@link CentralizedSampler}. */
export interface CentralizedSamplerOptions {
  /** The daemon's TCP address (the sampling proxy), e.g. `tracer.daemonAddress.tcp`. */
  proxy: HostPort;
  /** Decides while no usable centralized rules are cached. Default: the built-in local rules (1/s, then 5 %). */
  fallback?: Sampler;
  /** Where proxy trouble is reported. Default: a console logger at the environment's level. */
  diagnostics?: Diagnostics;
  /** `ClientID` for statistics: 24 hex digits. Default: one random id per process. */
  clientId?: string;
  /** Epoch milliseconds; injectable so tests step through seconds and TTLs. Default `Date.now`. */
  now?: () => number;
  /** Uniform in [0, 1): fixed-rate decisions and jitter. Default `Math.random`. */
  random?: () => number;
  /** Between rule fetches. Default 300,000 ms (plus up to {@link CentralizedSamplerOptions.rulesJitterMs}). */
  rulesIntervalMs?: number;
  /** Default 5,000 ms. */
  rulesJitterMs?: number;
  /** Between statistics reports. Default 10,000 ms (plus up to {@link CentralizedSamplerOptions.targetsJitterMs}). */
  targetsIntervalMs?: number;
  /** Default 100 ms. */
  targetsJitterMs?: number;
  /** A proxy call is abandoned after this long. Default 5,000 ms. */
  requestTimeoutMs?: number;
  /** Rules not refreshed for this long are no longer used. Default 3,600,000 ms (one hour). */
  cacheTtlMs?: number;
  /**
   * Start polling with the first sampling decision. Default true. With false nothing polls until
   * {@link CentralizedSampler.start}, or {@link CentralizedSampler.refreshRules} and
   * {@link CentralizedSampler.reportStatistics} are called (tests drive the polls that way).
   */
  autoStart?: boolean;
}

/** A cached rule's current state, for inspection. */
export interface CentralizedRuleState {
  ruleName: string;
  priority: number;
  /** The rate in force (the target's, once one arrived). */
  fixedRate: number;
  reservoirSize: number;
  /** The quota the service assigned this client, if any. */
  reservoirQuota: number | undefined;
  /** Epoch seconds at which the quota expires. */
  reservoirQuotaTtl: number | undefined;
}

/**
 * Applies the sampling rules defined in the X-Ray console or API, fetched through the daemon's
 * TCP proxy, exactly as the X-Ray SDKs do (without their unit bugs): rules by priority then name,
 * `Default` last; per-rule quotas with their TTL; borrowing one request a second before a quota
 * arrives; counts reported every ten seconds. Until rules arrive, when none is usable, or when
 * none matches, the fallback (local rules) decides.
 *
 * `shouldSample` is synchronous and walks the rules once; all network work happens on unref'd
 * timers that start with the first decision (or {@link CentralizedSampler.start}) and stop on
 * {@link CentralizedSampler.shutdown}.
 */
export class CentralizedSampler implements Sampler {
  readonly #cache: RuleCache;
  readonly #fallback: Sampler;
  readonly #client: SamplingProxyClient;
  readonly #rules: RulePoller;
  readonly #targets: TargetPoller;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #clientId: string;
  readonly #autoStart: boolean;
  #polling = false;
  #stopped = false;

  constructor(options: CentralizedSamplerOptions) {
    const diagnostics = options.diagnostics ?? new Diagnostics();
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.#fallback = options.fallback ?? new LocalSampler(undefined, { now: this.#now, random: this.#random });
    if (options.clientId !== undefined && !isClientId(options.clientId)) {
      throw new TypeError(`clientId is ${JSON.stringify(options.clientId)}; expected exactly 24 hexadecimal digits`);
    }
    this.#clientId = options.clientId ?? samplingClientId();
    this.#autoStart = options.autoStart !== false;
    this.#cache = new RuleCache(options.cacheTtlMs ?? RULE_CACHE_TTL_MS);
    this.#client = new SamplingProxyClient(options.proxy, { timeoutMs: options.requestTimeoutMs });
    const failures = new ProxyFailureReporter(diagnostics, this.#client.address);
    const shared = { client: this.#client, cache: this.#cache, diagnostics, failures, now: this.#now, random: this.#random };
    this.#rules = new RulePoller({ ...shared, intervalMs: options.rulesIntervalMs, jitterMs: options.rulesJitterMs });
    this.#targets = new TargetPoller({
      ...shared,
      clientId: this.#clientId,
      intervalMs: options.targetsIntervalMs,
      jitterMs: options.targetsJitterMs,
      onRulesChanged: () => void this.#rules.refresh(),
    });
  }

  /** The `ClientID` statistics are reported under. */
  get clientId(): string {
    return this.#clientId;
  }

  /** True while fetched rules are usable (fetched less than the cache TTL ago). */
  get usingCentralRules(): boolean {
    return this.#cache.isFresh(this.#now());
  }

  /** The cached rules in matching order, with their targets. */
  get rules(): CentralizedRuleState[] {
    return this.#cache.rules.map((rule) => ({
      ruleName: rule.name,
      priority: rule.definition.priority,
      fixedRate: rule.fixedRate,
      reservoirSize: rule.definition.reservoirSize,
      reservoirQuota: rule.reservoir.quota,
      reservoirQuotaTtl: rule.reservoir.quotaExpiresAt,
    }));
  }

  /**
   * Decides a new trace: the first matching centralized rule while the rules are fresh (its name
   * comes back as `ruleName`, recorded as `aws.xray.sampling_rule_name`), else the fallback.
   * Synchronous, never waits for the network; the first call starts polling unless `autoStart` is false.
   */
  shouldSample(request: SamplingRequest): SamplingDecision {
    if (this.#autoStart && !this.#polling) this.start();
    const nowMs = this.#now();
    if (this.#cache.isFresh(nowMs)) {
      const rule = this.#cache.match(request);
      if (rule) return { sampled: rule.sample(nowMs, this.#random), ruleName: rule.name };
    }
    return this.#fallback.shouldSample(request);
  }

  /** Starts polling: rules at once, statistics every ten seconds. Idempotent; no-op after shutdown. */
  start(): void {
    if (this.#stopped || this.#polling) return;
    this.#polling = true;
    this.#rules.start();
    this.#targets.start();
  }

  /** Fetches the rules now. Resolves with false when the proxy did not answer usefully. */
  refreshRules(): Promise<boolean> {
    return this.#rules.refresh();
  }

  /** Reports due statistics and applies the targets now. Resolves with false when a call failed. */
  reportStatistics(): Promise<boolean> {
    return this.#targets.poll();
  }

  /** Stops the timers, cancels calls in flight and shuts the fallback down. */
  shutdown(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#rules.stop();
    this.#targets.stop();
    this.#client.close();
    this.#fallback.shutdown?.();
  }
}
