import type { SamplingRequest } from '../sampler.js';
import { CentralizedRule, type RuleTarget } from './rule.js';
import { compareRules, type SamplingRuleDefinition } from './rule-definition.js';

/** How long fetched rules stay usable without a successful refresh: one hour, as in every X-Ray SDK. */
export const RULE_CACHE_TTL_MS = 3_600_000;

/**
 * The rules in matching order (priority, then name, `Default` last) and when they were fetched.
 * Rules older than the TTL are not used, so a client cut off from the service for long falls back
 * to its local rules instead of applying stale targets forever.
 */
export class RuleCache {
  #rules: CentralizedRule[] = [];
  #byName = new Map<string, CentralizedRule>();
  #fetchedAtMs: number | undefined;
  readonly #ttlMs: number;

  constructor(ttlMs: number = RULE_CACHE_TTL_MS) {
    this.#ttlMs = ttlMs;
  }

  /** When the rules were last fetched (epoch ms of the sampler's clock). */
  get fetchedAtMs(): number | undefined {
    return this.#fetchedAtMs;
  }

  /** The rules in matching order. */
  get rules(): readonly CentralizedRule[] {
    return this.#rules;
  }

  /** True when rules were fetched less than the TTL ago. */
  isFresh(nowMs: number): boolean {
    return this.#fetchedAtMs !== undefined && nowMs - this.#fetchedAtMs < this.#ttlMs;
  }

  /** Replaces the rules; rules that keep their name keep their quota and counts. */
  load(definitions: readonly SamplingRuleDefinition[], nowMs: number): void {
    const sorted = [...definitions].sort(compareRules);
    const next: CentralizedRule[] = [];
    const byName = new Map<string, CentralizedRule>();
    for (const def of sorted) {
      if (byName.has(def.ruleName)) continue;
      const rule = new CentralizedRule(def, this.#byName.get(def.ruleName));
      next.push(rule);
      byName.set(def.ruleName, rule);
    }
    this.#rules = next;
    this.#byName = byName;
    this.#fetchedAtMs = nowMs;
  }

  /** The first matching rule, `Default` when nothing else matches; undefined when none matches. */
  match(request: SamplingRequest): CentralizedRule | undefined {
    for (const rule of this.#rules) if (rule.matches(request)) return rule;
    return undefined;
  }

  /** Applies a target to the rule of that name; false when no such rule is cached. */
  applyTarget(ruleName: string, target: RuleTarget): boolean {
    const rule = this.#byName.get(ruleName);
    if (!rule) return false;
    rule.applyTarget(target);
    return true;
  }
}
