// The page: a live list of recent traces and, for one trace, its waterfall, service map and
// raw documents. Routes live in the hash (#/ and #/trace/<id>) so a trace can be linked.
import { flagPills, formatMs, formatTime, h, statusClass } from './dom.js';
import { renderServiceMap } from './service-map.js';
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

function route() {
  const match = /^#\/trace\/(.+)$/.exec(location.hash);
  return match ? { view: 'trace', id: decodeURIComponent(match[1]) } : { view: 'list' };
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

function renderList() {
  currentDetail = null;
  const list = sortedTraces();
  if (list.length === 0) {
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
  if (!listView || listView.section.parentNode !== main) {
    listView = createListView();
    main.replaceChildren(listView.section);
  }
  listView.count.textContent = `${list.length} shown, newest first`;
  // Move only the rows that are out of place: a new trace at the top leaves the others alone.
  const { tbody } = listView;
  list.forEach((t, i) => {
    const tr = row(t);
    if (tbody.children[i] !== tr) tbody.insertBefore(tr, tbody.children[i] ?? null);
  });
  while (tbody.children.length > list.length) tbody.lastElementChild.remove();
  for (const id of rowCache.keys()) if (!traces.has(id)) rowCache.delete(id);
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
  if (r.view === 'trace') void showTrace(r.id);
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
    void reloadList().then(() => route().view === 'list' && renderList());
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
  if (r.view === 'list') renderList();
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
    [info] = await Promise.all([getJson('/api/info'), reloadList()]);
    renderStats(await getJson('/api/stats'));
  } catch (error) {
    live.textContent = `error: ${error.message}`;
  }
  render();
}

void start();
