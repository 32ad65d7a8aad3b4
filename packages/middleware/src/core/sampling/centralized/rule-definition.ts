/**
 * A centralized sampling rule as the X-Ray API defines it (`SamplingRule` in
 * `GetSamplingRules`), reduced to what a sampler applies.
 */
export interface SamplingRuleDefinition {
  /** `RuleName`; `Default` is the catch-all rule every account has. */
  ruleName: string;
  /** `Priority`: lower is tried first (1–9999; `Default` uses 10000). */
  priority: number;
  /** `FixedRate`: the share of requests sampled once the reservoir is used up (0–1). */
  fixedRate: number;
  /** `ReservoirSize`: requests a second across all clients; above 0 lets a client borrow 1/s. */
  reservoirSize: number;
  /** `ServiceName` pattern, matched against the segment name. */
  serviceName: string;
  /** `ServiceType` pattern, matched against the segment's `origin`. */
  serviceType: string;
  /** `Host` pattern. */
  host: string;
  /** `HTTPMethod` pattern. */
  httpMethod: string;
  /** `URLPath` pattern. */
  urlPath: string;
}

/** The name of the catch-all rule: tried only when no other rule matched. */
export const DEFAULT_RULE_NAME = 'Default';

/** What {@link parseSamplingRules} kept and what it left out (with the reason). */
export interface ParsedSamplingRules {
  /** The rules this client applies, in the order received. */
  rules: SamplingRuleDefinition[];
  /** The rules left out, each with why. */
  ignored: Array<{ ruleName: string; reason: string }>;
}

/**
 * Reads a `GetSamplingRules` response body. Rules this client cannot apply are left out, as the
 * official SDKs do: a version other than 1, a resource ARN other than `*` (the client cannot know
 * its own ARN), or any `Attributes` (no request attributes are available to match). Returns
 * undefined when the body does not have the response's shape at all.
 */
export function parseSamplingRules(body: unknown): ParsedSamplingRules | undefined {
  if (!isRecord(body) || !Array.isArray(body.SamplingRuleRecords)) return undefined;
  const out: ParsedSamplingRules = { rules: [], ignored: [] };
  for (const record of body.SamplingRuleRecords as unknown[]) {
    const rule = isRecord(record) ? record.SamplingRule : undefined;
    if (!isRecord(rule)) {
      out.ignored.push({ ruleName: '?', reason: 'the record has no SamplingRule object' });
      continue;
    }
    const ruleName = typeof rule.RuleName === 'string' ? rule.RuleName : '';
    const reason = unusable(rule);
    if (reason) {
      out.ignored.push({ ruleName: ruleName || '?', reason });
      continue;
    }
    out.rules.push({
      ruleName,
      priority: rule.Priority as number,
      fixedRate: rule.FixedRate as number,
      reservoirSize: rule.ReservoirSize as number,
      serviceName: rule.ServiceName as string,
      serviceType: rule.ServiceType as string,
      host: rule.Host as string,
      httpMethod: rule.HTTPMethod as string,
      urlPath: rule.URLPath as string,
    });
  }
  return out;
}

function unusable(rule: Record<string, unknown>): string | undefined {
  if (typeof rule.RuleName !== 'string' || rule.RuleName.length === 0) return 'RuleName is missing';
  if (rule.Version !== 1) return `Version is ${JSON.stringify(rule.Version)}; only version 1 rules are understood`;
  if (rule.ResourceARN !== '*') return `ResourceARN is ${JSON.stringify(rule.ResourceARN)}; only "*" can be matched by a client`;
  if (rule.Attributes !== undefined && rule.Attributes !== null && !(isRecord(rule.Attributes) && Object.keys(rule.Attributes).length === 0)) {
    return 'the rule matches Attributes, which a client cannot see';
  }
  if (!isFiniteNumber(rule.Priority)) return 'Priority is not a number';
  if (!isFiniteNumber(rule.FixedRate) || rule.FixedRate < 0 || rule.FixedRate > 1) return 'FixedRate is not a number between 0 and 1';
  if (!isFiniteNumber(rule.ReservoirSize) || rule.ReservoirSize < 0) return 'ReservoirSize is not a number ≥ 0';
  for (const key of ['ServiceName', 'ServiceType', 'Host', 'HTTPMethod', 'URLPath'] as const) {
    if (typeof rule[key] !== 'string' || (rule[key] as string).length === 0) return `${key} is not a non-empty pattern`;
  }
  return undefined;
}

/**
 * Orders rules the way every X-Ray client does: priority ascending, then name ascending, with the
 * `Default` rule last whatever its priority says.
 */
export function compareRules(a: SamplingRuleDefinition, b: SamplingRuleDefinition): number {
  const aDefault = a.ruleName === DEFAULT_RULE_NAME;
  const bDefault = b.ruleName === DEFAULT_RULE_NAME;
  if (aDefault !== bDefault) return aDefault ? 1 : -1;
  if (a.priority !== b.priority) return a.priority - b.priority;
  return a.ruleName < b.ruleName ? -1 : a.ruleName > b.ruleName ? 1 : 0;
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** @internal */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
