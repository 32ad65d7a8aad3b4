import type { StackFrameDocument } from './document.js';

/** The label of a frame whose function has no name (what the official X-Ray SDK writes too). */
export const ANONYMOUS_LABEL = 'anonymous';
/** The path of a frame that runs no source file: built-ins (`JSON.parse`, `Array.map`) and `Promise.all`. */
export const NO_SOURCE_PATH = '<anonymous>';

const LINE_AND_COLUMN = /:(\d+)(?::\d+)?$/;
const DRIVE = /^[A-Za-z]:[\\/]/;
const PROMISE_INDEX = /^index \d+$/;

/**
 * Parses a V8 stack (`err.stack`) into X-Ray frames `{path, line, label}`, every form V8 writes:
 * named and anonymous functions, `async` and `new` frames, `eval` code, built-ins
 * (`at JSON.parse (<anonymous>)`), `Promise.all (index N)`, `file://` URLs of ES modules and
 * Windows paths. Paths under `cwd` are made relative to it, as the X-Ray documentation asks; others
 * stay absolute. Lines that are not frames (the message, `... N lines matching ...`) are skipped.
 */
export function parseStack(stack: string, cwd: string = process.cwd()): StackFrameDocument[] {
  const frames: StackFrameDocument[] = [];
  const lines = stack.split('\n');
  // The first line is the error's own `Name: message`.
  for (let i = 1; i < lines.length; i++) {
    const frame = parseFrame(lines[i] as string, cwd);
    if (frame) frames.push(frame);
  }
  return frames;
}

/** Parses one `    at …` line; undefined when the line is not a frame. */
export function parseFrame(line: string, cwd: string = process.cwd()): StackFrameDocument | undefined {
  const text = line.trim();
  if (!text.startsWith('at ')) return undefined;
  let rest = text.slice(3);
  // `async` marks the frame of a function resumed after an await: it is still that function.
  if (rest.startsWith('async ')) rest = rest.slice(6);
  let label: string | undefined;
  let location = rest;
  if (rest.endsWith(')')) {
    let open = openingParen(rest, rest.length - 1);
    // Unbalanced parentheses in a path: fall back to the first ` (`.
    if (open <= 0 || rest[open - 1] !== ' ') open = rest.indexOf(' (') + 1;
    if (open > 0 && rest[open - 1] === ' ') {
      label = rest.slice(0, open - 1);
      location = rest.slice(open + 1, -1);
    }
  }
  // V8 writes `<anonymous>` for some functions without a name: the same as no name.
  if (label === '' || label === '<anonymous>') label = undefined;
  // `Promise.all (index 0)`: which element of the combinator rejected; no source location.
  if (label !== undefined && PROMISE_INDEX.test(location)) {
    return { path: NO_SOURCE_PATH, line: null, label: `${label} (${location})` };
  }
  return { ...locate(location, cwd), label: label ?? ANONYMOUS_LABEL };
}

/**
 * Splits a frame's location into path and line. Code run by `eval` or `new Function` is located
 * where the eval was called (`eval at f (/app/x.js:3:5), <anonymous>:1:7` is line 3 of
 * /app/x.js): the evaluated text has no file of its own.
 */
function locate(location: string, cwd: string): Pick<StackFrameDocument, 'path' | 'line'> {
  if (location.startsWith('eval at ')) {
    const open = location.indexOf('(');
    const close = open >= 0 ? closingParen(location, open) : -1;
    if (close > open) return locate(location.slice(open + 1, close), cwd);
    return { path: NO_SOURCE_PATH, line: null };
  }
  const match = LINE_AND_COLUMN.exec(location);
  const file = match ? location.slice(0, match.index) : location;
  const line = match ? Number(match[1]) : null;
  // `native` is what older V8 versions wrote for built-ins.
  if (file === '' || file === 'native') return { path: NO_SOURCE_PATH, line: null };
  return { path: relativeTo(fromFileUrl(file), cwd), line };
}

/** `file:///app/x.mjs` → `/app/x.mjs`; `file:///C:/app/x.mjs` → `C:\app\x.mjs`; other text unchanged. */
function fromFileUrl(path: string): string {
  if (!path.startsWith('file://')) return path;
  let decoded = path.slice(7);
  try {
    decoded = decodeURIComponent(decoded);
  } catch {
    // a malformed escape: keep the text as V8 wrote it
  }
  // Windows: `file:///C:/x` is drive C:, written with the platform's separator.
  if (decoded.startsWith('/') && DRIVE.test(decoded.slice(1))) return decoded.slice(1).replaceAll('/', '\\');
  return decoded;
}

/** The path relative to `cwd` when it lies below it (drive letters and case on Windows compared loosely). */
function relativeTo(path: string, cwd: string): string {
  const base = cwd.endsWith('/') || cwd.endsWith('\\') ? cwd.slice(0, -1) : cwd;
  if (base.length === 0 || path.length <= base.length + 1) return path;
  const separator = path[base.length];
  if (separator !== '/' && separator !== '\\') return path;
  const head = path.slice(0, base.length);
  const same = DRIVE.test(base) ? head.toLowerCase() === base.toLowerCase() : head === base;
  return same ? path.slice(base.length + 1) : path;
}

// The `(` matching the `)` at `close`, scanning backwards: paths and eval origins contain parentheses.
function openingParen(text: string, close: number): number {
  let depth = 0;
  for (let i = close; i >= 0; i--) {
    const c = text[i];
    if (c === ')') depth++;
    else if (c === '(' && --depth === 0) return i;
  }
  return -1;
}

function closingParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return -1;
}
