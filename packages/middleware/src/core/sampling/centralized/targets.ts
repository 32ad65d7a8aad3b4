import type { RuleTarget } from './rule.js';
import type { RuleStatisticsSnapshot } from './rule-statistics.js';
import { isRecord } from './rule-definition.js';

/** One `SamplingStatisticsDocument` of a `SamplingTargets` request. */
export interface SamplingStatisticsDocument {
  RuleName: string;
  ClientID: string;
  RequestCount: number;
  SampledCount: number;
  BorrowCount: number;
  /** Epoch seconds. */
  Timestamp: number;
}

/** The most statistics documents one `SamplingTargets` call may carry. */
export const MAX_STATISTICS_PER_CALL = 25;

/** A `SamplingTargets` answer, read. */
export interface SamplingTargetsAnswer {
  targets: Array<{ ruleName: string; target: RuleTarget }>;
  /** Epoch seconds of the last change to any rule. */
  lastRuleModification: number | undefined;
  unprocessed: Array<{ ruleName: string; errorCode: string; message: string }>;
}

/** Builds the statistics document of one rule. */
export function statisticsDocument(ruleName: string, clientId: string, counts: RuleStatisticsSnapshot, nowMs: number): SamplingStatisticsDocument {
  return {
    RuleName: ruleName,
    ClientID: clientId,
    RequestCount: counts.requestCount,
    SampledCount: counts.sampledCount,
    BorrowCount: counts.borrowCount,
    Timestamp: Math.floor(nowMs / 1000),
  };
}

/**
 * Reads a `SamplingTargets` answer. Times are the API's epoch seconds (REST-JSON timestamps);
 * an ISO-8601 string is accepted too. Returns undefined when the body is not that answer at all.
 */
export function parseSamplingTargets(body: unknown): SamplingTargetsAnswer | undefined {
  if (!isRecord(body)) return undefined;
  const docs = body.SamplingTargetDocuments;
  if (docs !== undefined && docs !== null && !Array.isArray(docs)) return undefined;
  const answer: SamplingTargetsAnswer = { targets: [], lastRuleModification: epochSeconds(body.LastRuleModification), unprocessed: [] };
  for (const doc of (docs ?? []) as unknown[]) {
    if (!isRecord(doc) || typeof doc.RuleName !== 'string') continue;
    const target: RuleTarget = {};
    const rate = finite(doc.FixedRate);
    if (rate !== undefined && rate >= 0 && rate <= 1) target.fixedRate = rate;
    const quota = finite(doc.ReservoirQuota);
    if (quota !== undefined && quota >= 0) target.reservoirQuota = Math.floor(quota);
    const ttl = epochSeconds(doc.ReservoirQuotaTTL);
    if (ttl !== undefined) target.reservoirQuotaTtl = ttl;
    const interval = finite(doc.Interval);
    if (interval !== undefined && interval > 0) target.interval = interval;
    answer.targets.push({ ruleName: doc.RuleName, target });
  }
  if (Array.isArray(body.UnprocessedStatistics)) {
    for (const item of body.UnprocessedStatistics as unknown[]) {
      if (!isRecord(item)) continue;
      answer.unprocessed.push({
        ruleName: typeof item.RuleName === 'string' ? item.RuleName : '?',
        errorCode: typeof item.ErrorCode === 'string' ? item.ErrorCode : '?',
        message: typeof item.Message === 'string' ? item.Message : '',
      });
    }
  }
  return answer;
}

/** A REST-JSON timestamp as epoch seconds: a number (the wire form) or an ISO-8601 string. */
export function epochSeconds(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || value.length === 0) return undefined;
  const asNumber = Number(value);
  if (Number.isFinite(asNumber)) return asNumber;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms / 1000;
}

function finite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
