// The waterfall: one row per segment or subsegment, bars placed on the trace's time axis.
import { flagPills, formatMs, h, serviceColor, statusClass } from './dom.js';

/** Rows in tree order with their depth, without recursion (trees can be deep). */
function rows(roots) {
  const out = [];
  const stack = roots.map((node) => ({ node, depth: 0 })).reverse();
  while (stack.length > 0) {
    const item = stack.pop();
    out.push(item);
    for (let i = item.node.children.length - 1; i >= 0; i--) stack.push({ node: item.node.children[i], depth: item.depth + 1 });
  }
  return out;
}

/** The short description next to a row's name: operation, method and path. */
function subText(node) {
  let path = node.http?.url ?? '';
  try {
    // The full URL is in the details; the row shows the path to stay readable.
    if (path) path = new URL(path).pathname;
  } catch {
    // Not an absolute URL: show it as it is.
  }
  return [node.operation, node.http?.method, path].filter(Boolean).join(' ');
}

/** Where the duration label goes: after the bar, before it, or inside it when neither fits. */
function labelPlacement(left, width) {
  if (left + width <= 80) return { cls: 'after', style: { left: `${left + width}%` } };
  if (left >= 14) return { cls: 'before', style: { right: `${100 - left}%` } };
  return { cls: 'inside', style: { right: `${Math.max(0, 100 - left - width)}%` } };
}

function details(node, trace) {
  const start = (node.startTime - trace.startTime) * 1000;
  const entries = [
    ['id', node.id],
    ['kind', node.kind + (node.namespace ? ` (${node.namespace})` : '')],
    ['service', node.service ?? '(unknown parent)'],
    ['start', `+${formatMs(start)}`],
    ['duration', node.inProgress ? 'in progress' : formatMs(node.durationMs)],
    node.http?.method || node.http?.url ? ['request', [node.http.method, node.http.url].filter(Boolean).join(' ')] : null,
    node.http?.status !== undefined ? ['status', String(node.http.status)] : null,
    node.operation ? ['operation', node.operation] : null,
    node.sql ? ['sql', node.sql] : null,
    node.cause ? ['cause', node.cause] : null,
    node.origin ? ['origin', node.origin] : null,
    node.user ? ['user', node.user] : null,
    ...Object.entries(node.annotations).map(([key, value]) => [`annotation ${key}`, String(value)]),
  ].filter(Boolean);
  return h('dl', { class: 'node-details' }, entries.map(([key, value]) => [h('dt', {}, key), h('dd', {}, value)]));
}

/** Builds the waterfall of a trace (as returned by GET /api/traces/:id). */
export function renderWaterfall(trace) {
  const total = Math.max(trace.durationMs, 0.001);
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  const axis = h(
    'div',
    { class: 'wf-row wf-axis' },
    h('div', { class: 'wf-label' }, 'Segment'),
    h(
      'div',
      { class: 'wf-track' },
      ticks.map((f) => h('span', { class: `wf-tick${f === 1 ? ' last' : ''}`, style: { left: `${f * 100}%` } }, formatMs(total * f))),
    ),
  );
  const body = rows(trace.roots).map(({ node, depth }) => {
    const startMs = Math.max(0, (node.startTime - trace.startTime) * 1000);
    const durationMs = node.inProgress ? Math.max(total - startMs, 0) : node.durationMs;
    const left = Math.min((startMs / total) * 100, 100);
    const width = Math.max(Math.min((durationMs / total) * 100, 100 - left), 0.4);
    const color = serviceColor(trace.services, node.service);
    const state = node.fault ? 'fault' : node.error ? 'error' : node.throttle ? 'throttle' : '';
    const placement = labelPlacement(left, width);
    const status = node.http?.status;
    const row = h(
      'div',
      { class: `wf-row${node.kind === 'segment' ? ' segment' : ''}`, tabindex: 0, role: 'button', 'aria-expanded': 'false' },
      h(
        'div',
        { class: 'wf-label', style: { 'padding-left': `${8 + Math.min(depth, 24) * 16}px` } },
        node.kind === 'segment' ? h('span', { class: 'dot', style: { background: color } }) : null,
        h('span', { class: 'wf-name', title: node.name }, node.name),
        node.namespace ? h('span', { class: `ns ns-${node.namespace === 'aws' ? 'aws' : 'remote'}` }, node.namespace) : null,
        h('span', { class: 'wf-sub' }, subText(node)),
        status !== undefined ? h('span', { class: `status ${statusClass(status)}` }, String(status)) : null,
        flagPills(node),
      ),
      h(
        'div',
        { class: 'wf-track' },
        h('div', {
          class: `wf-bar ${state}${node.inProgress ? ' open' : ''}`,
          style: { left: `${left}%`, width: `${width}%`, '--bar': color },
          title: `${node.name}: ${node.inProgress ? 'in progress' : formatMs(node.durationMs)}`,
        }),
        h(
          'span',
          { class: `wf-time ${placement.cls}`, style: placement.style },
          node.inProgress ? 'in progress' : formatMs(node.durationMs),
        ),
      ),
    );
    let open = null;
    const toggle = () => {
      if (open) {
        open.remove();
        open = null;
        row.setAttribute('aria-expanded', 'false');
        return;
      }
      open = h('div', { class: 'wf-details' }, details(node, trace));
      row.after(open);
      row.setAttribute('aria-expanded', 'true');
    };
    row.addEventListener('click', toggle);
    row.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        toggle();
      }
    });
    return row;
  });
  return h('div', { class: 'waterfall' }, axis, body);
}
