import { DEFAULT_SAMPLING_RULES, type LocalSamplingRules } from './local-rules.js';
import { Reservoir } from './reservoir.js';
import type { Sampler, SamplingDecision, SamplingRequest } from './sampler.js';
import { wildcardMatch } from './wildcard.js';

interface CompiledRule {
  host: string;
  method: string;
  path: string;
  reservoir: Reservoir;
  rate: number;
}

const SAMPLED: SamplingDecision = Object.freeze({ sampled: true });
const NOT_SAMPLED: SamplingDecision = Object.freeze({ sampled: false });

/**
 * Applies a local rules document: rules in order, the first match wins, the default last. Each
 * rule samples its `fixed_target` requests per second, then `rate` of the rest.
 */
export class LocalSampler implements Sampler {
  readonly #rules: CompiledRule[];
  readonly #default: { reservoir: Reservoir; rate: number };
  readonly #random: () => number;

  constructor(rules: LocalSamplingRules = DEFAULT_SAMPLING_RULES, options: { now?: () => number; random?: () => number } = {}) {
    const now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.#rules = (rules.rules ?? []).map((r) => ({
      host: r.host,
      method: r.http_method,
      path: r.url_path,
      reservoir: new Reservoir(r.fixed_target, now),
      rate: r.rate,
    }));
    this.#default = { reservoir: new Reservoir(rules.default.fixed_target, now), rate: rules.default.rate };
  }

  shouldSample(request: SamplingRequest): SamplingDecision {
    for (const rule of this.#rules) {
      if (matches(rule, request)) return this.#decide(rule);
    }
    return this.#decide(this.#default);
  }

  #decide(rule: { reservoir: Reservoir; rate: number }): SamplingDecision {
    if (rule.reservoir.take()) return SAMPLED;
    return rule.rate > 0 && this.#random() < rule.rate ? SAMPLED : NOT_SAMPLED;
  }
}

function matches(rule: CompiledRule, req: SamplingRequest): boolean {
  return (
    (req.host === undefined || wildcardMatch(rule.host, req.host)) &&
    (req.method === undefined || wildcardMatch(rule.method, req.method)) &&
    (req.urlPath === undefined || wildcardMatch(rule.path, req.urlPath))
  );
}
