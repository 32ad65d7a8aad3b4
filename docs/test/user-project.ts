// The reader's own project, outside this repository: a folder under the system's temporary folder
// set up with the commands the pages give (`npm init`, `npm pkg set`, every `npm install` line),
// with @cruddur/middleware and @cruddur/trace-viewer installed from their packed tarballs, as a
// registry would serve them, and every file the pages show saved under its own name.
//
// Installing takes a minute the first time, so the folder is shared by every test file of a run
// and kept across runs, keyed by the tarballs' content and the install commands: a change to
// either makes a new one. The pages' files are written on each run (they change more often).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { outsideNpmEnv, packTarball } from '../../scripts/pack-tarball.mjs';
import { includePath, parsePage } from './markdown.js';
import { delay, repoRoot, workshopDir } from './support.js';

/** The packages a reader installs by name that this repository builds: installed from tarballs. */
const PACKED: Readonly<Record<string, string>> = {
  '@cruddur/middleware': 'packages/middleware',
  '@cruddur/trace-viewer': 'packages/trace-viewer',
};

/** Where the projects live: `$TMPDIR/cruddur-docs-project/<hash>`. */
const PROJECTS = path.join(tmpdir(), 'cruddur-docs-project');

/** The README's first TypeScript block (its quick start), saved in the project under this name. */
export const QUICK_START_FILE = 'readme-quick-start.ts';

/** The step pages in order, then the index. */
export function workshopPages(): string[] {
  return readdirSync(workshopDir)
    .filter((f) => f.endsWith('.md'))
    .sort((a, b) => (a === 'README.md' ? -1 : b === 'README.md' ? 1 : a.localeCompare(b)));
}

/** The `npm init`, `npm pkg` and `npm install` commands of the pages' `sh` blocks (also those indented in lists), in page order. */
export function setupCommands(): string[][] {
  const out: string[][] = [];
  for (const page of workshopPages()) {
    const text = readFileSync(path.join(workshopDir, page), 'utf8');
    for (const block of text.matchAll(/^[ \t]*```sh\n([\s\S]*?)^[ \t]*```[ \t]*$/gm)) {
      for (const line of (block[1] ?? '').replace(/\\\n/g, ' ').split('\n')) {
        const words = line.trim().split(/\s+/);
        if (words[0] === 'npm' && ['init', 'pkg', 'install', 'i'].includes(words[1] ?? '')) out.push(words.slice(1));
      }
    }
  }
  return out;
}

/** Every file a page shows between snippet markers, by the name a reader saves it under. */
export function shownFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const page of workshopPages()) {
    for (const include of parsePage(readFileSync(path.join(workshopDir, page), 'utf8')).includes) {
      files.set(path.basename(include.name), includePath(include.name));
    }
  }
  return files;
}

/** The TypeScript block under the root README's "A first traced service". */
export function readmeQuickStart(): string {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## A first traced service'));
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('README.md: no ts block under "## A first traced service"');
  return block;
}

function npm(args: string[], cwd: string): void {
  try {
    execFileSync('npm', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', env: outsideNpmEnv() });
  } catch (err) {
    const { stdout = '', stderr = '' } = err as { stdout?: string; stderr?: string };
    throw new Error(`npm ${args.join(' ')} failed in ${cwd}:\n${stdout}${stderr}`);
  }
}

// The pages' install lines, with our packages replaced by their tarballs, merged into one install
// of dependencies and one of devDependencies: what a reader following the pages ends up with.
function installs(commands: string[][], tarballs: Record<string, string>): { init: string[][]; prod: string[]; dev: string[] } {
  const init: string[][] = [];
  const prod = new Set<string>();
  const dev = new Set<string>();
  for (const words of commands) {
    if (words[0] !== 'install' && words[0] !== 'i') {
      init.push(words);
      continue;
    }
    const isDev = words.includes('-D') || words.includes('--save-dev');
    for (const word of words.slice(1).filter((w) => !w.startsWith('-'))) (isDev ? dev : prod).add(tarballs[word] ?? word);
  }
  for (const name of prod) dev.delete(name);
  return { init, prod: [...prod], dev: [...dev] };
}

async function build(dir: string, commands: string[][], tarballs: Record<string, string>): Promise<void> {
  const { init, prod, dev } = installs(commands, tarballs);
  const flags = ['--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'];
  for (const words of init) npm(words, dir);
  if (prod.length > 0) npm(['install', ...flags, ...prod], dir);
  if (dev.length > 0) npm(['install', ...flags, '--save-dev', ...dev], dir);
}

// One process builds, the others wait: a lock folder beside the project, taken over when stale.
async function buildOnce(dir: string, make: (staging: string) => Promise<void>): Promise<void> {
  const ready = (): boolean => existsSync(path.join(dir, '.ready'));
  const lock = `${dir}.lock`;
  for (;;) {
    if (ready()) return;
    try {
      mkdirSync(lock);
    } catch {
      const since = statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now();
      if (Date.now() - since > 15 * 60_000) rmSync(lock, { recursive: true, force: true });
      await delay(500);
      continue;
    }
    const staging = mkdtempSync(`${dir}-`);
    try {
      await make(staging);
      writeFileSync(path.join(staging, '.ready'), '');
      rmSync(dir, { recursive: true, force: true });
      renameSync(staging, dir);
      return;
    } finally {
      rmSync(staging, { recursive: true, force: true });
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

function writeAtomically(file: string, content: string | Buffer): void {
  if (existsSync(file) && readFileSync(file).equals(Buffer.from(content))) return;
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, content);
  renameSync(temp, file);
}

/** A day without use: long enough for any run of any checkout still using it. */
const STALE_MS = 24 * 60 * 60_000;

// A project is about 200 MB and a new one comes with every change to a packed package: marks this
// one as used now and removes those no run used for a day.
function pruneStaleProjects(current: string): void {
  const now = new Date();
  utimesSync(path.join(current, '.ready'), now, now);
  for (const entry of readdirSync(PROJECTS)) {
    const dir = path.join(PROJECTS, entry);
    if (dir === current || entry.endsWith('.lock')) continue;
    const used = statSync(path.join(dir, '.ready'), { throwIfNoEntry: false })?.mtimeMs ?? statSync(dir, { throwIfNoEntry: false })?.mtimeMs ?? now.getTime();
    if (now.getTime() - used > STALE_MS) rmSync(dir, { recursive: true, force: true });
  }
}

let project: Promise<string> | undefined;

/**
 * The reader's project, installed and holding every file the pages show (and the README's quick
 * start as {@link QUICK_START_FILE}). Resolves to its absolute path.
 */
export function userProject(): Promise<string> {
  project ??= (async () => {
    const tarballs: Record<string, string> = {};
    for (const [name, dir] of Object.entries(PACKED)) tarballs[name] = packTarball(path.join(repoRoot, dir)).tarball;
    const commands = setupCommands();
    const key = createHash('sha256').update(JSON.stringify({ tarballs, commands, node: process.versions.modules })).digest('hex').slice(0, 16);
    mkdirSync(PROJECTS, { recursive: true });
    const dir = path.join(PROJECTS, key);
    await buildOnce(dir, (staging) => build(staging, commands, tarballs));
    pruneStaleProjects(dir);
    for (const [name, source] of shownFiles()) writeAtomically(path.join(dir, name), readFileSync(source));
    writeAtomically(path.join(dir, QUICK_START_FILE), readmeQuickStart());
    return dir;
  })();
  return project;
}
