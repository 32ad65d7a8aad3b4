// Helpers for the deploy tests (deploy.test.ts here and in apps/worker, compose.test.ts): read the
// Dockerfiles and docker-compose.yml, build an app's production bundle with its own `bundle`
// script, and run that bundle from a folder with no node_modules, as the runtime image does.
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

// ---------------------------------------------------------------------------------------------
// Dockerfiles

export interface Instruction {
  keyword: string;
  /** Everything after the keyword, continuation lines joined. */
  args: string;
  line: number;
}

export interface Stage {
  from: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** Instructions grouped by stage. Comments dropped, `\` continuations joined. */
export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i + 1;
    let current = lines[i]!.trim();
    if (current === '' || current.startsWith('#')) continue;
    while (current.endsWith('\\') && i + 1 < lines.length) {
      i++;
      const next = lines[i]!.trim();
      current = current.slice(0, -1).trimEnd() + (next.startsWith('#') ? '' : ` ${next}`);
    }
    const match = /^(\S+)\s*(.*)$/.exec(current)!;
    const keyword = match[1]!.toUpperCase();
    const args = match[2]!;
    if (keyword === 'FROM') {
      const from = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      assert.ok(from, `FROM line ${start}: ${args}`);
      stages.push({ from: from[1]!, name: from[2], instructions: [] });
      continue;
    }
    assert.ok(stages.length > 0, `line ${start}: ${keyword} before FROM`);
    stages.at(-1)!.instructions.push({ keyword, args, line: start });
  }
  return stages;
}

export function readDockerfile(path: string): Stage[] {
  return parseDockerfile(readFileSync(path, 'utf8'));
}

/** The JSON (exec) form of CMD / HEALTHCHECK CMD / ENTRYPOINT, after any `--option=value` flags. */
export function execForm(args: string): string[] {
  const json = args.replace(/^(?:--\S+\s+)*(?:CMD\s+)?/i, '');
  const parsed: unknown = JSON.parse(json);
  assert.ok(Array.isArray(parsed) && parsed.every((a) => typeof a === 'string'), `not an exec-form array: ${args}`);
  return parsed as string[];
}

/** `ENV A=1 B=2` lines of a stage as one record. */
export function stageEnv(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { keyword, args } of stage.instructions) {
    if (keyword !== 'ENV') continue;
    for (const m of args.matchAll(/(\w+)=("[^"]*"|\S+)/g)) env[m[1]!] = m[2]!.replace(/^"|"$/g, '');
  }
  return env;
}

/** `npm run <script> -w <workspace>` commands of a stage's RUN lines, in order. */
export function npmRuns(stage: Stage): { script: string; workspace: string; line: number }[] {
  const runs: { script: string; workspace: string; line: number }[] = [];
  for (const { keyword, args, line } of stage.instructions) {
    if (keyword !== 'RUN') continue;
    for (const m of args.matchAll(/npm run (\S+) (?:-w|--workspace)[ =](\S+)/g)) runs.push({ script: m[1]!, workspace: m[2]!, line });
  }
  return runs;
}

// ---------------------------------------------------------------------------------------------
// Workspaces

export interface Workspace {
  dir: string;
  name: string;
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
}

/** The root package.json's workspaces (`dir/*` globs and plain folders). */
export function workspaces(): Workspace[] {
  const root = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { workspaces: string[] };
  const dirs = root.workspaces.flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return [pattern];
    const parent = pattern.slice(0, -2);
    return readdirSync(join(repoRoot, parent), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => `${parent}/${e.name}`);
  });
  return dirs
    .filter((dir) => existsSync(join(repoRoot, dir, 'package.json')))
    .map((dir) => {
      const pkg = JSON.parse(readFileSync(join(repoRoot, dir, 'package.json'), 'utf8')) as Partial<Workspace>;
      return { dir, name: pkg.name ?? dir, scripts: pkg.scripts ?? {}, dependencies: pkg.dependencies ?? {} };
    });
}

// ---------------------------------------------------------------------------------------------
// docker-compose.yml

export interface ComposeService {
  build?: { context: string; dockerfile?: string } | string;
  image?: string;
  command?: string[] | string;
  ports?: string[];
  expose?: string[];
  profiles?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }> | string[];
}

/**
 * docker-compose.yml as compose reads it: `<<` merge keys resolved, every scalar kept as the text
 * it is (the failsafe schema), as compose hands environment values and ports to containers.
 */
export function readCompose(): { services: Record<string, ComposeService> } {
  return parseYaml(readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8'), { merge: true, schema: 'failsafe' }) as {
    services: Record<string, ComposeService>;
  };
}

// ---------------------------------------------------------------------------------------------
// Processes

export function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolvePromise) => {
    execFile(
      command,
      args,
      { cwd: options.cwd, env: options.env ?? process.env, timeout: options.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolvePromise({ code, stdout, stderr });
      },
    );
  });
}

/** Whether a command is on PATH. */
export async function onPath(command: string): Promise<boolean> {
  return (await run('sh', ['-c', `command -v ${command}`])).code === 0;
}

/**
 * Runs the app's `bundle` script (`npm run bundle`, as the Dockerfile does) and copies bundle/
 * into a fresh temporary folder with no node_modules above it: what the runtime image holds.
 */
export async function bundleApp(appDir: string): Promise<{ dir: string; remove: () => void }> {
  const out = await run('npm', ['run', 'bundle', '--silent'], { cwd: appDir, timeoutMs: 120_000 });
  assert.equal(out.code, 0, `npm run bundle failed:\n${out.stdout}\n${out.stderr}`);
  const dir = mkdtempSync(join(tmpdir(), 'cruddur-bundle-'));
  for (let d = dir; ; d = dirname(d)) {
    assert.ok(!existsSync(join(d, 'node_modules')), `${d}/node_modules exists: the bundle would not run in isolation`);
    if (dirname(d) === d) break;
  }
  cpSync(join(appDir, 'bundle'), dir, { recursive: true });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Environment for a bundle: production, local credentials, nothing inherited that points at AWS. */
export function bundleEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    NODE_NO_WARNINGS: '1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_REGION: 'us-east-1',
    ...extra,
  };
}

export interface Started {
  child: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

/** `node --enable-source-maps <script>` in `cwd` (the image sets NODE_OPTIONS=--enable-source-maps). */
export function startNode(cwd: string, script: string, env: NodeJS.ProcessEnv): Started {
  const child = spawn(process.execPath, ['--enable-source-maps', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolvePromise) => child.once('exit', () => resolvePromise()));
  return {
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Resolves with the exit code (and the output so far). */
export function exitOf(started: Started): Promise<number> {
  return new Promise((resolvePromise) => {
    if (started.child.exitCode !== null) resolvePromise(started.child.exitCode);
    else started.child.once('exit', (code) => resolvePromise(code ?? 1));
  });
}

/** Polls `url` until it answers (any status), failing after `timeoutMs` or when `proc` exits. */
export async function waitForHttp(url: string, proc: Started, timeoutMs = 15_000): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fetch(url, { signal: AbortSignal.timeout(2000) });
    } catch {
      assert.ok(proc.child.exitCode === null, `process exited (${proc.child.exitCode}) before ${url} answered:\n${proc.output()}`);
      assert.ok(Date.now() < deadline, `${url} did not answer within ${timeoutMs} ms:\n${proc.output()}`);
      await new Promise((r) => setTimeout(r, 150));
    }
  }
}

/** Runs an image's HEALTHCHECK (exec form, `node -e ...`) here, with `env`. */
export async function runHealthcheck(stage: Stage, env: NodeJS.ProcessEnv): Promise<number> {
  const healthcheck = stage.instructions.find((i) => i.keyword === 'HEALTHCHECK');
  assert.ok(healthcheck, 'the runtime stage has no HEALTHCHECK');
  const [command, ...args] = execForm(healthcheck.args);
  assert.equal(command, 'node', 'the health check runs node (its fetch), the only program the image is sure to have');
  return (await run(process.execPath, args, { env, timeoutMs: 10_000 })).code;
}
