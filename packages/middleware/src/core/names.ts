/** X-Ray limits segment and subsegment names to 200 characters. */
export const MAX_NAME_LENGTH = 200;

// Allowed: Unicode letters and digits, whitespace, and _ . : / % & # = + \ - @
const DISALLOWED = /[^\p{L}\p{N}\s_.:/%&#=+\\\-@]/u;
const DISALLOWED_ALL = new RegExp(DISALLOWED.source, 'gu');

/**
 * Makes a name acceptable to X-Ray: removes characters outside the allowed set, collapses
 * control whitespace to spaces, and truncates to 200 characters. Returns `fallback` when nothing
 * usable is left.
 */
export function sanitizeName(name: string, fallback = 'unknown'): string {
  // Names repeat (service, host, route captures): remember the last few hundred results.
  const key = fallback === 'unknown' ? name : undefined;
  if (key !== undefined) {
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
  }
  const clean = sanitize(name, fallback);
  if (key !== undefined && key.length <= MAX_NAME_LENGTH) {
    if (cache.size >= 512) cache.clear();
    cache.set(key, clean);
  }
  return clean;
}

const cache = new Map<string, string>();

function sanitize(name: string, fallback: string): string {
  let clean = name;
  if (DISALLOWED.test(clean)) clean = clean.replace(DISALLOWED_ALL, '');
  // Tabs and newlines are "whitespace" to X-Ray but break log lines and terminals.
  if (/[\t\n\r\v\f]/.test(clean)) clean = clean.replace(/[\t\n\r\v\f]+/g, ' ');
  if (clean.length > MAX_NAME_LENGTH) clean = clean.slice(0, MAX_NAME_LENGTH);
  clean = clean.trim();
  return clean.length > 0 ? clean : fallback;
}
