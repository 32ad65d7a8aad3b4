/**
 * X-Ray's glob: `*` matches any run of characters (also none), `?` exactly one; case-insensitive.
 * Linear in practice: backtracks only to the last `*`.
 */
export function wildcardMatch(pattern: string, text: string): boolean {
  if (pattern === '*') return true;
  const p = pattern.toLowerCase();
  const t = text.toLowerCase();
  let pi = 0;
  let ti = 0;
  let star = -1;
  let mark = 0;
  while (ti < t.length) {
    const pc = p[pi];
    if (pc === '?' || (pc !== undefined && pc !== '*' && pc === t[ti])) {
      pi++;
      ti++;
    } else if (pc === '*') {
      star = pi++;
      mark = ti;
    } else if (star >= 0) {
      pi = star + 1;
      ti = ++mark;
    } else {
      return false;
    }
  }
  while (p[pi] === '*') pi++;
  return pi === p.length;
}
