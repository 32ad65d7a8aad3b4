// The EMF documents the services print on stdout (their metrics output in the demo): recognised
// among the log lines and shown one line per document, as the metrics CloudWatch would extract.
import type { LogLine } from './logs.js';

interface Directive {
  Namespace?: unknown;
  Dimensions?: unknown;
  Metrics?: { Name?: unknown; Unit?: unknown }[];
}

/** Whether a printed line is an EMF document (a JSON object with `_aws.CloudWatchMetrics`). */
export function isEmfLine(line: LogLine): boolean {
  const aws = line.entry?._aws;
  return typeof aws === 'object' && aws !== null && Array.isArray((aws as { CloudWatchMetrics?: unknown }).CloudWatchMetrics);
}

/** `backend GET /api/x · Requests 3 · Latency 3× avg 12.1 ms max 20 ms · … · exemplar 1-…`. */
export function describeEmfLine(line: LogLine): string {
  const doc = line.entry ?? {};
  const directive = ((doc._aws as { CloudWatchMetrics: Directive[] }).CloudWatchMetrics[0] ?? {}) as Directive;
  const dimensionSets = Array.isArray(directive.Dimensions) ? (directive.Dimensions as string[][]) : [];
  const dimensions = (dimensionSets[0] ?? []).map((key) => String(doc[key])).join(' ');
  const metrics = (directive.Metrics ?? []).map((metric) => {
    const name = String(metric.Name);
    const unit = metric.Unit === 'Milliseconds' ? ' ms' : '';
    const value = doc[name];
    if (typeof value === 'number') return `${name} ${value}${unit}`;
    const h = value as { Count?: number; Sum?: number; Max?: number; Values?: number[] } | undefined;
    if (h && typeof h.Count === 'number' && typeof h.Sum === 'number') {
      return `${name} ${h.Count}× avg ${(h.Sum / h.Count).toFixed(1)}${unit} max ${h.Max ?? '?'}${unit} (${h.Values?.length ?? 0} distinct values)`;
    }
    return `${name} ${JSON.stringify(value)}`;
  });
  const exemplar = (doc.Exemplar as { TraceId?: unknown; Reason?: unknown } | undefined)?.TraceId;
  const tail = typeof exemplar === 'string' ? ` · exemplar ${exemplar} (${String((doc.Exemplar as { Reason?: unknown }).Reason)})` : '';
  return `${dimensions} · ${metrics.join(' · ')}${tail}`;
}

/** The section the demo prints: every EMF document received so far, per namespace. */
export function formatMetricsReport(lines: readonly LogLine[], { color = false }: { color?: boolean } = {}): string {
  const bold = (text: string): string => (color ? `\x1b[1m${text}\x1b[0m` : text);
  const dim = (text: string): string => (color ? `\x1b[2m${text}\x1b[0m` : text);
  const emf = lines.filter(isEmfLine);
  const out = [bold('── metrics the services would send to CloudWatch (embedded metric format) ───────────────')];
  if (emf.length === 0) out.push(dim('(no EMF document yet: they are written once per interval and at shutdown)'));
  for (const line of emf) out.push(`  ${line.source}: ${describeEmfLine(line)}`);
  out.push(dim(`${emf.length} EMF documents, one per dimension set and interval; in production they go to the log group's "…/metrics" stream or stdout.`));
  return `${out.join('\n')}\n`;
}
