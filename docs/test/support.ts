// Runs workshop snippets as separate programs in the reader's own project (user-project.ts: a
// folder outside this repository with the packed packages installed), as the pages tell readers
// to (`npx tsx <file>`), each with its own environment, and reads back what they sent to the
// local fakes.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SegmentDocument, SubsegmentDocument } from '@cruddur/middleware';
import type { DaemonSink } from '@cruddur/fakes';
import { shownFiles, userProject } from './user-project.js';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const workshopDir = path.join(repoRoot, 'docs', 'workshop');
export const snippetsDir = path.join(workshopDir, 'snippets');

/** Absolute path of a file in docs/workshop/snippets/. */
export function snippetPath(name: string): string {
  return path.join(snippetsDir, name);
}

/** Sampling rules that sample every request (docs/workshop/snippets/sample-everything.json). */
export const SAMPLE_EVERYTHING = snippetPath('sample-everything.json');

/** Placeholder AWS settings the SDK needs to talk to a local fake. */
export const LOCAL_AWS = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
} as const;

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunningSnippet {
  /** `http://127.0.0.1:<port>` of the server the snippet started. */
  readonly url: string;
  /** Everything the process wrote to stdout so far. */
  stdout(): string;
  /** Everything the process wrote to stderr so far. */
  stderr(): string;
  /** Sends `signal` (default SIGTERM) and resolves once the process has exited. */
  stop(signal?: NodeJS.Signals): Promise<Exit>;
}

// Only what a shell gives any program: the machine's AWS or X-Ray settings must not leak in.
// The default daemon and OTLP addresses are the exception: under `npm test` the guard
// (scripts/test-default-ports-guard.mjs) points them at sockets of its own, so a snippet a test
// left without a sink is caught there instead of sending to a developer's daemon.
function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { NO_COLOR: '1' };
  for (const key of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'SystemRoot', 'AWS_XRAY_DAEMON_ADDRESS', 'OTEL_EXPORTER_OTLP_ENDPOINT']) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  return env;
}

// Every process a test started, so a failure half-way through start-up leaves none behind.
const running = new Set<ChildProcess>();

/** Kills every snippet process still running (for `after` hooks). */
export async function stopAllSnippets(): Promise<void> {
  await Promise.all(
    [...running].map(async (child) => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await once(child, 'exit');
      }
    }),
  );
}

/**
 * How a snippet is started. `tsx` is the command the pages give (`npx tsx <file>`, the loader the
 * reader installed). `compiled` runs the same file with its types stripped ahead of time, once for
 * all the tests: each tsx process costs about half a second of CPU more, which adds up over twenty
 * processes. Both run in the reader's project, resolving its installed packages.
 */
export type Runner = 'tsx' | 'compiled';

let compiling: Promise<string> | undefined;

/** The shown files with their types stripped, in a folder of the reader's project keyed by their content. */
function compiledSnippets(project: string): Promise<string> {
  compiling ??= (async () => {
    const files = [...shownFiles().keys()].sort();
    const hash = createHash('sha256');
    for (const file of files) hash.update(file).update(readFileSync(path.join(project, file)));
    const dir = path.join(project, `.compiled-${hash.digest('hex').slice(0, 16)}`);
    if (existsSync(dir)) return dir;
    const { default: ts } = await import('typescript');
    const staging = mkdtempSync(`${dir}-`);
    for (const file of files) {
      const source = readFileSync(path.join(project, file), 'utf8');
      if (!file.endsWith('.ts')) {
        writeFileSync(path.join(staging, file), source);
        continue;
      }
      const { outputText } = ts.transpileModule(source, {
        fileName: file,
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, sourceMap: false },
      });
      writeFileSync(path.join(staging, file.replace(/\.ts$/, '.js')), outputText);
    }
    try {
      renameSync(staging, dir); // so the folder is either complete or absent
    } catch {
      // Another test file finished the same folder first.
      rmSync(staging, { recursive: true, force: true });
    }
    return dir;
  })();
  return compiling;
}

async function startProcess(name: string, env: Record<string, string>, runner: Runner) {
  const project = await userProject();
  const args = runner === 'tsx' ? ['--import', 'tsx', name] : [path.join(await compiledSnippets(project), name.replace(/\.ts$/, '.js'))];
  const child = spawn(process.execPath, args, {
    cwd: project,
    env: { ...baseEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited: Promise<Exit> = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  return { child, exited, stdout: () => out, stderr: () => err };
}

const LISTENING = /listening on http:\/\/[^\s"]*?:(\d+)/;

/**
 * Starts a server snippet with `PORT=0` and resolves once it printed `listening on http://…:<port>`.
 * Rejects with its output when it exits first or stays silent for `timeoutMs`.
 */
export async function startSnippet(name: string, env: Record<string, string>, runner: Runner = 'compiled', timeoutMs = 60_000): Promise<RunningSnippet> {
  const proc = await startProcess(name, { PORT: '0', ...env }, runner);
  const port = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => fail(`did not print "listening on" within ${timeoutMs} ms`), timeoutMs);
    const check = (): void => {
      const m = LISTENING.exec(proc.stdout());
      if (m?.[1]) {
        cleanup();
        resolve(m[1]);
      }
    };
    const onExit = (): void => fail('exited before listening');
    function fail(why: string): void {
      cleanup();
      proc.child.kill('SIGKILL');
      reject(new Error(`${name} ${why}\n--- stdout\n${proc.stdout()}\n--- stderr\n${proc.stderr()}`));
    }
    function cleanup(): void {
      clearTimeout(timer);
      proc.child.stdout.off('data', check);
      proc.child.off('exit', onExit);
    }
    proc.child.stdout.on('data', check);
    proc.child.once('exit', onExit);
    check();
  });
  let stopping: Promise<Exit> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    stdout: proc.stdout,
    stderr: proc.stderr,
    stop(signal: NodeJS.Signals = 'SIGTERM') {
      stopping ??= (async () => {
        if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill(signal);
        const timer = setTimeout(() => proc.child.kill('SIGKILL'), 10_000);
        try {
          return await proc.exited;
        } finally {
          clearTimeout(timer);
        }
      })();
      return stopping;
    },
  };
}

/** Runs a snippet that is a plain program to its end. */
export async function runSnippet(name: string, env: Record<string, string>, runner: Runner = 'compiled'): Promise<Exit & { stdout: string; stderr: string }> {
  const proc = await startProcess(name, env, runner);
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), 60_000);
  try {
    const exit = await proc.exited;
    return { ...exit, stdout: proc.stdout(), stderr: proc.stderr() };
  } finally {
    clearTimeout(timer);
  }
}

export interface Response {
  status: number;
  headers: Headers;
  text: string;
  /** The `Root=` of the `X-Amzn-Trace-Id` response header. */
  traceId: string | undefined;
}

/** One HTTP request; the body is read completely. */
export async function request(url: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(url, init);
  const text = await res.text();
  const header = res.headers.get('x-amzn-trace-id') ?? '';
  return { status: res.status, headers: res.headers, text, traceId: /Root=([^;]+)/.exec(header)?.[1] };
}

/** Posts JSON. */
export function postJson(url: string, body: unknown): Promise<Response> {
  return request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/**
 * Waits for the segment document that matches `predicate` and checks it is one the X-Ray daemon
 * and the OpenTelemetry receiver accept.
 */
export async function waitForSegment(sink: DaemonSink, predicate: (doc: SegmentDocument) => boolean, timeoutMs = 5_000): Promise<SegmentDocument> {
  const matches = await sink.waitForDocuments((d) => isSegment(d.document) && predicate(d.document), timeoutMs);
  const first = matches[0];
  if (!first) throw new Error('no matching segment');
  if (first.violations.length > 0) throw new Error(`the daemon would drop this segment: ${first.violations.join('; ')}`);
  return first.document as SegmentDocument;
}

/** Segments received so far (complete documents, not independent subsegments). */
export function segments(sink: DaemonSink): SegmentDocument[] {
  return sink.documents.map((d) => d.document).filter(isSegment);
}

function isSegment(doc: unknown): doc is SegmentDocument {
  return typeof doc === 'object' && doc !== null && (doc as { type?: unknown }).type !== 'subsegment' && typeof (doc as { trace_id?: unknown }).trace_id === 'string';
}

/** The subsegment called `name`, anywhere under `doc`. */
export function findSubsegment(doc: SegmentDocument | SubsegmentDocument, name: string): SubsegmentDocument | undefined {
  for (const child of doc.subsegments ?? []) {
    if (child.name === name) return child;
    const deeper = findSubsegment(child, name);
    if (deeper) return deeper;
  }
  return undefined;
}

/** Every subsegment under `doc`, depth first. */
export function allSubsegments(doc: SegmentDocument | SubsegmentDocument): SubsegmentDocument[] {
  return (doc.subsegments ?? []).flatMap((child) => [child, ...allSubsegments(child)]);
}

/** Reads a repository file as text. */
export function readRepoFile(relative: string): string {
  return readFileSync(path.join(repoRoot, relative), 'utf8');
}

/** Resolves after `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The actions the workshop's IAM policy (docs/workshop/snippets/iam-policy.json) allows. */
export function policyActions(): Set<string> {
  const policy = JSON.parse(readFileSync(snippetPath('iam-policy.json'), 'utf8')) as { Statement: Array<{ Action: string | string[] }> };
  return new Set(policy.Statement.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])));
}

/** The IAM action behind each call of the X-Ray API (the daemon's proxy makes the same calls). */
export const XRAY_API_ACTIONS: Readonly<Record<string, string>> = {
  '/TraceSegments': 'xray:PutTraceSegments',
  '/GetSamplingRules': 'xray:GetSamplingRules',
  '/SamplingTargets': 'xray:GetSamplingTargets',
};
