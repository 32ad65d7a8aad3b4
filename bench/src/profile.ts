// `npm run bench:profile -w @cruddur/bench -- --framework=express --variant=ours --route=hello --seconds=20`
// Runs one server under load with `node --cpu-prof`, then prints (and writes next to the profile)
// the top self-time functions, those of @cruddur/middleware, and what its code spends time in.
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pinSelf } from './child.js';
import { HELPER_CORE, startInfra, startServer, stopInfra } from './infra.js';
import { load } from './load.js';
import { FRAMEWORKS, ROUTES, VARIANTS, type Framework, type RouteId, type VariantId } from './protocol.js';
import { renderProfileSummary, summariseProfile } from './profile-summary.js';

function pick<T extends string>(name: string, all: readonly T[], fallback: T): T {
  const value = process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
  if (!all.includes(value as T)) throw new Error(`--${name}: unknown value ${value} (expected ${all.join(', ')})`);
  return value as T;
}

const framework: Framework = pick('framework', FRAMEWORKS, 'express');
const variant: VariantId = pick('variant', VARIANTS, 'ours');
const route: RouteId = pick('route', ROUTES, 'hello');
const seconds = Number(process.argv.find((a) => a.startsWith('--seconds='))?.slice('--seconds='.length) ?? 20);
const connections = 10;

const name = `${framework}-${variant}-${route}`;
// One directory per run: under tsx every thread (the module loader's too) writes its own profile.
const dir = fileURLToPath(new URL(`../results/profiles/${name}/`, import.meta.url));
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });

pinSelf(HELPER_CORE);
const infra = await startInfra();
try {
  const { server } = await startServer(infra, framework, variant, {}, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
  const url = `http://127.0.0.1:${server.ready.port}/${route}`;
  process.stdout.write(`profiling ${name}: 3 s warm-up, ${seconds} s under load\n`);
  await load({ url, connections, seconds: 3 });
  const result = await load({ url, connections, seconds });
  process.stdout.write(`${Math.round(result.requestsPerSecond)} req/s, p99 ${result.p99} ms\n`);
  await server.stop(30_000); // the profile is written as the server exits
} finally {
  await stopInfra(infra);
}

// The main thread's profile is the largest one.
const profiles = readdirSync(dir)
  .filter((f) => f.endsWith('.cpuprofile'))
  .map((f) => `${dir}${f}`)
  .sort((a, b) => statSync(b).size - statSync(a).size);
const file = profiles[0];
if (file === undefined) throw new Error(`no profile written in ${dir}`);
const summary = renderProfileSummary(summariseProfile(file), `CPU profile: ${framework}, ${variant}, ${route} (${file.replace(fileURLToPath(new URL('../../', import.meta.url)), '')})`);
writeFileSync(`${dir}summary.md`, summary);
process.stdout.write(`\n${summary}`);
