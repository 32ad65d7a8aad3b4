// `npm run test:compose`: the real docker-compose.yml, really up, driven through its published
// ports, then down. On a machine with no Docker engine and no reachable container registry:
//
//   - podman (Debian's 4.3) serves the Docker API on a private socket (`podman system service`),
//     and Debian's docker-compose 1.29 talks to it through DOCKER_HOST;
//   - the base image the Dockerfiles start FROM, node:24-bookworm-slim, is built here once
//     (debootstrap's Debian bookworm + the official Node 24 build and npm from the npm registry +
//     this machine's CA bundle) and kept in podman's storage for the next runs;
//   - the project's three Dockerfiles are built unchanged by `docker-compose up --build`;
//   - one test-only override (test/compose/docker-compose.e2e.yml) swaps DynamoDB Local's image
//     and Redis's, which cannot be pulled here, for dynalite and Debian's redis-server, built the
//     same way.
//
// Then: a new conversation is posted through the published API port with a trace header we chose;
// the request crosses backend → worker → backend; the trace viewer container must show that trace
// with both services and DynamoDB subsegments, and the backend's log must carry the trace id; the
// home feed read twice must come from Redis the second time (Redis subsegments, no DynamoDB).
// Everything is taken down at the end, whatever happened. Each phase prints its time.
//
// It needs root on Debian (apt-get installs the tools: scripts/ensure-test-tools.mjs) and skips
// itself with a message elsewhere, exiting 0. CRUDDUR_SKIP_COMPOSE=1 skips it too.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NODE_VERSIONS, nodeBinary, TARGET_MAJOR } from './node-versions.mjs';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const PROJECT = 'cruddur-e2e';
const BASE_IMAGE = `localhost/node:${TARGET_MAJOR}-bookworm-slim`;
const NODE_VERSION = NODE_VERSIONS[TARGET_MAJOR].version;
// The npm inside the base image: the one package.json's packageManager names.
const NPM_VERSION = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).packageManager.replace(/^npm@/, '');
const DYNALITE_IMAGE = 'localhost/cruddur-e2e-dynalite:4.0.0';
const REDIS_IMAGE = 'localhost/cruddur-e2e-redis:7.0';
const SOCKET_DIR = '/run/cruddur-e2e';
const SOCKET = `${SOCKET_DIR}/podman.sock`;
const COMPOSE_FILES = ['-f', 'docker-compose.yml', '-f', 'test/compose/docker-compose.e2e.yml'];
const API = 'http://127.0.0.1:4567';
const VIEWER = 'http://127.0.0.1:2001';
// The podman settings seen working on these machines (shared ENVIRONMENT notes): runc, because
// the default crun fails; ulimits, without which runc fails ("error setting rlimit type 7");
// cgroupfs, as there is no systemd; netavark, because with CNI service names do not resolve.
const CONTAINERS_CONF = `# Written by cruddur's scripts/compose-e2e.mjs (podman without systemd, Docker API for compose).
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
[network]
network_backend = "netavark"
`;

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s`;
const log = (line) => console.log(`[compose ${elapsed()}] ${line}`);

function skip(reason) {
  console.log(`docker compose end-to-end run skipped: ${reason}`);
  process.exit(0);
}

/** Runs a command to completion; its output streams unless `quiet` (then it is returned). */
function run(command, args, { quiet = false, env, input, cwd = repoRoot, allowFail = false } = {}) {
  try {
    const out = execFileSync(command, args, { cwd, env: env ?? process.env, input, encoding: 'utf8', stdio: [input === undefined ? 'ignore' : 'pipe', quiet ? 'pipe' : 'inherit', quiet ? 'pipe' : 'inherit'], maxBuffer: 64 * 2 ** 20 });
    return (out ?? '').trim();
  } catch (err) {
    if (allowFail) return undefined;
    throw new Error(`${command} ${args.join(' ')} failed: ${(err.stderr || err.message).toString().trim().split('\n').slice(-5).join('\n')}`);
  }
}

function onPath(command) {
  return run('sh', ['-c', `command -v ${command}`], { quiet: true, allowFail: true }) !== undefined;
}

// ---- preconditions: every one that fails is a skip with the reason, never a failure ----
if (process.env.CRUDDUR_SKIP_COMPOSE) skip('CRUDDUR_SKIP_COMPOSE is set');
if (process.platform !== 'linux' || process.getuid?.() !== 0 || !existsSync('/etc/debian_version')) {
  skip('it runs as root on Debian only (podman, debootstrap, /etc/containers); elsewhere use `docker compose up --build` (docs/docker.md)');
}
const missing = ['podman', 'runc', 'iptables', 'docker-compose', 'debootstrap'].filter((c) => !onPath(c));
if (!existsSync('/usr/lib/podman/netavark')) missing.push('netavark');
if (!existsSync('/usr/lib/podman/aardvark-dns')) missing.push('aardvark-dns');
if (missing.length > 0) skip(`${missing.join(', ')} not installed (node scripts/ensure-test-tools.mjs installs them as root)`);

// ---- podman configuration ----
function configurePodman() {
  const path = '/etc/containers/containers.conf';
  const current = existsSync(path) ? readFileSync(path, 'utf8') : '';
  if (current !== CONTAINERS_CONF) {
    if (current && !current.startsWith('# Written by cruddur')) writeFileSync(`${path}.before-cruddur`, current);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, CONTAINERS_CONF);
    log(`wrote ${path}`);
  }
  // Storage made under CNI keeps CNI: switching to netavark needs a reset (it drops every image).
  const backend = run('podman', ['info', '--format', '{{.Host.NetworkBackend}}'], { quiet: true });
  if (backend !== 'netavark') {
    log(`podman's network backend is ${backend}: podman system reset to switch to netavark`);
    run('podman', ['system', 'reset', '-f'], { quiet: true });
  }
}

const imageLabel = (image, label) => run('podman', ['image', 'inspect', '--format', `{{index .Config.Labels "${label}"}}`, image], { quiet: true, allowFail: true });

/** node:24-bookworm-slim, as close to the official image as the Dockerfiles need, built once. */
async function ensureBaseImage() {
  const want = `${NODE_VERSION} npm ${NPM_VERSION}`;
  if (imageLabel(BASE_IMAGE, 'org.cruddur.node') === want) {
    log(`base image ${BASE_IMAGE} (Node ${want}): cached`);
    return;
  }
  const t0 = Date.now();
  log(`building the base image ${BASE_IMAGE}: debootstrap bookworm + Node ${NODE_VERSION} + npm ${NPM_VERSION}`);
  const node = nodeBinary(TARGET_MAJOR);
  const root = mkdtempSync('/var/tmp/cruddur-rootfs-');
  const work = mkdtempSync('/var/tmp/cruddur-npm-');
  try {
    // The Debian mirror apt uses here; minbase is what a -slim image holds (no recommends, no docs).
    run('debootstrap', ['--variant=minbase', 'bookworm', root, 'http://deb.debian.org/debian'], { quiet: true });
    copyFileSync(node, join(root, 'usr/local/bin/node'));
    run('chmod', ['755', join(root, 'usr/local/bin/node')]);
    // npm as the official images carry it: in /usr/local/lib/node_modules, linked from /usr/local/bin.
    run('npm', ['pack', `npm@${NPM_VERSION}`, '--pack-destination', work, '--silent'], { quiet: true, cwd: work });
    const npmDir = join(root, 'usr/local/lib/node_modules/npm');
    mkdirSync(npmDir, { recursive: true });
    run('tar', ['-xzf', join(work, `npm-${NPM_VERSION}.tgz`), '-C', npmDir, '--strip-components=1']);
    symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', join(root, 'usr/local/bin/npm'));
    symlinkSync('../lib/node_modules/npm/bin/npx-cli.js', join(root, 'usr/local/bin/npx'));
    // The CAs this machine trusts (a TLS-intercepting proxy sits between it and the registry):
    // without them, npm and fetch inside the containers fail with SELF_SIGNED_CERT_IN_CHAIN.
    mkdirSync(join(root, 'etc/ssl/certs'), { recursive: true });
    copyFileSync('/etc/ssl/certs/ca-certificates.crt', join(root, 'etc/ssl/certs/ca-certificates.crt'));
    // The official images' unprivileged user, which the Dockerfiles' USER node names.
    run('chroot', [root, 'groupadd', '--gid', '1000', 'node'], { quiet: true });
    run('chroot', [root, 'useradd', '--uid', '1000', '--gid', 'node', '--shell', '/bin/bash', '--create-home', 'node'], { quiet: true });
    rmSync(join(root, 'var/cache/apt/archives'), { recursive: true, force: true });
    rmSync(join(root, 'var/lib/apt/lists'), { recursive: true, force: true });
    mkdirSync(join(root, 'var/lib/apt/lists/partial'), { recursive: true });
    const tar = spawn('tar', ['-C', root, '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const changes = [
      `ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
      `ENV NODE_VERSION=${NODE_VERSION}`,
      'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt',
      `LABEL org.cruddur.node="${want}"`,
      'CMD ["node"]',
    ].flatMap((c) => ['--change', c]);
    const imp = spawn('podman', ['import', ...changes, '-', BASE_IMAGE], { stdio: ['pipe', 'ignore', 'inherit'] });
    tar.stdout.pipe(imp.stdin);
    const code = await new Promise((resolve) => imp.on('exit', resolve));
    if (code !== 0) throw new Error(`podman import exited ${code}`);
    log(`base image built in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  } finally {
    rmSync(root, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
}

/** A test-only stand-in for an image no registry serves here (DynamoDB Local, Redis), built on the base image once. */
function ensureStandInImage(image, dockerfile) {
  if (run('podman', ['image', 'exists', image], { quiet: true, allowFail: true }) !== undefined) {
    log(`stand-in image ${image}: cached`);
    return;
  }
  log(`building ${image}`);
  run('podman', ['build', '--quiet', '-t', image, '-f', dockerfile, 'test/compose']);
}

// ---- the Docker API: podman system service on a private socket ----
function ping() {
  return new Promise((resolve) => {
    const req = request({ socketPath: SOCKET, path: '/_ping', timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

async function startApi() {
  mkdirSync(SOCKET_DIR, { recursive: true });
  rmSync(SOCKET, { force: true });
  const service = spawn('podman', ['system', 'service', '--time=0', `unix://${SOCKET}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  service.stderr.on('data', (d) => (stderr += d));
  for (let i = 0; i < 100; i++) {
    if (await ping()) return service;
    if (service.exitCode !== null) break;
    await sleep(100);
  }
  service.kill();
  throw new Error(`podman system service did not answer on ${SOCKET}: ${stderr.trim()}`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function compose(args, options = {}) {
  const env = { ...process.env, DOCKER_HOST: `unix://${SOCKET}`, COMPOSE_DOCKER_CLI_BUILD: '0', DOCKER_BUILDKIT: '0' };
  return run('docker-compose', ['-p', PROJECT, ...COMPOSE_FILES, ...args], { env, ...options });
}

function composeAsync(args) {
  const env = { ...process.env, DOCKER_HOST: `unix://${SOCKET}`, COMPOSE_DOCKER_CLI_BUILD: '0', DOCKER_BUILDKIT: '0' };
  const child = spawn('docker-compose', ['-p', PROJECT, ...COMPOSE_FILES, ...args], { cwd: repoRoot, env, stdio: ['ignore', 'inherit', 'inherit'] });
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

function projectContainers(all = false) {
  const out = run('podman', ['ps', ...(all ? ['-a'] : []), '--filter', `label=com.docker.compose.project=${PROJECT}`, '--format', '{{.Names}}'], { quiet: true });
  return out ? out.split('\n') : [];
}

/**
 * podman without systemd never runs HEALTHCHECKs on its own (it schedules them with systemd
 * timers), so compose's `service_healthy` would wait forever: run them ourselves while `up` waits.
 */
function runHealthChecks() {
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      for (const name of projectContainers()) {
        run('podman', ['healthcheck', 'run', name], { quiet: true, allowFail: true });
      }
      await sleep(2000);
    }
  })();
  return async () => {
    stopped = true;
    await loop;
  };
}

async function fetchJson(url, init = {}) {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, body };
}

let checksPassed = 0;
function check(condition, message) {
  if (!condition) throw new Error(message);
  checksPassed++;
  log(`✔ ${message}`);
}

function walk(nodes, visit) {
  for (const node of nodes) {
    visit(node);
    walk(node.children ?? [], visit);
  }
}

/** The trace as the viewer's API shows it once finished (after a quiet period): polled on port 2001. */
async function finishedTrace(traceId) {
  let trace;
  for (let i = 0; i < 60; i++) {
    const got = await fetchJson(`${VIEWER}/api/traces/${traceId}`);
    if (got.status === 200 && got.body.finished) {
      trace = got.body;
      break;
    }
    await sleep(500);
  }
  check(trace !== undefined, `the trace viewer container shows trace ${traceId} (finished)`);
  return trace;
}

async function exercise() {
  // `up -d` returns once the backend's container has started, not once it listens.
  let health;
  for (let i = 0; i < 60 && health?.status !== 200; i++) {
    health = await fetchJson(`${API}/api/health-check`).catch((err) => ({ status: String(err.cause?.code ?? err.message) }));
    if (health.status !== 200) await sleep(500);
  }
  check(health.status === 200, `the backend answers on the published port 4567 (${health.status})`);
  const viewer = await fetchJson(`${VIEWER}/api/stats`);
  check(viewer.status === 200, `the trace viewer answers on the published port 2001 (${viewer.status})`);

  // Our own sampled trace id: the request is traced whatever the sampling rules say, and we know
  // which trace to look for.
  const traceId = `1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
  const posted = await fetchJson(`${API}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-cruddur-user': 'andrewbrown', 'x-amzn-trace-id': `Root=${traceId};Sampled=1` },
    body: JSON.stringify({ handle: 'garek', message: `compose end-to-end ${new Date().toISOString()}` }),
  });
  check(posted.status === 200 && typeof posted.body?.message_group_uuid === 'string', `POST /api/messages (new conversation) answered 200 with a message group: ${JSON.stringify(posted.body)}`);

  const trace = await finishedTrace(traceId);
  check(trace.services.includes('cruddur-backend') && trace.services.includes('cruddur-worker'), `the trace has both services: ${trace.services.join(', ')}`);
  const segments = [];
  const dynamo = [];
  walk(trace.roots, (n) => {
    if (n.kind === 'segment') segments.push(n.service ?? n.name);
    if (n.namespace === 'aws' && /dynamodb/i.test(n.name)) dynamo.push(n.operation);
  });
  // backend (the POST) → worker (notification) → backend (GET /api/users/@…/short): two backend segments.
  check(segments.filter((s) => s === 'cruddur-backend').length >= 2 && segments.includes('cruddur-worker'), `the message crossed backend → worker → backend (segments: ${segments.join(' → ')})`);
  check(dynamo.length > 0, `DynamoDB subsegments were recorded: ${[...new Set(dynamo)].join(', ')}`);

  const logs = compose(['logs', '--no-color', 'cruddur-backend'], { quiet: true });
  check(logs.includes(traceId), `the backend's log lines carry the trace id (${logs.split('\n').filter((l) => l.includes(traceId)).length} lines)`);

  // The home feed, read twice with our own trace ids: the second read comes from Redis.
  const reads = [];
  for (let i = 0; i < 2; i++) {
    const id = `1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
    const feed = await fetchJson(`${API}/api/activities/home`, { headers: { 'x-amzn-trace-id': `Root=${id};Sampled=1` } });
    check(feed.status === 200 && Array.isArray(feed.body) && feed.body.length > 0, `GET /api/activities/home #${i + 1} answered 200 with activities`);
    reads.push(id);
  }
  const cached = await finishedTrace(reads[1]);
  const redisCalls = [];
  const dynamoCalls = [];
  walk(cached.roots, (n) => {
    if (n.namespace === 'remote' && /^redis@/.test(n.name)) redisCalls.push(n.name);
    if (n.namespace === 'aws' && /dynamodb/i.test(n.name)) dynamoCalls.push(n.operation);
  });
  check(redisCalls.length > 0 && dynamoCalls.length === 0, `the second read came from Redis (${redisCalls.join(', ')}), without DynamoDB (${dynamoCalls.join(', ') || 'none'})`);
}

// ---- the run ----
let api;
let stopHealthChecks;
let ok = false;
try {
  configurePodman();
  await ensureBaseImage();
  ensureStandInImage(DYNALITE_IMAGE, 'test/compose/dynalite.Dockerfile');
  ensureStandInImage(REDIS_IMAGE, 'test/compose/redis.Dockerfile');
  api = await startApi();
  log(`podman serves the Docker API on ${SOCKET}`);
  // A previous run killed half-way may have left its containers: start clean.
  if (projectContainers(true).length > 0) compose(['down', '--volumes', '--remove-orphans'], { quiet: true, allowFail: true });
  log('docker-compose up -d --build (the project\'s Dockerfiles, the real docker-compose.yml + the test override)');
  stopHealthChecks = runHealthChecks();
  const upStarted = Date.now();
  const code = await Promise.race([composeAsync(['up', '-d', '--build']), sleep(20 * 60_000).then(() => 'timeout')]);
  if (code !== 0) throw new Error(`docker-compose up ${code === 'timeout' ? 'did not finish within 20 min' : `exited ${code}`}`);
  log(`stack up in ${((Date.now() - upStarted) / 1000).toFixed(0)} s: ${projectContainers().join(', ')}`);
  await exercise();
  ok = true;
} catch (err) {
  console.error(`\n✖ compose end-to-end: ${err.message}`);
  if (api) {
    console.error('--- the services\' last log lines ---');
    compose(['logs', '--no-color', '--tail=30'], { allowFail: true });
  }
} finally {
  await stopHealthChecks?.();
  if (api) {
    log('docker-compose down');
    compose(['down', '--volumes', '--remove-orphans'], { quiet: true, allowFail: true });
    const label = `label=com.docker.compose.project=${PROJECT}`;
    const left = [
      ...projectContainers(true),
      ...(run('podman', ['volume', 'ls', '--filter', label, '--format', 'volume {{.Name}}'], { quiet: true, allowFail: true }) || '').split('\n'),
      ...(run('podman', ['network', 'ls', '--filter', label, '--format', 'network {{.Name}}'], { quiet: true, allowFail: true }) || '').split('\n'),
    ].filter(Boolean);
    if (left.length > 0) {
      console.error(`✖ left after down: ${left.join(', ')}`);
      ok = false;
    } else log('nothing left: no container, volume or network of the project');
    api.kill();
  }
}
log(ok ? 'passed' : 'FAILED');
// The lines the test command sums (node:test's format).
console.log(`ℹ pass ${checksPassed}\nℹ fail ${ok ? 0 : 1}`);
process.exit(ok ? 0 : 1);
