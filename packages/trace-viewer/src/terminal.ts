// The terminal view: a trace as an indented tree, one line per segment or subsegment.
import { walk } from './tree.js';
import type { Trace, TraceNode } from './types.js';

/** Options of {@link renderTraceTree}. */
export interface RenderOptions {
  /** Use ANSI colours. Default false, so the output is plain text unless asked. */
  color?: boolean;
}

type Style = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'blue' | 'magenta' | 'cyan';

const CODES: Record<Style, [number, number]> = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  magenta: [35, 39],
  cyan: [36, 39],
};

const MAX_TEXT = 160;

/**
 * Documents are untrusted: a name holding an escape sequence could rewrite the user's terminal.
 * Control characters are shown as `\xHH` and long values are cut.
 */
export function safeText(value: string, max = MAX_TEXT): string {
  // eslint-disable-next-line no-control-regex
  const clean = value.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/** Milliseconds with a precision that suits their size. */
export function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

function painter(color: boolean): (text: string, ...styles: Style[]) => string {
  if (!color) return (text) => text;
  return (text, ...styles) =>
    styles.reduce((out, style) => `\u001b[${CODES[style][0]}m${out}\u001b[${CODES[style][1]}m`, text);
}

function statusStyle(status: number): Style {
  if (status >= 500) return 'red';
  if (status >= 400) return 'yellow';
  return 'green';
}

function describe(node: TraceNode, traceStart: number | undefined, paint: ReturnType<typeof painter>): string {
  const parts: string[] = [paint(safeText(node.name, 80), 'bold', ...(node.kind === 'segment' ? (['cyan'] as Style[]) : []))];
  if (node.namespace) parts.push(paint(safeText(node.namespace, 20), 'dim'));
  if (node.operation) parts.push(safeText(node.operation, 60));
  if (node.http) {
    const request = [node.http.method, node.http.url].filter((part) => part !== undefined).map((part) => safeText(part!));
    let text = request.join(' ');
    if (node.http.status !== undefined) {
      text += `${text ? ' → ' : 'status '}${paint(String(node.http.status), statusStyle(node.http.status))}`;
    }
    if (text) parts.push(text);
  }
  if (node.sql) parts.push(paint(safeText(node.sql, 80), 'dim'));
  parts.push(node.durationMs !== undefined ? formatMs(node.durationMs) : paint('in progress', 'yellow'));
  if (traceStart !== undefined) parts.push(paint(`+${formatMs(Math.max(0, (node.startTime - traceStart) * 1000))}`, 'dim'));
  if (node.fault) parts.push(paint('FAULT', 'red', 'bold'));
  if (node.error) parts.push(paint('ERROR', 'yellow', 'bold'));
  if (node.throttle) parts.push(paint('THROTTLE', 'magenta', 'bold'));
  if (node.cause) parts.push(paint(safeText(node.cause, 120), 'red'));
  const annotations = Object.entries(node.annotations);
  if (annotations.length > 0) {
    const text = annotations.map(([key, value]) => `${safeText(key, 40)}=${safeText(String(value), 60)}`).join(' ');
    parts.push(paint(`{${text}}`, 'blue'));
  }
  if (node.user) parts.push(paint(`user=${safeText(node.user, 60)}`, 'blue'));
  return parts.join('  ');
}

function headline(trace: Trace, paint: ReturnType<typeof painter>): string {
  const parts: string[] = [paint(`trace ${safeText(trace.id, 40)}`, 'bold')];
  const request = [trace.method, trace.url].filter((part) => part !== undefined).map((part) => safeText(part!));
  if (request.length > 0) parts.push(request.join(' '));
  if (trace.status !== undefined) parts.push(paint(String(trace.status), statusStyle(trace.status)));
  parts.push(formatMs(trace.durationMs));
  parts.push(`${trace.services.length} service${trace.services.length === 1 ? '' : 's'}`);
  if (trace.partial) parts.push(paint('partial', 'yellow'));
  if (trace.truncated) parts.push(paint('truncated', 'yellow'));
  return parts.join('  ');
}

/**
 * Renders a trace as an indented tree: one line per segment or subsegment with its name, HTTP
 * method/URL/status, duration, start offset, error/throttle/fault flags, cause and annotations.
 * Plain text unless `color` is set. Every value from the documents is made safe to print.
 */
export function renderTraceTree(trace: Trace, options: RenderOptions = {}): string {
  const paint = painter(options.color ?? false);
  const lines = [headline(trace, paint)];
  // `open[d]` says whether the ancestor at depth d still has siblings below, i.e. needs a bar.
  const open: boolean[] = [];
  const lastChild = new Set<TraceNode>();
  for (const root of trace.roots) {
    walk([root], (node) => {
      const last = node.children[node.children.length - 1];
      if (last) lastChild.add(last);
    });
  }
  trace.roots.forEach((root, index) => {
    if (index > 0) lines.push(paint('(no parent received)', 'dim'));
    walk([root], (node, _parent, depth) => {
      if (depth === 0) {
        // The first root starts the trace; an offset only tells something for later roots.
        lines.push(describe(node, index === 0 ? undefined : trace.startTime, paint));
        return;
      }
      const isLast = lastChild.has(node);
      open[depth] = !isLast;
      let prefix = '';
      for (let d = 1; d < depth; d++) prefix += open[d] ? '│  ' : '   ';
      lines.push(paint(prefix + (isLast ? '└─ ' : '├─ '), 'dim') + describe(node, trace.startTime, paint));
    });
  });
  return lines.join('\n') + '\n';
}
