/**
 * The one way this package reads settings from environment variables, with the same rules for
 * every variable:
 *
 * - empty or blank is the same as unset;
 * - text is trimmed;
 * - a boolean is `true`/`false`, `1`/`0`, `yes`/`no` or `on`/`off`, in any case;
 * - a number is a decimal (`250`, `0.5`) within the bounds the setting states;
 * - a list is comma-separated; items are trimmed and empty items skipped;
 * - a choice is one of the listed words, in any case.
 *
 * Anything else is a {@link ConfigError} naming the variable, its value and what was expected.
 * What follows is the caller's: the package's own and AWS's variables stop start-up (a
 * misconfigured service says so at once); `OTEL_*` variables follow the OpenTelemetry
 * specification — one warning, then the default ({@link orDefault}).
 */
import { ConfigError } from './config-error.js';

/** The environment as read here; `process.env` is one. */
export type Env = Readonly<Record<string, string | undefined>>;

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)$/;

/** What a boolean variable accepts, for messages. */
const BOOLEAN_EXPECTED = 'true or false (also 1/0, yes/no, on/off)';

/** The error a part of the package throws for its settings (`LoggerConfigError`, …). */
export type ConfigErrorClass = new (setting: string, value: unknown, expected: string) => ConfigError;

/** Typed reads of one environment; see the module comment for the rules. */
export interface EnvReader {
  /** The variable's text, trimmed; undefined when unset or blank. */
  string(name: string): string | undefined;
  /** @throws ConfigError for anything but the boolean words. */
  boolean(name: string): boolean | undefined;
  /** @throws ConfigError for text that is not a decimal number within the rule's bounds. */
  number(name: string, rule?: NumberRule): number | undefined;
  /** The items; undefined when unset or blank (a list of only commas is empty, not unset). */
  list(name: string): string[] | undefined;
  /** One of `choices`, matched in any case, returned as spelled there. @throws ConfigError otherwise. */
  choice<T extends string>(name: string, choices: readonly T[]): T | undefined;
}

/** Bounds of a number variable; `unit` names what it counts, for messages (`milliseconds`). */
export interface NumberRule {
  min?: number;
  max?: number;
  integer?: boolean;
  unit?: string;
}

/** Reads `env` with the package's rules; problems are thrown as `error` (default {@link ConfigError}). */
export function envReader(env: Env, error: ConfigErrorClass = ConfigError): EnvReader {
  const string = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };
  return {
    string,
    boolean(name) {
      const value = string(name)?.toLowerCase();
      if (value === undefined) return undefined;
      if (TRUE.has(value)) return true;
      if (FALSE.has(value)) return false;
      throw new error(name, env[name], BOOLEAN_EXPECTED);
    },
    number(name, rule = {}) {
      const value = string(name);
      if (value === undefined) return undefined;
      const number = DECIMAL.test(value) ? Number(value) : Number.NaN;
      const fits =
        Number.isFinite(number) &&
        (!rule.integer || Number.isInteger(number)) &&
        (rule.min === undefined || number >= rule.min) &&
        (rule.max === undefined || number <= rule.max);
      if (!fits) throw new error(name, env[name], describeNumber(rule));
      return number;
    },
    list(name) {
      const value = string(name);
      return value === undefined ? undefined : splitList(value);
    },
    choice(name, choices) {
      const value = string(name)?.toLowerCase();
      if (value === undefined) return undefined;
      const found = choices.find((choice) => choice.toLowerCase() === value);
      if (found === undefined) throw new error(name, env[name], oneOf(choices));
      return found;
    },
  };
}

/** Splits a comma-separated list: items trimmed, empty ones skipped. */
export function splitList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/**
 * For `OTEL_*` variables, as the OpenTelemetry specification asks: a value that cannot be used is
 * reported through `warn` (once, by whoever owns the setting) and the default applies.
 */
export function orDefault<T>(read: () => T | undefined, warn: (message: string) => void): T | undefined {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    warn(`${error.message}; using the default`);
    return undefined;
  }
}

/** `a, b or c`. */
export function oneOf(choices: readonly string[]): string {
  return choices.length < 2 ? (choices[0] ?? 'nothing') : `${choices.slice(0, -1).join(', ')} or ${choices.at(-1)!}`;
}

/** What a number rule accepts, for messages (`a whole number of spans ≥ 1`). */
export function describeNumber(rule: NumberRule): string {
  const kind = rule.integer ? 'a whole number' : 'a number';
  const bounds =
    rule.min !== undefined && rule.max !== undefined
      ? ` from ${rule.min} to ${rule.max}`
      : rule.min !== undefined
        ? ` ≥ ${rule.min}`
        : rule.max !== undefined
          ? ` ≤ ${rule.max}`
          : '';
  return `${kind}${rule.unit ? ` of ${rule.unit}` : ''}${bounds}`;
}
