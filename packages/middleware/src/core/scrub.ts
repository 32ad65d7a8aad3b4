// The one scrubbing policy of the package: segments, log lines and error reports all use these
// functions, so the lists cannot drift apart.

/** What replaces a secret. */
export const REDACTED = '[REDACTED]';

/** Headers whose values are always secret. */
export const SENSITIVE_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'x-amz-security-token',
  'x-rollbar-access-token',
  'x-csrf-token',
  'x-xsrf-token',
]);

// Names that look like they hold a secret: "token", "password", "api_key", "client-secret", …
const SENSITIVE_NAME = /pass(word|wd|phrase)?|secret|token|api[-_]?key|auth(?!or)|credential|session|cookie|private[-_]?key|signature|access[-_]?key|\bpin\b|ssn/i;

/** True for a header, field or query parameter name that holds a secret. */
export function isSensitiveName(name: string): boolean {
  const lower = name.toLowerCase();
  return SENSITIVE_HEADERS.has(lower) || SENSITIVE_NAME.test(lower);
}

/** A copy of `headers` with secret values replaced. */
export function scrubHeaders(headers: Readonly<Record<string, string | string[] | number | undefined>>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    if (isSensitiveName(name)) out[name] = REDACTED;
    else out[name] = Array.isArray(value) ? value.map((v) => scrubText(v)) : scrubText(String(value));
  }
  return out;
}

/**
 * A URL (absolute or path) as this package records it: the values of secret-looking query
 * parameters and any credentials in it replaced by `[REDACTED]`. Use it to name a connection
 * string in a log line or an error message without leaking its password.
 */
export function scrubUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return scrubText(url);
  const hash = url.indexOf('#', q);
  const query = url.slice(q + 1, hash < 0 ? undefined : hash);
  const scrubbed = query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return pair;
      let name = pair.slice(0, eq);
      try {
        name = decodeURIComponent(name);
      } catch {
        // keep the raw name
      }
      return isSensitiveName(name) ? `${pair.slice(0, eq)}=${REDACTED}` : pair;
    })
    .join('&');
  return scrubText(url.slice(0, q)) + '?' + scrubbed + (hash < 0 ? '' : url.slice(hash));
}

// A whole name (from where its run of name characters starts) and the separator after it.
const KEY_AND_SEPARATOR = /(?<![\w-])([\w-]+)(["']?\s*[=:]\s*["']?)/g;
const PAIR_VALUE = /[^\s"',;&]+/y;

// Every rule runs in time linear in the text: a rule may only start where its anchor appears
// ("://", the start of a name), because a pattern that can start anywhere and scan ahead takes
// quadratic time on one long word, and log lines carry long words (base64, minified JSON).
const TEXT_RULES: ReadonlyArray<(text: string) => string> = [
  // scheme://user:password@host — connection strings in error messages
  (text) => replaceAll(text, /:\/\/([^:/?#\s@]*):[^@/?#\s]+@/g, `://$1:${REDACTED}@`),
  // Authorization-style values
  (text) => replaceAll(text, /\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]{6,}/g, `$1 ${REDACTED}`),
  // key=value or key: value where the key looks secret
  scrubSecretPairs,
  // AWS access key ids
  (text) => replaceAll(text, /\b(AKIA|ASIA)[A-Z0-9]{16}\b/g, REDACTED),
];

function replaceAll(text: string, pattern: RegExp, replacement: string): string {
  pattern.lastIndex = 0;
  if (!pattern.test(text)) return text;
  pattern.lastIndex = 0;
  return text.replace(pattern, replacement);
}

// A name that is not secret consumes only itself, so `x=token=abc` still finds `token`.
function scrubSecretPairs(text: string): string {
  let out = '';
  let copied = 0;
  KEY_AND_SEPARATOR.lastIndex = 0;
  for (let m = KEY_AND_SEPARATOR.exec(text); m !== null; m = KEY_AND_SEPARATOR.exec(text)) {
    const key = m[1] as string;
    const valueStart = m.index + m[0].length;
    PAIR_VALUE.lastIndex = valueStart;
    // The same names as fields and query parameters: `session_id=…` in a logged URL is as secret
    // as the `session_id` parameter Rollbar's request block redacts.
    const value = isSensitiveName(key) ? PAIR_VALUE.exec(text) : null;
    if (value === null) {
      KEY_AND_SEPARATOR.lastIndex = m.index + key.length;
      continue;
    }
    out += text.slice(copied, valueStart) + REDACTED;
    copied = valueStart + value[0].length;
    KEY_AND_SEPARATOR.lastIndex = copied;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

// Every rule's match contains one of these (rules 1 and 3 need ":" or "="): most texts (SQL
// operations, names, ids) contain none, and one scan spares them the four rules' scans.
const MAY_HOLD_A_SECRET = /[:=]|Bearer|Basic|Token|AKIA|ASIA/;

/** Free text (messages, error texts) with connection-string passwords, bearer tokens and `secret=…` pairs replaced. */
export function scrubText(text: string): string {
  if (!MAY_HOLD_A_SECRET.test(text)) return text;
  let out = text;
  for (const rule of TEXT_RULES) out = rule(out);
  return out;
}

/**
 * A deep copy of a JSON-like value with secret-named fields replaced and strings scrubbed. Cycles
 * and depth beyond `maxDepth` become `"[Circular]"` / `"[Truncated]"`; never throws.
 */
export function scrubValue(value: unknown, maxDepth = 10): unknown {
  const seen = new WeakSet<object>();
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return scrubText(v);
    if (v === null || typeof v !== 'object') return typeof v === 'bigint' ? v.toString() : typeof v === 'function' ? undefined : v;
    if (seen.has(v)) return '[Circular]';
    if (depth >= maxDepth) return '[Truncated]';
    seen.add(v);
    try {
      if (Array.isArray(v)) return v.map((item) => walk(item, depth + 1));
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(v)) {
        let item: unknown;
        try {
          item = (v as Record<string, unknown>)[key];
        } catch {
          item = '[Unreadable]';
        }
        out[key] = isSensitiveName(key) ? REDACTED : walk(item, depth + 1);
      }
      return out;
    } finally {
      seen.delete(v);
    }
  };
  return walk(value, 0);
}
