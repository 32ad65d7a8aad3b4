/**
 * Removes the optional whitespace HTTP allows around a field value or a list member: spaces and
 * horizontal tabs only (RFC 7230 OWS), nothing else.
 */
export function trimOws(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && (value[start] === ' ' || value[start] === '\t')) start++;
  while (end > start && (value[end - 1] === ' ' || value[end - 1] === '\t')) end--;
  return start === 0 && end === value.length ? value : value.slice(start, end);
}
