import type { SamplingRequest } from '../sampler.js';
import { wildcardMatch } from '../wildcard.js';
import { DEFAULT_RULE_NAME, type SamplingRuleDefinition } from './rule-definition.js';
import { RuleReservoir } from './rule-reservoir.js';
import { RuleStatistics, type RuleStatisticsSnapshot } from './rule-statistics.js';

/** A target the service assigned to a rule (`SamplingTargetDocument`), times in epoch seconds. */
export interface RuleTarget {
  fixedRate?: number;
  reservoirQuota?: number;
  reservoirQuotaTtl?: number;
  /** Seconds between this rule's reports. */
  interval?: number;
}

/** The base polling period the service's `Interval` is counted in. */
const TARGET_POLL_SECONDS = 10;

/**
 * A centralized rule with its live state: the definition from `GetSamplingRules`, the target from
 * `SamplingTargets` (rate, quota, TTL, reporting interval), the reservoir and the counts.
 */
export class CentralizedRule {
  #definition: SamplingRuleDefinition;
  #fixedRate: number;
  #pollsPerReport = 1;
  #pollsUntilReport = 0;
  readonly reservoir: RuleReservoir;
  readonly statistics: RuleStatistics;

  constructor(definition: SamplingRuleDefinition, previous?: CentralizedRule) {
    this.#definition = definition;
    this.#fixedRate = definition.fixedRate;
    // A rule that survives a refresh keeps its quota and counts: the service's target for it still holds.
    this.reservoir = previous?.reservoir ?? new RuleReservoir();
    this.statistics = previous?.statistics ?? new RuleStatistics();
    if (previous) {
      this.#pollsPerReport = previous.#pollsPerReport;
      this.#pollsUntilReport = previous.#pollsUntilReport;
      if (previous.#definition.fixedRate === definition.fixedRate) this.#fixedRate = previous.#fixedRate;
    }
  }

  /** `RuleName`. */
  get name(): string {
    return this.#definition.ruleName;
  }

  /** The rule as the service defined it. */
  get definition(): Readonly<SamplingRuleDefinition> {
    return this.#definition;
  }

  /** The rate in force: the rule's `FixedRate` until a target overrides it. */
  get fixedRate(): number {
    return this.#fixedRate;
  }

  /** The catch-all rule. */
  get isDefault(): boolean {
    return this.#definition.ruleName === DEFAULT_RULE_NAME;
  }

  /** All five patterns match; an attribute the request does not have counts as a match. */
  matches(request: SamplingRequest): boolean {
    if (this.isDefault) return true;
    const d = this.#definition;
    return (
      (request.host === undefined || wildcardMatch(d.host, request.host)) &&
      (request.method === undefined || wildcardMatch(d.httpMethod, request.method)) &&
      (request.urlPath === undefined || wildcardMatch(d.urlPath, request.urlPath)) &&
      (request.serviceName === undefined || wildcardMatch(d.serviceName, request.serviceName)) &&
      (request.serviceType === undefined || wildcardMatch(d.serviceType, request.serviceType))
    );
  }

  /**
   * Decides a request this rule matched: the quota while it is fresh, else one borrowed request a
   * second (when the rule has a reservoir), else the fixed rate. Counts the outcome.
   */
  sample(nowMs: number, random: () => number): boolean {
    const outcome = this.reservoir.next(nowMs, this.#definition.reservoirSize > 0);
    const sampled = outcome !== 'none' || (this.#fixedRate > 0 && random() < this.#fixedRate);
    this.statistics.record(sampled, outcome === 'borrow');
    return sampled;
  }

  /** Applies a target from `SamplingTargets`. */
  applyTarget(target: RuleTarget): void {
    if (target.fixedRate !== undefined) this.#fixedRate = target.fixedRate;
    this.reservoir.assign(target.reservoirQuota, target.reservoirQuotaTtl);
    if (target.interval !== undefined) this.#pollsPerReport = Math.max(1, Math.round(target.interval / TARGET_POLL_SECONDS));
  }

  /**
   * Called once per targets poll: returns this rule's counts when it is due to report (every
   * `Interval / 10` polls) and matched anything since its last report, and starts a new window.
   */
  takeReport(): RuleStatisticsSnapshot | undefined {
    if (--this.#pollsUntilReport > 0) return undefined;
    if (this.statistics.requestCount === 0) return undefined;
    this.#pollsUntilReport = this.#pollsPerReport;
    return this.statistics.snapshot();
  }
}
