// The include convention of the workshop pages, shared by the test that checks it and the script
// that refreshes the pages (scripts/sync-snippets.ts):
//
//   <!-- snippet: step3-app.ts -->
//   ```ts
//   …the whole file, byte for byte…
//   ```
//   <!-- /snippet -->
//
// A name without a slash is a file in docs/workshop/snippets/; a name with one is a path from the
// repository root (e.g. aws/json/xray-group.json). The fence's language follows the extension.
import path from 'node:path';
import { repoRoot, snippetsDir } from './support.js';

const OPEN = /^<!-- snippet: (\S+) -->$/;
const CLOSE = '<!-- /snippet -->';
const FENCE = /^(`{3,}|~{3,})\s*([\w+-]*)\s*$/;

/** One fenced code block. */
export interface Fence {
  /** 1-based line of the opening fence. */
  line: number;
  /** The info string (`ts`, `sh`, …), empty when none. */
  lang: string;
  /** The lines between the fences, each ending with a newline. */
  body: string;
  /** The include it sits in, if any. */
  include: string | undefined;
}

/** One `<!-- snippet: … -->` … `<!-- /snippet -->` region. */
export interface Include {
  name: string;
  line: number;
  fences: Fence[];
}

export interface ParsedPage {
  fences: Fence[];
  includes: Include[];
  /** Malformed markers: unclosed, nested, stray closing. */
  problems: string[];
}

/** Splits a page into fences and include regions. */
export function parsePage(text: string): ParsedPage {
  const lines = text.split('\n');
  const fences: Fence[] = [];
  const includes: Include[] = [];
  const problems: string[] = [];
  let current: Include | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const fence = FENCE.exec(line);
    if (fence) {
      const marker = fence[1] ?? '```';
      const start = i;
      const body: string[] = [];
      for (i++; i < lines.length && !(lines[i] ?? '').startsWith(marker); i++) body.push(lines[i] ?? '');
      if (i >= lines.length) problems.push(`line ${start + 1}: code block never closed`);
      const entry: Fence = { line: start + 1, lang: fence[2] ?? '', body: body.map((l) => `${l}\n`).join(''), include: current?.name };
      fences.push(entry);
      current?.fences.push(entry);
      continue;
    }
    const open = OPEN.exec(line.trim());
    if (open) {
      if (current) problems.push(`line ${i + 1}: snippet ${open[1]} opened inside snippet ${current.name}`);
      current = { name: open[1] ?? '', line: i + 1, fences: [] };
      includes.push(current);
      continue;
    }
    if (line.trim() === CLOSE) {
      if (!current) problems.push(`line ${i + 1}: ${CLOSE} without an opening marker`);
      current = undefined;
    }
  }
  if (current) problems.push(`line ${current.line}: snippet ${current.name} never closed`);
  return { fences, includes, problems };
}

/** Where an include's file lives. */
export function includePath(name: string): string {
  return name.includes('/') ? path.join(repoRoot, name) : path.join(snippetsDir, name);
}

const LANGUAGES: Record<string, string> = { '.ts': 'ts', '.mjs': 'js', '.cjs': 'js', '.json': 'json', '.txt': 'text', '.yml': 'yaml', '.yaml': 'yaml' };

/** The fence language for a file, from its extension. */
export function fenceLanguage(name: string): string {
  return LANGUAGES[path.extname(name)] ?? 'text';
}

/** The markdown of an include region for `content`. */
export function renderInclude(name: string, content: string): string {
  const body = content.endsWith('\n') ? content : `${content}\n`;
  return `<!-- snippet: ${name} -->\n\`\`\`${fenceLanguage(name)}\n${body}\`\`\`\n${CLOSE}`;
}

/** Rewrites every include region of a page from the files it names. */
export function syncPage(text: string, read: (name: string) => string): string {
  const lines = text.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const open = OPEN.exec(line.trim());
    if (!open) {
      out.push(line);
      continue;
    }
    let end = i + 1;
    while (end < lines.length && (lines[end] ?? '').trim() !== CLOSE) end++;
    if (end >= lines.length) throw new Error(`line ${i + 1}: snippet ${open[1]} never closed`);
    const name = open[1] ?? '';
    out.push(renderInclude(name, read(name)));
    i = end;
  }
  return out.join('\n');
}
