// How the demo shows one request: its trace as a tree, the log lines of both services that carry
// its trace id, and the Rollbar reports that name it.
import { renderTraceTree, type Trace } from '@cruddur/trace-viewer';
import { formatLogLine, type LogLine } from './logs.js';

/** A Rollbar item as the local endpoint recorded it (`data` of the payload). */
export type RollbarData = Readonly<Record<string, unknown>>;

/** The trace id a Rollbar item carries in `custom.trace_id`. */
export function rollbarTraceId(data: RollbarData): string | undefined {
  const custom = data.custom;
  if (typeof custom !== 'object' || custom === null) return undefined;
  const id = (custom as Record<string, unknown>).trace_id;
  return typeof id === 'string' ? id : undefined;
}

/** `level: Class: message` of a Rollbar item (an exception's class and message, or the message text). */
export function describeRollbarItem(data: RollbarData): string {
  const level = typeof data.level === 'string' ? data.level : 'item';
  const body = (data.body ?? {}) as Record<string, unknown>;
  const chain = (body.trace_chain ?? (body.trace ? [body.trace] : undefined)) as { exception?: { class?: string; message?: string } }[] | undefined;
  const exception = chain?.[0]?.exception;
  if (exception) return `${level}: ${exception.class ?? 'Error'}: ${exception.message ?? ''}`;
  const message = (body.message as { body?: unknown } | undefined)?.body;
  return `${level}: ${typeof message === 'string' ? message : JSON.stringify(body).slice(0, 120)}`;
}

export interface RequestReport {
  /** Heading, e.g. `1/8 Home feed`. */
  heading: string;
  /** `GET /api/activities/home → 200 in 45 ms`. */
  request: string;
  /** What to look at in the trace. */
  note?: string;
  traceId: string | undefined;
  trace: Trace | undefined;
  /** Why there is no trace to show. */
  traceProblem?: string;
  logs: readonly LogLine[];
  rollbar?: readonly RollbarData[];
}

/** The text the demo prints for one request. */
export function formatRequestReport(report: RequestReport, { color = false, width = 100 }: { color?: boolean; width?: number } = {}): string {
  const bold = (text: string): string => (color ? `\x1b[1m${text}\x1b[0m` : text);
  const dim = (text: string): string => (color ? `\x1b[2m${text}\x1b[0m` : text);
  const lines: string[] = [];
  const title = `── ${report.heading} `;
  lines.push(bold(title + '─'.repeat(Math.max(3, Math.min(width, 100) - title.length))));
  lines.push(report.note ? `${report.request}  ${dim(`· ${report.note}`)}` : report.request);
  if (report.trace) {
    lines.push(renderTraceTree(report.trace, { color }).replace(/\n+$/, ''));
  } else {
    lines.push(dim(`(no trace${report.traceId ? ` ${report.traceId}` : ''}: ${report.traceProblem ?? 'not received'})`));
  }
  if (report.traceId) {
    lines.push(dim(`log lines with trace_id ${report.traceId} (${report.logs.length}):`));
    for (const line of report.logs) lines.push(`  ${formatLogLine(line, { color })}`);
  }
  for (const item of report.rollbar ?? []) {
    lines.push(`${dim('rollbar:')} ${describeRollbarItem(item)}  ${dim(`custom.trace_id=${rollbarTraceId(item) ?? '-'}`)}`);
  }
  return `${lines.join('\n')}\n`;
}
