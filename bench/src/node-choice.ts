// Which Node the benchmark measures. Node 24 by default (the Node of the images, and the one users
// should run: Express costs several times less CPU per request on it than on Node 20), or
// `--node=22`, `--node=current` (the Node that started npm), `--node=/path/to/node`; the
// CRUDDUR_BENCH_NODE environment variable takes the same values.
//
// Imported first by run.ts: when the running Node is not the chosen one, it runs the same command
// again under the chosen binary and exits with its status, before any other module loads. The
// orchestrator, autocannon and every server it spawns (process.execPath) then share that Node.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const DEFAULT = '24';

/** How the Node was chosen, for the report: e.g. "--node=24 (the default)". */
export function nodeChoice(): string {
  return process.env.CRUDDUR_BENCH_NODE_CHOSEN ?? 'the running Node';
}

function requested(): { value: string; how: string } {
  const flag = process.argv.find((a) => a.startsWith('--node='))?.slice('--node='.length);
  if (flag) return { value: flag, how: `--node=${flag}` };
  if (process.env.CRUDDUR_BENCH_NODE) return { value: process.env.CRUDDUR_BENCH_NODE, how: `CRUDDUR_BENCH_NODE=${process.env.CRUDDUR_BENCH_NODE}` };
  return { value: DEFAULT, how: `--node=${DEFAULT} (the default)` };
}

function binaryFor(value: string): string {
  if (value === 'current') return process.execPath;
  if (value.includes('/')) return value;
  if (!/^\d+$/.test(value)) throw new Error(`--node: expected a major version (24, 22), "current" or a path, got ${value}`);
  // The cached official build (fetched once from the npm registry): scripts/node-versions.mjs.
  const script = fileURLToPath(new URL('../../scripts/node-versions.mjs', import.meta.url));
  const result = spawnSync(process.execPath, [script, value], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (result.status !== 0) throw new Error(`cannot get Node ${value} (see above); --node=current runs on ${process.version}`);
  return result.stdout.trim();
}

if (process.env.CRUDDUR_BENCH_NODE_CHOSEN === undefined) {
  const { value, how } = requested();
  let binary: string;
  try {
    binary = binaryFor(value);
  } catch (err) {
    process.stderr.write(`@cruddur/bench: ${(err as Error).message}\n`);
    process.exit(2);
  }
  if (binary === process.execPath) {
    process.env.CRUDDUR_BENCH_NODE_CHOSEN = how;
  } else {
    const result = spawnSync(binary, [...process.execArgv, ...process.argv.slice(1)], {
      stdio: 'inherit',
      env: { ...process.env, CRUDDUR_BENCH_NODE_CHOSEN: `${how}; started from ${process.version}` },
    });
    if (result.error) throw new Error(`cannot run ${binary}: ${result.error.message}`);
    process.exit(result.status ?? 1);
  }
}
