/**
 * A setting that cannot work, found at start-up: an option given in code or an environment
 * variable. The message names the setting, its value and what was expected; the same three are
 * properties, for code that wants to react to one setting. Each part of the package throws its own
 * subclass (`LoggerConfigError`, `MetricsConfigError`, `ReporterConfigError`, `OtlpConfigError`),
 * so `instanceof ConfigError` catches them all.
 */
export class ConfigError extends Error {
  /** The class's name (each subclass sets its own), to tell the errors apart after serialisation. */
  override name = 'ConfigError';
  /** The option (`cloudwatch.logGroup`) or environment variable (`CRUDDUR_LOG_GROUP`). */
  readonly setting: string;
  /** The value that was given. */
  readonly value: unknown;
  /** What would have worked. */
  readonly expected: string;

  constructor(setting: string, value: unknown, expected: string) {
    super(`${setting} is ${showValue(value)}; expected ${expected}`);
    this.setting = setting;
    this.value = value;
    this.expected = expected;
  }
}

// JSON, so a control character in a variable cannot forge a log line; long values are cut.
function showValue(value: unknown): string {
  if (value === undefined) return 'missing';
  if (typeof value === 'string') return JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}…` : value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
