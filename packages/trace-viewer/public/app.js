// The page: a live list of recent traces and, for one trace, its waterfall, service map and
// raw documents. Routes live in the hash (#/ and #/trace/<id>) so a trace can be linked.
import { flagPills, formatMs, formatTime, h, statusClass } from './dom.js';
import { renderRedTable } from './red-table.js';
import { renderServiceMap } from './service-map.js';
import { expressionFor, histogramChart, renderServiceGraph, statsTable } from './service-graph.js';
import { renderWaterfall } from './waterfall.js';

const MAX_ROWS = 500;
const main = document.getElementById('main');
const live = document.getElementById('live');
const statsEl = document.getElementById('stats');

/** Trace summaries by id, as the API returns them. */
const traces = new Map();
/** Ids that arrived after the page loaded, to highlight them once. */
const fresh = new Set();
let info = { daemonAddress: '127.0.0.1:2000' };
let currentDetail = null;

async function getJson(path) {
  const res = await fetch(path, { headers: { accept: 'application/json' } });
  if (!res.ok) {
    const error = new Error(`${res.status} ${res.statusText}`);
    error.status = res.status;
    throw error;
  }
  return res.json();
}

// A hand-typed `#/trace/%E0` must show "not found", not stop the page with a URIError.
function decodedOrRaw(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Routes: #/ (list, ?filter=&group=), #/graph (?window=&group=&filter=), #/trace/<id>. */
function route() {
  const match = /^#\/trace\/(.+)$/.exec(location.hash);
  if (match) return { view: 'trace', id: decodedOrRaw(match[1]) };
  const [path, query = ''] = location.hash.replace(/^#/, '').split('?');
  const params = new URLSearchParams(query);
  const view = path === '/graph' ? 'graph' : 'list';
  return { view, filter: params.get('filter') ?? '', group: params.get('group') ?? '', window: params.get('window') ?? '3600' };
}

function hashFor(view, params) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value) query.set(key, value);
  const text = query.toString();
  return `#/${view === 'graph' ? 'graph' : ''}${text ? `?${text}` : ''}`;
}

// ---- search box, group picker, time window ----

let groups = [];

async function loadGroups() {
  groups = await getJson('/api/groups');
}

/** Shows the server's error under the search box with a caret at the column. */
function filterErrorView(error) {
  if (!error) return null;
  const lines = [error.error ?? String(error)];
  if (error.column && error.expression !== undefined) lines.push(error.expression, `${' '.repeat(error.column - 1)}^`);
  return h('pre', { class: 'filter-error', role: 'alert' }, lines.join('\n'));
}

function toolbar(r, error) {
  const input = h('input', { type: 'search', name: 'filter', placeholder: 'Filter expression, e.g. service("cruddur-backend") { fault } AND annotation.feed = "home"', value: r.filter, 'aria-label': 'Filter expression', spellcheck: 'false' });
  input.value = r.filter;
  const groupSelect = h(
    'select',
    { name: 'group', 'aria-label': 'Group' },
    groups.map((g) => h('option', { value: g.name === 'Default' ? '' : g.name, title: g.filterExpression ?? 'every trace' }, g.name)),
  );
  groupSelect.value = r.group;
  const windowSelect =
    r.view === 'graph'
      ? h(
          'select',
          { name: 'window', 'aria-label': 'Time window' },
          [['300', 'Last 5 minutes'], ['900', 'Last 15 minutes'], ['3600', 'Last hour'], ['21600', 'Last 6 hours'], ['0', 'All held traces']].map(([value, label]) => h('option', { value }, label)),
        )
      : null;
  if (windowSelect) windowSelect.value = r.window;
  const apply = () => {
    location.hash = hashFor(r.view, { filter: input.value.trim(), group: groupSelect.value, ...(windowSelect ? { window: windowSelect.value } : {}) });
  };
  const form = h('form', { class: 'toolbar', onsubmit: (event) => { event.preventDefault(); apply(); } });
  groupSelect.addEventListener('change', apply);
  windowSelect?.addEventListener('change', apply);
  const groupError = h('span', { class: 'filter-error' });
  const newGroup = h(
    'form',
    {
      class: 'group-form',
      hidden: true,
      onsubmit: async (event) => {
        event.preventDefault();
        const data = new FormData(newGroup);
        const res = await fetch('/api/groups', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: data.get('name'), filterExpression: data.get('expression') }) });
        const body = await res.json();
        if (!res.ok) {
          groupError.textContent = body.error;
          return;
        }
        await loadGroups();
        location.hash = hashFor(r.view, { filter: '', group: body.name, ...(windowSelect ? { window: windowSelect.value } : {}) });
      },
    },
    h('input', { name: 'name', placeholder: 'Group name', required: true, maxlength: 32, 'aria-label': 'Group name' }),
    h('input', { name: 'expression', placeholder: 'Filter expression', required: true, 'aria-label': 'Group filter expression', value: input.value }),
    h('button', { type: 'submit' }, 'Create group'),
    groupError,
  );
  form.append(
    groupSelect,
    input,
    windowSelect ?? '',
    h('button', { type: 'submit' }, 'Apply'),
    h('button', { type: 'button', onclick: () => { newGroup.hidden = !newGroup.hidden; newGroup.elements.expression.value = input.value; } }, 'New group…'),
    filterErrorView(error) ?? '',
  );
  return h('div', {}, form, newGroup);
}

function setNav(view) {
  document.getElementById('nav-traces')?.classList.toggle('active', view === 'list');
  document.getElementById('nav-graph')?.classList.toggle('active', view === 'graph');
}

function queryString(r, extra = {}) {
  const query = new URLSearchParams();
  if (r.filter) query.set('filter', r.filter);
  if (r.group) query.set('group', r.group);
  for (const [key, value] of Object.entries(extra)) query.set(key, String(value));
  return query.toString();
}

async function fetchQuery(path) {
  const res = await fetch(path, { headers: { accept: 'application/json' } });
  const body = await res.json();
  return res.ok ? { data: body } : { error: body };
}

function traceLink(id) {
  return `#/trace/${encodeURIComponent(id)}`;
}

function requestLabel(t) {
  if (t.url || t.method) return [t.method, t.url].filter(Boolean).join(' ');
  return t.entry || '(no entry segment yet)';
}

// ---- list view ----

function sortedTraces() {
  return [...traces.values()].sort((a, b) => b.startTime - a.startTime || b.firstReceivedAt - a.firstReceivedAt);
}

function stateCell(t) {
  if (t.partial) return h('span', { class: 'state partial', title: 'never completed; shown after the open-trace limit' }, 'partial');
  if (!t.finished) return h('span', { class: 'state open', title: 'documents still arriving or in progress' }, 'live');
  return null;
}

function rowCells(t) {
  return [
    h('td', { class: 'time' }, formatTime(t.startTime)),
    h(
      'td',
      { class: 'request' },
      h('a', { href: traceLink(t.id), class: 'request-link', title: requestLabel(t) }, requestLabel(t)),
      h('div', { class: 'trace-id' }, t.id),
    ),
    h('td', {}, t.status !== undefined ? h('span', { class: `status ${statusClass(t.status)}` }, String(t.status)) : '–'),
    h('td', { class: 'num' }, formatMs(t.durationMs)),
    h('td', { class: 'services' }, t.services.map((name) => h('span', { class: 'chip' }, name))),
    h('td', { class: 'num' }, String(t.nodeCount)),
    h('td', { class: 'flags' }, flagPills(t), stateCell(t)),
  ];
}

/** Rows by trace id, kept across renders so a highlighted new row keeps its animation. */
const rowCache = new Map();
let listView = null;

function row(t) {
  const key = JSON.stringify(t);
  const cached = rowCache.get(t.id);
  if (cached) {
    if (cached.key !== key) {
      cached.tr.replaceChildren(...rowCells(t));
      cached.key = key;
    }
    return cached.tr;
  }
  const open = () => {
    location.hash = traceLink(t.id);
  };
  const tr = h(
    'tr',
    {
      class: `trace-row${fresh.delete(t.id) ? ' fresh' : ''}`,
      'data-trace-id': t.id,
      tabindex: 0,
      onclick: open,
      onkeydown: (event) => {
        if (event.key === 'Enter') open();
      },
    },
    rowCells(t),
  );
  rowCache.set(t.id, { key, tr });
  return tr;
}

function createListView() {
  const tbody = h('tbody');
  const count = h('span', { class: 'muted' });
  const section = h(
    'section',
    { class: 'card' },
    h('div', { class: 'card-head' }, h('h2', {}, 'Recent traces'), count),
    h(
      'table',
      { class: 'traces' },
      h('thead', {}, h('tr', {}, ['Time', 'Request', 'Status', 'Duration', 'Services', 'Spans', ''].map((label) => h('th', {}, label)))),
      tbody,
    ),
  );
  return { section, tbody, count };
}

/** The filtered list of the last query, or null when no filter or group is active. */
let filtered = null;

async function renderFiltered(r) {
  const result = await fetchQuery(`/api/traces?${queryString(r)}`);
  if (route().view !== 'list') return;
  filtered = result.data ?? [];
  listView = null;
  renderList(result.error);
}

function renderList(error) {
  currentDetail = null;
  const r = route();
  setNav('list');
  const active = Boolean(r.filter || r.group);
  if (!active) filtered = null;
  const list = active ? (filtered ?? []) : sortedTraces();
  const bar = toolbar(r, error);
  if (list.length === 0 && !active) {
    listView = null;
    main.replaceChildren(
      h(
        'section',
        { class: 'empty' },
        h('h2', {}, 'No traces yet'),
        h('p', {}, 'Send segments over UDP to ', h('code', {}, info.daemonAddress), ' — for an instrumented service set:'),
        h('pre', {}, `AWS_XRAY_DAEMON_ADDRESS=${info.daemonAddress}`),
        h('p', { class: 'muted' }, 'Traces appear here as they arrive.'),
      ),
    );
    return;
  }
  if (!listView || listView.section.parentNode !== main || listView.active !== active || error) {
    listView = createListView();
    listView.active = active;
    main.replaceChildren(bar, listView.section);
  }
  listView.count.textContent = active ? `${list.length} matching, newest first` : `${list.length} shown, newest first`;
  // Move only the rows that are out of place: a new trace at the top leaves the others alone.
  const { tbody } = listView;
  list.forEach((t, i) => {
    const tr = row(t);
    if (tbody.children[i] !== tr) tbody.insertBefore(tr, tbody.children[i] ?? null);
  });
  while (tbody.children.length > list.length) tbody.lastElementChild.remove();
  const shown = new Set(list.map((t) => t.id));
  for (const id of rowCache.keys()) if (!traces.has(id) && !shown.has(id)) rowCache.delete(id);
}

// ---- service graph view ----

let graphTimer = null;

async function renderGraph(r) {
  currentDetail = null;
  setNav('graph');
  const now = Date.now() / 1000;
  const windowSeconds = Number(r.window);
  const extra = windowSeconds > 0 ? { start: Math.floor(now - windowSeconds), end: Math.ceil(now) } : {};
  // The RED table asks with the same query, so it covers exactly the graph's traces.
  const [result, red] = await Promise.all([fetchQuery(`/api/graph?${queryString(r, extra)}`), fetchQuery(`/api/red?${queryString(r, extra)}`)]);
  if (route().view !== 'graph') return;
  const details = h('div', { class: 'sg-details', id: 'graph-details' }, h('p', { class: 'muted' }, 'Click a node or an arrow for its statistics and traces.'));
  if (result.error) {
    main.replaceChildren(toolbar(r, result.error));
    return;
  }
  const graph = result.data;
  /** Shows `summary` and lists the traces of `expression` (within the page's filter) in the details card. */
  const showTraces = async (summary, expression) => {
    const combined = r.filter ? `(${r.filter}) AND ${expression}` : expression;
    const listed = await fetchQuery(`/api/traces?${queryString({ filter: combined, group: r.group }, extra)}&limit=50`);
    const rows = (listed.data ?? []).map((t) =>
      h('li', {}, h('a', { href: traceLink(t.id), class: 'graph-trace' }, `${formatTime(t.startTime)}  ${requestLabel(t)}  ${t.status ?? ''}  ${formatMs(t.durationMs)}`)),
    );
    details.replaceChildren(
      summary,
      h(
        'div',
        { class: 'sg-traces' },
        h('h3', {}, `Traces (${rows.length})`),
        h('p', {}, h('a', { href: hashFor('list', { filter: combined, group: r.group }) }, h('code', {}, combined))),
        h('ol', { class: 'graph-trace-list' }, rows),
      ),
    );
  };
  const select = (item) => {
    const title = item.edge ? `${nameOf(graph.nodes[item.edge.from])} → ${nameOf(graph.nodes[item.edge.to])}` : nameOf(item.node);
    const stats = item.edge ? item.edge.stats : item.node.stats;
    return showTraces(h('div', {}, h('h3', { class: 'sg-title' }, title), statsTable(stats), item.node?.kind === 'client' ? null : histogramChart(stats)), expressionFor(graph, item));
  };
  const selectRow = (row, tr) => {
    for (const other of tr.parentNode.children) other.classList.toggle('selected', other === tr);
    const label = row.kind === 'service' ? 'all routes' : row.kind === 'other' ? `${row.folded} other routes` : row.route;
    // The filter of an "other" row is the whole service: the grammar cannot say "none of these".
    return showTraces(h('div', {}, h('h3', { class: 'sg-title' }, `${row.service} · ${label}`), h('p', { class: 'muted' }, `${row.requests} requests in the window`)), row.filter);
  };
  const svg = graph.nodes.length > 0 ? renderServiceGraph(graph, (item) => void select(item)) : h('p', { class: 'muted' }, 'No traces in this window.');
  const redTable = red.data ? renderRedTable(red.data, (row, tr) => void selectRow(row, tr)) : h('p', { class: 'filter-error' }, red.error?.error ?? 'could not load');
  main.replaceChildren(
    toolbar(r),
    h(
      'div',
      { class: 'graph-row' },
      h('section', { class: 'card graph-card' }, h('div', { class: 'card-head' }, h('h2', {}, 'Service graph'), h('span', { class: 'muted', id: 'graph-count' }, `${graph.traceCount} traces`)), h('div', { class: 'graph-wrap' }, svg)),
      h(
        'section',
        { class: 'card red-card' },
        h('div', { class: 'card-head' }, h('h2', {}, 'Rate, errors, duration'), red.data ? h('span', { class: 'muted' }, `per minute over ${formatWindow(red.data.windowSeconds)}`) : null),
        redTable,
      ),
    ),
    h('section', { class: 'card' }, details),
  );
}

function formatWindow(seconds) {
  if (seconds >= 3600) return `${+(seconds / 3600).toFixed(1)} h`;
  if (seconds >= 60) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds)} s`;
}

function nameOf(node) {
  return node.kind === 'client' ? 'Client' : node.name;
}

// ---- detail view ----

function section(title, ...content) {
  return h('section', { class: 'card' }, h('div', { class: 'card-head' }, h('h2', {}, title)), ...content);
}

function renderDocuments(trace) {
  return trace.documents.map((doc, i) =>
    h(
      'details',
      { class: 'doc' },
      h(
        'summary',
        {},
        h('span', { class: 'doc-name' }, String(doc.name)),
        h('span', { class: 'muted' }, ` ${doc.type === 'subsegment' ? 'subsegment' : 'segment'} · ${String(doc.id)} · #${i + 1}`),
      ),
      h('pre', {}, JSON.stringify(doc, null, 2)),
    ),
  );
}

function renderDetail(trace) {
  currentDetail = trace.id;
  const meta = h(
    'div',
    { class: 'meta' },
    h('span', {}, formatTime(trace.startTime)),
    h('span', {}, formatMs(trace.durationMs)),
    h('span', {}, `${trace.nodeCount} spans in ${trace.documentCount} documents`),
    trace.services.map((name) => h('span', { class: 'chip' }, name)),
    flagPills(trace),
    stateCell(trace),
    trace.truncated ? h('span', { class: 'state partial' }, 'truncated') : null,
  );
  main.replaceChildren(
    h('a', { href: '#/', class: 'back' }, '← All traces'),
    h(
      'section',
      { class: 'card title-card' },
      h(
        'h1',
        {},
        trace.status !== undefined ? h('span', { class: `status big ${statusClass(trace.status)}` }, String(trace.status)) : null,
        h('span', { class: 'title-text' }, requestLabel(trace)),
      ),
      h('div', { class: 'trace-id' }, trace.id),
      meta,
    ),
    section('Timeline', renderWaterfall(trace)),
    section('Service map', h('div', { class: 'map-wrap' }, renderServiceMap(trace))),
    section(`Raw documents (${trace.documents.length})`, h('div', { class: 'docs' }, renderDocuments(trace))),
  );
}

async function showTrace(id) {
  try {
    renderDetail(await getJson(`/api/traces/${encodeURIComponent(id)}`));
  } catch (error) {
    currentDetail = null;
    main.replaceChildren(
      h('a', { href: '#/', class: 'back' }, '← All traces'),
      h(
        'section',
        { class: 'empty' },
        h('h2', {}, error.status === 404 ? 'Trace not found' : 'Could not load the trace'),
        h('p', {}, error.status === 404 ? `No trace ${id} is held (it may have been evicted).` : String(error.message)),
      ),
    );
  }
}

function render() {
  const r = route();
  if (r.view === 'trace') {
    setNav('trace');
    void showTrace(r.id);
  } else if (r.view === 'graph') void renderGraph(r);
  else if (r.filter || r.group) void renderFiltered(r);
  else renderList();
}

// ---- live updates ----

function renderStats(stats) {
  const malformed = Object.values(stats.malformed).reduce((a, b) => a + b, 0);
  statsEl.replaceChildren(
    h('span', {}, h('b', {}, String(stats.received)), ' received'),
    h('span', {}, h('b', {}, String(stats.traces)), ' traces'),
    h(
      'span',
      {
        class: malformed > 0 ? 'warn' : '',
        title: Object.entries(stats.malformed)
          .filter(([, count]) => count > 0)
          .map(([reason, count]) => `${reason}: ${count}`)
          .join('\n') || 'no malformed datagrams',
      },
      h('b', {}, String(malformed)),
      ' malformed',
    ),
    h('span', {}, h('b', {}, String(stats.evictions)), ' evicted'),
  );
}

async function reloadList() {
  const list = await getJson('/api/traces');
  traces.clear();
  for (const t of list.slice(0, MAX_ROWS)) traces.set(t.id, t);
}

let detailTimer = null;

function applyUpdate(payload) {
  if (payload.stats) renderStats(payload.stats);
  if (payload.reload) {
    void reloadList().then(() => route().view === 'list' && !route().filter && !route().group && renderList());
    return;
  }
  for (const id of payload.evicted) traces.delete(id);
  for (const t of payload.updated) {
    if (!traces.has(t.id)) fresh.add(t.id);
    traces.set(t.id, t);
  }
  // Keep the newest rows only, so a page left open for hours does not grow without bound.
  if (traces.size > MAX_ROWS) for (const t of sortedTraces().slice(MAX_ROWS)) traces.delete(t.id);
  const r = route();
  if (r.view === 'list' && (r.filter || r.group)) {
    // A filtered list asks the server again, at most once a second.
    clearTimeout(graphTimer);
    graphTimer = setTimeout(() => void renderFiltered(route()), 1000);
  } else if (r.view === 'list') renderList();
  else if (currentDetail && payload.updated.some((t) => t.id === currentDetail)) {
    // Coalesce bursts of updates to the trace on screen into one reload.
    clearTimeout(detailTimer);
    detailTimer = setTimeout(() => void showTrace(currentDetail), 300);
  }
}

function connect() {
  const events = new EventSource('/api/events');
  events.addEventListener('open', () => {
    live.textContent = 'live';
    live.className = 'live on';
  });
  events.addEventListener('error', () => {
    live.textContent = 'reconnecting…';
    live.className = 'live off';
  });
  events.addEventListener('traces', (event) => applyUpdate(JSON.parse(event.data)));
}

async function start() {
  window.addEventListener('hashchange', render);
  connect();
  try {
    [info] = await Promise.all([getJson('/api/info'), reloadList(), loadGroups()]);
    renderStats(await getJson('/api/stats'));
  } catch (error) {
    live.textContent = `error: ${error.message}`;
  }
  render();
}

void start();
