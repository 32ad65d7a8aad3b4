// The service map: who called whom in one trace, laid out left to right as inline SVG.
import { s, serviceColor } from './dom.js';

const BOX_W = 176;
const BOX_H = 50;
const COL_GAP = 96;
const ROW_GAP = 30;
const PAD = 16;

function truncate(text, max) {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * Column of each node: the longest call chain from an entry service, once the calls that go back
 * to a caller (backend → worker → backend) are set aside: those are drawn as arcs back to the
 * caller's column, so every column holds at least one box and every service appears once.
 */
function layers(names, edges) {
  const callees = new Map(names.map((name) => [name, []]));
  const called = new Set();
  for (const edge of edges) {
    if (edge.from === edge.to || !callees.has(edge.from) || !callees.has(edge.to)) continue;
    callees.get(edge.from).push(edge.to);
    called.add(edge.to);
  }
  // Depth first from the entry services (nobody calls them; if a cycle leaves none, the trace's
  // first service): a call to a service still on the current path closes a cycle and is set aside.
  const onPath = new Set();
  const done = new Set();
  const finished = [];
  const forward = new Map(names.map((name) => [name, []]));
  const visit = (name) => {
    onPath.add(name);
    for (const to of callees.get(name)) {
      if (onPath.has(to)) continue;
      forward.get(name).push(to);
      if (!done.has(to)) visit(to);
    }
    onPath.delete(name);
    done.add(name);
    finished.push(name);
  };
  for (const name of names) if (!called.has(name) && !done.has(name)) visit(name);
  for (const name of names) if (!done.has(name)) visit(name);
  // Reverse finishing order is a topological order of the calls kept.
  const layer = new Map(names.map((name) => [name, 0]));
  for (const name of finished.reverse()) {
    for (const to of forward.get(name)) layer.set(to, Math.max(layer.get(to), layer.get(name) + 1));
  }
  return layer;
}

/** Builds the SVG service map of a trace (as returned by GET /api/traces/:id). */
export function renderServiceMap(trace) {
  const map = trace.serviceMap;
  const byName = new Map();
  for (const node of map.nodes) {
    // A service and an untraced call of the same name are drawn as one box, the service winning.
    if (!byName.has(node.name) || node.kind === 'service') byName.set(node.name, node);
  }
  const names = [...byName.keys()];
  const layer = layers(names, map.edges);
  const columns = [];
  for (const name of names) {
    const col = layer.get(name) ?? 0;
    (columns[col] ??= []).push(name);
  }
  const tallest = Math.max(1, ...columns.map((col) => col?.length ?? 0));
  const height = PAD * 2 + tallest * BOX_H + (tallest - 1) * ROW_GAP + 24;
  const width = PAD * 2 + columns.length * BOX_W + Math.max(0, columns.length - 1) * COL_GAP;
  const position = new Map();
  columns.forEach((col, c) => {
    const colHeight = col.length * BOX_H + (col.length - 1) * ROW_GAP;
    const top = PAD + (height - 24 - PAD * 2 - colHeight) / 2;
    col.forEach((name, r) => position.set(name, { x: PAD + c * (BOX_W + COL_GAP), y: top + r * (BOX_H + ROW_GAP) }));
  });

  const marker = (id, cls) =>
    s('marker', { id, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
      s('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: cls }));
  const defs = s('defs', {}, marker('sm-arrow', 'sm-arrowhead'), marker('sm-arrow-err', 'sm-arrowhead err'));

  const edgeEls = map.edges.map((edge) => {
    const a = position.get(edge.from);
    const b = position.get(edge.to);
    if (!a || !b) return null;
    let d;
    let lx;
    let ly;
    if (edge.from === edge.to) {
      // A service calling itself: a loop over the box.
      const x = a.x + BOX_W / 2;
      d = `M ${x - 20} ${a.y} C ${x - 30} ${a.y - 34}, ${x + 30} ${a.y - 34}, ${x + 20} ${a.y}`;
      lx = x;
      ly = a.y - 30;
    } else if (b.x > a.x) {
      const x1 = a.x + BOX_W;
      const y1 = a.y + BOX_H / 2;
      const x2 = b.x;
      const y2 = b.y + BOX_H / 2;
      const dx = (x2 - x1) / 2;
      d = `M ${x1} ${y1} C ${x1 + dx} ${y1}, ${x2 - dx} ${y2}, ${x2} ${y2}`;
      lx = (x1 + x2) / 2;
      ly = (y1 + y2) / 2;
    } else {
      // A call back to an earlier column: arc under the boxes.
      const x1 = a.x + BOX_W / 2;
      const x2 = b.x + BOX_W / 2;
      const y1 = a.y + BOX_H;
      const y2 = b.y + BOX_H;
      const low = Math.max(y1, y2) + 22;
      d = `M ${x1} ${y1} C ${x1} ${low}, ${x2} ${low}, ${x2} ${y2}`;
      lx = (x1 + x2) / 2;
      ly = low - 4;
    }
    const failed = edge.errors > 0;
    const label = `${edge.calls} call${edge.calls === 1 ? '' : 's'}${failed ? ` · ${edge.errors} err` : ''}`;
    const labelW = label.length * 6.4 + 10;
    return s(
      'g',
      { class: `sm-edge${failed ? ' err' : ''}` },
      s('title', {}, `${edge.from} → ${edge.to}: ${label}`),
      s('path', { d, 'marker-end': `url(#${failed ? 'sm-arrow-err' : 'sm-arrow'})` }),
      s('rect', { x: lx - labelW / 2, y: ly - 9, width: labelW, height: 18, rx: 9, class: 'sm-label-bg' }),
      s('text', { x: lx, y: ly + 4, 'text-anchor': 'middle', class: 'sm-label' }, label),
    );
  });

  const nodeEls = names.map((name) => {
    const node = byName.get(name);
    const { x, y } = position.get(name);
    const kindLabel = node.kind === 'service' ? 'service' : node.kind === 'aws' ? 'AWS' : 'remote';
    const sub = `${kindLabel}${node.count > 1 ? ` · ×${node.count}` : ''}${node.errors > 0 ? ` · ${node.errors} err` : ''}`;
    return s(
      'g',
      { class: `sm-node ${node.kind}${node.errors > 0 ? ' err' : ''}` },
      s('title', {}, `${name} (${kindLabel})`),
      s('rect', { x, y, width: BOX_W, height: BOX_H, rx: 8 }),
      node.kind === 'service'
        ? s('rect', { x: x + 1, y: y + 1, width: 5, height: BOX_H - 2, rx: 2, class: 'sm-stripe', style: { fill: serviceColor(trace.services, name) } })
        : null,
      s('text', { x: x + 16, y: y + 21, class: 'sm-name' }, truncate(name, 22)),
      s('text', { x: x + 16, y: y + 38, class: 'sm-sub' }, sub),
    );
  });

  return s(
    'svg',
    { class: 'service-map', viewBox: `0 -12 ${width} ${height}`, width, height: height, role: 'img', 'aria-label': 'Service map' },
    defs,
    edgeEls,
    nodeEls,
  );
}
