import winston from 'winston';
import { isSensitiveName, REDACTED, scrubText, scrubValue } from '../core/scrub.js';

// Fields winston and this package set themselves; nothing secret can hide in them.
const OWN_FIELDS = new Set(['level', 'timestamp', 'service', 'trace_id', 'segment_id', 'sampled']);

/**
 * A winston format applying the package's one scrubbing policy to every entry: secret-named
 * fields become `[REDACTED]` at any depth, and connection-string passwords, bearer tokens and
 * `token=…` pairs are cut out of every string, the message included.
 */
export const scrubSecrets = winston.format((info) => {
  for (const key of Object.keys(info)) {
    if (OWN_FIELDS.has(key)) continue;
    const value = info[key];
    if (isSensitiveName(key)) info[key] = REDACTED;
    else if (typeof value === 'string') info[key] = scrubText(value);
    else if (value !== null && typeof value === 'object') info[key] = scrubValue(value instanceof Error ? errorFields(value) : value);
  }
  return info;
});

// An Error's message and stack are not enumerable: copy them so they reach the log at all.
function errorFields(error: Error): Record<string, unknown> {
  return { ...error, name: error.name, message: error.message, stack: error.stack };
}
