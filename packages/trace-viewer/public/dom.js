// Building the DOM. Every value from a segment document reaches the page through text nodes or
// setAttribute, never through innerHTML: documents are untrusted input.

/**
 * Creates an element. `attrs` keys: `class`, `style` (an object of CSS properties), `on<event>`
 * handlers, anything else as an attribute.
 * Children: nodes, strings (as text), or null/undefined/false (skipped).
 */
export function h(tag, attrs = {}, ...children) {
  return fill(document.createElement(tag), attrs, children);
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Same as h() for SVG elements. */
export function s(tag, attrs = {}, ...children) {
  return fill(document.createElementNS(SVG_NS, tag), attrs, children);
}

function fill(el, attrs, children) {
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    // Through the CSSOM: the content security policy forbids style attributes.
    else if (key === 'style') for (const [prop, v] of Object.entries(value)) el.style.setProperty(prop, String(v));
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
  return el;
}

/** Milliseconds with a precision that suits their size. */
export function formatMs(ms) {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return '–';
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

/** Local wall-clock time of an epoch-seconds timestamp, to the millisecond. */
export function formatTime(epochSeconds) {
  const date = new Date(epochSeconds * 1000);
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

/** Status class for colouring: ok, warn (4xx), bad (5xx). */
export function statusClass(status) {
  if (typeof status !== 'number') return 'none';
  if (status >= 500) return 'bad';
  if (status >= 400) return 'warn';
  return 'ok';
}

const PALETTE = ['#2f81f7', '#8957e5', '#1a7f37', '#bf8700', '#0969da', '#bc4c00', '#1b7c83', '#cf222e', '#6e7781'];

/** A stable colour per service, by its position in the trace's service list. */
export function serviceColor(services, name) {
  const index = services.indexOf(name);
  return PALETTE[(index < 0 ? services.length : index) % PALETTE.length];
}

/** Small pills for error / throttle / fault flags. */
export function flagPills(item) {
  return [
    item.fault || item.hasFault ? h('span', { class: 'pill fault', title: 'fault (5xx or exception)' }, 'fault') : null,
    item.error || item.hasError ? h('span', { class: 'pill error', title: 'error (4xx)' }, 'error') : null,
    item.throttle || item.hasThrottle ? h('span', { class: 'pill throttle', title: 'throttle (429)' }, 'throttle') : null,
  ];
}
