import { readFileSync } from 'node:fs';

/** One rule of a local sampling rules document. */
export interface LocalSamplingRule {
  /** Free text, for people reading the rules. */
  description?: string;
  /** Pattern for the request's `Host` header. Version 1 files spell it `service_name`. */
  host: string;
  /** Method pattern (`*` and `?` wildcards). */
  http_method: string;
  /** Path pattern (`*` and `?` wildcards). */
  url_path: string;
  /** Requests sampled each second before `rate` applies (a reservoir per rule). */
  fixed_target: number;
  /** Share of the further requests sampled, 0 to 1. */
  rate: number;
}

/** The fallback rule every document ends with. */
export interface DefaultSamplingRule {
  /** Requests sampled each second before `rate` applies. */
  fixed_target: number;
  /** Share of the further requests sampled, 0 to 1. */
  rate: number;
}

/** A local sampling rules document, version 1 or 2. */
export interface LocalSamplingRules {
  /** 1 (`service_name`) or 2 (`host`), as in the X-Ray SDKs' rule files. */
  version: 1 | 2;
  /** Tried in order; the first match decides. */
  rules?: LocalSamplingRule[];
  /** Applies when no rule matches. */
  default: DefaultSamplingRule;
}

/** The rules used when none are configured: one request a second, then 5 %. */
export const DEFAULT_SAMPLING_RULES: LocalSamplingRules = Object.freeze({
  version: 2,
  rules: [],
  default: Object.freeze({ fixed_target: 1, rate: 0.05 }),
}) as LocalSamplingRules;

/** A bad rules document; the message names the source, the field, the value and what was expected. */
export class SamplingRulesError extends Error {
  /** Always `'SamplingRulesError'`, to tell the error apart after serialisation. */
  override name = 'SamplingRulesError';
}

/** Reads and validates a rules file. Throws {@link SamplingRulesError} for anything off. */
export function loadSamplingRulesFile(path: string): LocalSamplingRules {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new SamplingRulesError(`sampling rules file ${path}: cannot be read (${(err as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new SamplingRulesError(`sampling rules file ${path}: not valid JSON (${(err as Error).message})`);
  }
  return validateSamplingRules(json, `sampling rules file ${path}`);
}

const RULE_KEYS_V2 = new Set(['description', 'host', 'http_method', 'url_path', 'fixed_target', 'rate']);
const RULE_KEYS_V1 = new Set(['description', 'service_name', 'http_method', 'url_path', 'fixed_target', 'rate']);
const DEFAULT_KEYS = new Set(['fixed_target', 'rate']);

/** Validates a parsed rules document (`source` names it in errors). */
export function validateSamplingRules(json: unknown, source = 'sampling rules'): LocalSamplingRules {
  const fail = (field: string, value: unknown, expected: string): never => {
    throw new SamplingRulesError(`${source}: ${field} is ${show(value)}; expected ${expected}`);
  };
  if (!isObject(json)) return fail('the document', json, 'an object');
  const version = json.version;
  if (version !== 1 && version !== 2) fail('"version"', version, '1 or 2');
  for (const key of Object.keys(json)) {
    if (key !== 'version' && key !== 'rules' && key !== 'default') fail(`"${key}"`, json[key], 'no such key (allowed: version, rules, default)');
  }
  const def = json.default;
  if (!isObject(def)) return fail('"default"', def, 'an object with fixed_target and rate');
  for (const key of Object.keys(def)) if (!DEFAULT_KEYS.has(key)) fail(`"default.${key}"`, def[key], 'no such key (the default rule has only fixed_target and rate)');
  checkTarget(def.fixed_target, 'default.fixed_target', fail);
  checkRate(def.rate, 'default.rate', fail);

  const rulesValue = json.rules ?? [];
  if (!Array.isArray(rulesValue)) fail('"rules"', rulesValue, 'an array');
  const allowed = version === 1 ? RULE_KEYS_V1 : RULE_KEYS_V2;
  const rules = (rulesValue as unknown[]).map((rule, i): LocalSamplingRule => {
    const at = `rules[${i}]`;
    if (!isObject(rule)) return fail(at, rule, 'an object');
    for (const key of Object.keys(rule)) {
      if (!allowed.has(key)) fail(`"${at}.${key}"`, rule[key], `no such key in a version ${String(version)} rule (allowed: ${[...allowed].join(', ')})`);
    }
    const hostKey = version === 1 ? 'service_name' : 'host';
    for (const key of [hostKey, 'http_method', 'url_path']) {
      if (typeof rule[key] !== 'string' || (rule[key] as string).length === 0) fail(`"${at}.${key}"`, rule[key], 'a non-empty pattern string (use "*" to match anything)');
    }
    if (rule.description !== undefined && typeof rule.description !== 'string') fail(`"${at}.description"`, rule.description, 'a string');
    checkTarget(rule.fixed_target, `${at}.fixed_target`, fail);
    checkRate(rule.rate, `${at}.rate`, fail);
    // Version 1 `service_name` is the Host pattern, as in the official Node and Python SDKs, so a
    // rules file migrated from them samples the same requests.
    const parsed: LocalSamplingRule = {
      host: rule[hostKey] as string,
      http_method: rule.http_method as string,
      url_path: rule.url_path as string,
      fixed_target: rule.fixed_target as number,
      rate: rule.rate as number,
    };
    if (typeof rule.description === 'string') parsed.description = rule.description;
    return parsed;
  });
  return { version: version as 1 | 2, rules, default: { fixed_target: def.fixed_target as number, rate: def.rate as number } };
}

type Fail = (field: string, value: unknown, expected: string) => never;

function checkTarget(value: unknown, field: string, fail: Fail): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) fail(`"${field}"`, value, 'an integer ≥ 0 (requests sampled each second before the rate applies)');
}

function checkRate(value: unknown, field: string, fail: Fail): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) fail(`"${field}"`, value, 'a number between 0 and 1');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  if (value === undefined) return 'missing';
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
