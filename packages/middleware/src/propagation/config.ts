import { splitList } from '../core/env.js';

/**
 * Which trace-context formats a tracer reads and writes, from the `propagators` option or the
 * OpenTelemetry `OTEL_PROPAGATORS` variable.
 */

/** A trace-context format: `xray` = `X-Amzn-Trace-Id`, `tracecontext` = W3C `traceparent` + `tracestate`. */
export type PropagatorName = 'xray' | 'tracecontext';

/** Both formats, X-Ray first: extracted and injected unless configured otherwise. */
export const DEFAULT_PROPAGATORS: ReadonlyArray<PropagatorName> = Object.freeze(['xray', 'tracecontext'] as const);

/** The environment variable OpenTelemetry SDKs read (a comma-separated list). */
export const PROPAGATORS_ENV = 'OTEL_PROPAGATORS';

const SUPPORTED: ReadonlySet<string> = new Set<PropagatorName>(['xray', 'tracecontext']);

/**
 * Resolves the propagators: the option wins over `OTEL_PROPAGATORS`, which wins over the default
 * ({@link DEFAULT_PROPAGATORS}). Order is precedence (see README-propagation.md); repeated names
 * count once.
 *
 * - The option is code: a name other than `xray` or `tracecontext` throws at start-up. An empty
 *   array turns propagation off.
 * - The variable is read as OpenTelemetry defines it. `none` means no propagation at all. Other
 *   names OpenTelemetry knows but this package does not speak (`baggage`, `b3`, `b3multi`,
 *   `jaeger`, `xray-lambda`, …) and unknown names are ignored with one warning that names them;
 *   when none of the listed names is supported nothing is propagated, as the list asked for none
 *   of ours. An empty or blank variable counts as unset.
 */
export function resolvePropagators(
  option: ReadonlyArray<PropagatorName> | undefined,
  envValue: string | undefined,
  warn: (message: string) => void,
): ReadonlyArray<PropagatorName> {
  if (option !== undefined) return validateOption(option);
  if (envValue === undefined || envValue.trim() === '') return DEFAULT_PROPAGATORS;
  return fromEnv(envValue, warn);
}

function validateOption(option: ReadonlyArray<PropagatorName>): ReadonlyArray<PropagatorName> {
  if (!Array.isArray(option)) throw new TypeError(`propagators is ${String(option)}; expected an array of 'xray' and/or 'tracecontext'`);
  const out: PropagatorName[] = [];
  for (const name of option as ReadonlyArray<unknown>) {
    if (typeof name !== 'string' || !SUPPORTED.has(name)) {
      throw new TypeError(`propagators contains ${JSON.stringify(name)}; expected 'xray' or 'tracecontext'`);
    }
    if (!out.includes(name as PropagatorName)) out.push(name as PropagatorName);
  }
  return Object.freeze(out);
}

function fromEnv(value: string, warn: (message: string) => void): ReadonlyArray<PropagatorName> {
  const names = splitList(value).map((n) => n.toLowerCase());
  const out: PropagatorName[] = [];
  const ignored: string[] = [];
  let none = false;
  for (const name of names) {
    if (name === 'none') none = true;
    else if (SUPPORTED.has(name)) {
      if (!out.includes(name as PropagatorName)) out.push(name as PropagatorName);
    } else if (!ignored.includes(name)) ignored.push(name);
  }
  if (none && out.length > 0) ignored.push(...out.splice(0));
  if (ignored.length > 0) {
    // Printed as JSON strings so a control character in the variable cannot forge a log line.
    const list = ignored.map((n) => JSON.stringify(n.slice(0, 64))).join(', ');
    warn(`${PROPAGATORS_ENV}=${JSON.stringify(value.slice(0, 200))}: ignoring ${list} (supported: tracecontext, xray, none)`);
  }
  return Object.freeze(out);
}
