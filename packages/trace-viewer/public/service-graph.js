// The service graph across traces (GET /api/graph), drawn like the X-Ray console's trace map:
// one circle per node whose ring shows the share of ok (green), 4xx errors (orange), 429
// throttles (purple) and 5xx faults (red); arrows for calls. Click a node or an edge to see its
// statistics, latency histogram and traces.
import { formatMs, h, s } from './dom.js';

const R = 30;
const COL_GAP = 210;
const ROW_GAP = 120;
const PAD = 70;
const COLOURS = { ok: 'var(--ok)', error: 'var(--warn)', throttle: 'var(--purple)', fault: 'var(--bad)' };

/**
 * Column of each node: its call distance from the client (breadth first), so a call back to a
 * node already placed (worker → backend) stays a back edge instead of pushing nodes rightwards.
 */
function layers(graph) {
  const layer = new Map();
  const queue = [];
  const visit = (id, depth) => {
    if (layer.has(id)) return;
    layer.set(id, depth);
    queue.push(id);
  };
  for (const node of graph.nodes) if (node.kind === 'client') visit(node.id, 0);
  const drain = () => {
    while (queue.length > 0) {
      const id = queue.shift();
      for (const edge of graph.edges) if (edge.from === id) visit(edge.to, layer.get(id) + 1);
    }
  };
  drain();
  // Nodes no client call reaches (a trace whose entry segment never arrived) start a column 1 chain.
  for (const node of graph.nodes) {
    if (!layer.has(node.id)) {
      visit(node.id, 1);
      drain();
    }
  }
  return layer;
}

/** The health class the console would colour a node or edge with. */
export function health(stats) {
  if (!stats || stats.total === 0) return 'idle';
  if (stats.fault > 0) return 'fault';
  if (stats.throttle > 0) return 'throttle';
  if (stats.error > 0) return 'error';
  return 'ok';
}

/** A share as the node details show it (also the RED table's, so both read alike). */
export function pct(part, total) {
  return total > 0 ? `${((part / total) * 100).toFixed(part === total || part === 0 ? 0 : 1)}%` : '–';
}

/** Ring segments, one arc per outcome, proportional to its count. */
function ring(cx, cy, stats) {
  if (!stats || stats.total === 0) return [s('circle', { cx, cy, r: R, class: 'sg-ring idle' })];
  const parts = ['ok', 'error', 'throttle', 'fault'].filter((k) => stats[k] > 0);
  if (parts.length === 1) return [s('circle', { cx, cy, r: R, class: `sg-ring ${parts[0]}`, style: { stroke: COLOURS[parts[0]] } })];
  let angle = -Math.PI / 2;
  return parts.map((k) => {
    const sweep = (stats[k] / stats.total) * Math.PI * 2;
    const x1 = cx + R * Math.cos(angle);
    const y1 = cy + R * Math.sin(angle);
    angle += sweep;
    const x2 = cx + R * Math.cos(angle);
    const y2 = cy + R * Math.sin(angle);
    return s('path', { d: `M ${x1} ${y1} A ${R} ${R} 0 ${sweep > Math.PI ? 1 : 0} 1 ${x2} ${y2}`, class: `sg-ring ${k}`, style: { stroke: COLOURS[k] } });
  });
}

/** A filter expression that selects what a click on a node or edge should list. */
export function expressionFor(graph, item) {
  const quote = (text) => JSON.stringify(text);
  const nodeSel = (node) => (node.type && node.kind !== 'service' ? `id(name: ${quote(node.name)}, type: ${quote(node.type)})` : quote(node.name));
  if (item.edge) {
    const from = graph.nodes[item.edge.from];
    const to = graph.nodes[item.edge.to];
    if (from.kind === 'client') return `service(${nodeSel(to)}) { root }`;
    return `edge(${nodeSel(from)}, ${nodeSel(to)})`;
  }
  return `service(${nodeSel(item.node)})`;
}

/** Small bar chart of the latency histogram. */
export function histogramChart(stats) {
  const buckets = stats.histogram;
  const max = Math.max(1, ...buckets.map((b) => b.count));
  const w = 14;
  const height = 44;
  return s(
    'svg',
    { class: 'sg-hist', width: buckets.length * (w + 2), height: height + 14, role: 'img', 'aria-label': 'latency histogram' },
    buckets.map((b, i) => {
      const bh = Math.round((b.count / max) * height);
      return s(
        'g',
        {},
        s('title', {}, `${b.leMs === null ? '> 5 s' : `≤ ${b.leMs} ms`}: ${b.count}`),
        s('rect', { x: i * (w + 2), y: height - bh, width: w, height: Math.max(bh, b.count > 0 ? 1 : 0), class: 'sg-bar' }),
      );
    }),
    s('text', { x: 0, y: height + 12, class: 'sg-axis' }, '1 ms'),
    s('text', { x: buckets.length * (w + 2), y: height + 12, class: 'sg-axis', 'text-anchor': 'end' }, '> 5 s'),
  );
}

/** Statistics rows of a node or edge. */
export function statsTable(stats) {
  const row = (label, value, cls) => h('tr', {}, h('th', {}, label), h('td', { class: cls ?? '' }, value));
  return h(
    'table',
    { class: 'sg-stats' },
    h(
      'tbody',
      {},
      row('Requests', String(stats.total)),
      row('OK', `${stats.ok} (${pct(stats.ok, stats.total)})`, 'ok'),
      row('Errors (4xx)', `${stats.error} (${pct(stats.error, stats.total)})`, 'warn'),
      row('Throttles (429)', `${stats.throttle} (${pct(stats.throttle, stats.total)})`, 'purple'),
      row('Faults (5xx)', `${stats.fault} (${pct(stats.fault, stats.total)})`, 'bad'),
      row('p50 / p99', `${formatMs(stats.p50Ms)} / ${formatMs(stats.p99Ms)}`),
    ),
  );
}

/** The SVG of a graph; `onSelect({ node } | { edge })` is called on clicks. */
export function renderServiceGraph(graph, onSelect) {
  const layer = layers(graph);
  const columns = [];
  for (const node of graph.nodes) (columns[layer.get(node.id)] ??= []).push(node);
  const dense = columns.filter(Boolean);
  const tallest = Math.max(1, ...dense.map((c) => c.length));
  const width = PAD * 2 + Math.max(0, dense.length - 1) * COL_GAP;
  const height = PAD * 2 + (tallest - 1) * ROW_GAP + 40;
  const pos = new Map();
  dense.forEach((col, c) => {
    const top = PAD + ((tallest - col.length) * ROW_GAP) / 2;
    col.forEach((node, r) => pos.set(node.id, { x: PAD + c * COL_GAP, y: top + r * ROW_GAP }));
  });
  const marker = s(
    'defs',
    {},
    s('marker', { id: 'sg-arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, s('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'sg-arrowhead' })),
  );
  const edges = graph.edges.map((edge, index) => {
    const a = pos.get(edge.from);
    const b = pos.get(edge.to);
    const back = b.x <= a.x;
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const len = Math.max(1, Math.hypot(dx, dy));
    const x1 = a.x + (dx / len) * R;
    const y1 = a.y + (dy / len) * R;
    const x2 = b.x - (dx / len) * (R + 4);
    const y2 = b.y - (dy / len) * (R + 4);
    // Calls back (worker → backend) bend below, so both directions stay visible and clickable.
    const bend = back ? 70 : 0;
    const mx = (x1 + x2) / 2;
    const my = (y1 + y2) / 2 + bend;
    const d = back ? `M ${a.x} ${a.y + R} Q ${mx} ${Math.max(a.y, b.y) + R + bend} ${b.x + 4} ${b.y + R + 4}` : `M ${x1} ${y1} L ${x2} ${y2}`;
    const label = `${edge.stats.total} · ${formatMs(edge.stats.p50Ms)}`;
    const lw = label.length * 6.6 + 12;
    const ly = back ? Math.max(a.y, b.y) + R + bend / 2 + 6 : my;
    return s(
      'g',
      { class: `sg-edge ${health(edge.stats)}`, 'data-edge': `${graph.nodes[edge.from].name}→${graph.nodes[edge.to].name}`, 'data-count': edge.stats.total, tabindex: 0, onclick: () => onSelect({ edge, index }) },
      s('title', {}, `${graph.nodes[edge.from].name} → ${graph.nodes[edge.to].name}: ${edge.stats.total} calls`),
      s('path', { d, 'marker-end': 'url(#sg-arrow)' }),
      s('rect', { x: mx - lw / 2, y: ly - 10, width: lw, height: 20, rx: 10, class: 'sg-label-bg' }),
      s('text', { x: mx, y: ly + 4, 'text-anchor': 'middle', class: 'sg-label' }, label),
    );
  });
  const nodes = graph.nodes.map((node) => {
    const { x, y } = pos.get(node.id);
    const name = node.kind === 'client' ? 'Client' : node.name;
    const sub = node.kind === 'client' ? '' : `${node.stats.total} req · ${formatMs(node.stats.p50Ms)}`;
    return s(
      'g',
      { class: `sg-node ${node.kind} ${health(node.stats)}`, 'data-node': node.name, 'data-count': node.stats.total, tabindex: 0, onclick: () => onSelect({ node }) },
      s('title', {}, `${name}${node.type ? ` (${node.type})` : ''}`),
      s('circle', { cx: x, cy: y, r: R - 4, class: 'sg-fill' }),
      ring(x, y, node.stats),
      s('text', { x, y: y + 5, 'text-anchor': 'middle', class: 'sg-kind' }, node.kind === 'client' ? 'users' : node.kind === 'aws' ? 'AWS' : node.kind === 'remote' ? '↗' : ''),
      s('text', { x, y: y + R + 16, 'text-anchor': 'middle', class: 'sg-name' }, name.length > 26 ? `${name.slice(0, 25)}…` : name),
      s('text', { x, y: y + R + 31, 'text-anchor': 'middle', class: 'sg-sub' }, sub),
    );
  });
  return s('svg', { class: 'service-graph', viewBox: `0 0 ${width} ${height + 60}`, width, height: height + 60, role: 'img', 'aria-label': 'Service graph' }, marker, edges, nodes);
}
