// The RED table beside the service graph (GET /api/red): per service and per route, the request
// rate, the share of errors (4xx incl. 429) and faults (5xx), and p50/p99. A row stands for a
// filter expression (computed by the server), so a click lists exactly what the row counts.
import { formatMs, h } from './dom.js';
import { pct } from './service-graph.js';

function rate(value) {
  return value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

/** The table; `onSelect(row, tr)` is called when a row is clicked or chosen with Enter. */
export function renderRedTable(table, onSelect) {
  if (table.rows.length === 0) return h('p', { class: 'muted' }, 'No service requests in this window.');
  const head = h(
    'thead',
    {},
    h('tr', {}, ['Service', 'Route', 'Req/min', 'Errors', 'Faults', 'p50', 'p99'].map((label, i) => h('th', { class: i >= 2 ? 'num' : '' }, label))),
  );
  const rows = table.rows.map((row) => {
    const title = row.kind === 'other' ? `${row.folded} more routes, folded` : `${row.requests} requests · ${row.filter}`;
    return h(
      'tr',
      {
        class: `red-row ${row.kind}`,
        'data-service': row.service,
        'data-route': row.route ?? '',
        'data-count': row.requests,
        tabindex: 0,
        title,
        onclick: (event) => onSelect(row, event.currentTarget),
        onkeydown: (event) => {
          if (event.key === 'Enter') onSelect(row, event.currentTarget);
        },
      },
      // The service name once per group: its total row; route rows leave the cell empty.
      h('td', { class: 'red-service' }, row.kind === 'service' ? row.service : ''),
      h('td', { class: 'red-route' }, row.kind === 'service' ? 'all routes' : row.kind === 'other' ? `other (${row.folded})` : row.route),
      h('td', { class: 'num' }, rate(row.ratePerMinute)),
      h('td', { class: `num ${row.errorShare > 0 ? 'warn' : ''}` }, pct(row.errors + row.throttles, row.requests)),
      h('td', { class: `num ${row.faultShare > 0 ? 'bad' : ''}` }, pct(row.faults, row.requests)),
      h('td', { class: 'num' }, formatMs(row.p50Ms)),
      h('td', { class: 'num' }, formatMs(row.p99Ms)),
    );
  });
  return h('table', { class: 'red-table', id: 'red-table' }, head, h('tbody', {}, rows));
}
