// docker-compose.yml and the Dockerfiles it builds, checked without a Docker engine: the file
// validates with docker-compose, every build path exists, and every Dockerfile installs and
// builds with the commands CI runs, so neither can drift from the repository silently.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, test } from 'node:test';
import {
  execForm,
  npmRuns,
  onPath,
  readCompose,
  readDockerfile,
  repoRoot,
  run,
  stageEnv,
  workspaces,
  type ComposeService,
  type Stage,
} from './deploy-support.js';

const compose = readCompose();
const services = compose.services;
const builds = Object.entries(services).flatMap(([name, service]) => {
  if (!service.build) return [];
  const build = typeof service.build === 'string' ? { context: service.build } : service.build;
  return [{ service: name, context: build.context, dockerfile: join(build.context, build.dockerfile ?? 'Dockerfile') }];
});
const dockerfiles = [...new Set(builds.map((b) => b.dockerfile))];
const rootPackage = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { packageManager: string };
const all = workspaces();
// One Node version for the images, the bundles and the apps' tests: the esbuild target in
// scripts/bundle-app.mjs, which must be the major the tests pin (scripts/node-versions.mjs).
const targetMajor = Number(/target: 'node(\d+)'/.exec(readFileSync(join(repoRoot, 'scripts/bundle-app.mjs'), 'utf8'))?.[1]);

void test('the bundles, the images and the apps\' tests target one Node major', async () => {
  const { TARGET_MAJOR } = (await import(pathToFileURL(join(repoRoot, 'scripts/node-versions.mjs')).href)) as { TARGET_MAJOR: number };
  assert.equal(targetMajor, TARGET_MAJOR, 'bundle-app.mjs target vs node-versions.mjs TARGET_MAJOR');
  assert.equal(Number(process.versions.node.split('.')[0]), TARGET_MAJOR, 'the apps\' tests run on the images\' Node (scripts/with-node.mjs)');
});

void describe('docker-compose.yml', () => {
  void test('docker-compose config -q accepts it, with and without the aws profile', async (t) => {
    if (!(await onPath('docker-compose'))) {
      t.skip('docker-compose not installed (root + apt: node scripts/ensure-test-tools.mjs, or apt-get install -y docker-compose)');
      return;
    }
    const env = { ...process.env, COMPOSE_PROJECT_NAME: 'cruddur-config-check' };
    const [plain, listed] = await Promise.all([
      run('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q'], { cwd: repoRoot, env }),
      run('docker-compose', ['-f', 'docker-compose.yml', '--profile', 'aws', 'config', '--services'], { cwd: repoRoot, env }),
    ]);
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(listed.code, 0, listed.stderr);
    // The same services docker-compose sees, so the checks below read the file correctly.
    assert.deepEqual(listed.stdout.trim().split('\n').sort(), Object.keys(services).sort());
  });

  void test('services: the apps, DynamoDB Local in memory, the one-shot setup, the viewer; the daemon only with --profile aws', () => {
    for (const name of ['cruddur-backend', 'worker', 'dynamodb-local', 'ddb-setup', 'trace-viewer', 'xray-daemon']) assert.ok(services[name], `service ${name}`);
    const daemon = services['xray-daemon']!;
    assert.deepEqual(daemon.profiles, ['aws']);
    assert.equal(daemon.image, 'amazon/aws-xray-daemon');
    assert.ok((daemon.command as string[]).includes('-o'), 'the daemon runs in local mode');
    for (const name of ['AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) {
      assert.match(daemon.environment?.[name] ?? '', new RegExp(`^\\$\\{${name}`), `the daemon takes ${name} from the environment`);
    }
    for (const [name, service] of Object.entries(services)) {
      if (name !== 'xray-daemon') assert.equal(service.profiles, undefined, `${name} runs by default`);
    }
    assert.ok((services['dynamodb-local']!.command as string[]).includes('-inMemory'));
    const setupDeps = services['cruddur-backend']!.depends_on as Record<string, { condition: string }>;
    assert.equal(setupDeps['ddb-setup']?.condition, 'service_completed_successfully');
  });

  void test('the apps get a DynamoDB-only endpoint, never AWS_ENDPOINT_URL (the SDK would send CloudWatch Logs and X-Ray there)', () => {
    for (const name of ['cruddur-backend', 'worker', 'ddb-setup']) {
      const env = services[name]!.environment ?? {};
      assert.equal(env.AWS_ENDPOINT_URL_DYNAMODB, 'http://dynamodb-local:8000', name);
      assert.equal(env.AWS_ENDPOINT_URL, undefined, name);
      assert.match(env.AWS_XRAY_DAEMON_ADDRESS ?? '', /trace-viewer:2000/, `${name} sends segments to the viewer by default`);
    }
  });

  void test('every build context and Dockerfile exists', () => {
    assert.ok(builds.length >= 4);
    for (const b of builds) {
      assert.ok(existsSync(join(repoRoot, b.context)), `${b.service}: build context ${b.context} missing`);
      assert.ok(existsSync(join(repoRoot, b.dockerfile)), `${b.service}: ${b.dockerfile} missing`);
    }
    for (const file of ['apps/cruddur-backend/Dockerfile', 'apps/worker/Dockerfile', 'packages/trace-viewer/Dockerfile']) assert.ok(dockerfiles.includes(file), file);
  });

  void test('services built from one Dockerfile share one named image, so it is built once', () => {
    const byDockerfile = new Map<string, typeof builds>();
    for (const b of builds) byDockerfile.set(b.dockerfile, [...(byDockerfile.get(b.dockerfile) ?? []), b]);
    for (const [dockerfile, users] of byDockerfile) {
      if (users.length < 2) continue;
      const images = new Set(users.map((b) => services[b.service]!.image));
      assert.equal(images.size, 1, `${dockerfile}: ${users.map((b) => `${b.service} → ${services[b.service]!.image}`).join(', ')}`);
      assert.ok([...images][0], `${dockerfile}: name the image (image:) of ${users.map((b) => b.service).join(', ')}`);
    }
  });

  void test('every port a service publishes or exposes is one its image EXPOSEs', () => {
    for (const b of builds) {
      const exposed = exposes(readDockerfile(join(repoRoot, b.dockerfile)).at(-1)!);
      const service: ComposeService = services[b.service]!;
      const wanted = [...(service.ports ?? []).map((p) => p.split(':').at(-1)!), ...(service.expose ?? [])];
      for (const port of wanted) assert.ok(exposed.has(port.replace(/\/tcp$/, '')), `${b.service}: ${port} is not EXPOSEd by ${b.dockerfile}`);
    }
  });
});

for (const dockerfile of dockerfiles) {
  void describe(dockerfile, () => {
    const stages = readDockerfile(join(repoRoot, dockerfile));
    const build = stages[0]!;
    const runtime = stages.at(-1)!;
    const runs = build.instructions.filter((i) => i.keyword === 'RUN');
    const ciLine = runs.find((r) => /^npm ci(\s|$)/.test(r.args))?.line;

    void test(`multi-stage: a named node:${targetMajor}-bookworm-slim build stage and a separate runtime stage`, () => {
      assert.ok(stages.length >= 2);
      assert.equal(build.from, `node:${targetMajor}-bookworm-slim`);
      assert.ok(build.name, 'the build stage is named');
      assert.equal(runtime.from, `node:${targetMajor}-bookworm-slim`, `the runtime runs the Node version the bundles target (node${targetMajor})`);
    });

    void test('installs like CI: the packageManager npm, every workspace manifest, then npm ci', () => {
      const npmVersion = rootPackage.packageManager.replace(/^npm@/, '');
      assert.ok(runs.some((r) => r.args === `npm install -g npm@${npmVersion}`), `npm ${npmVersion} (package.json packageManager)`);
      assert.ok(ciLine, 'RUN npm ci');
      const copied = copiesBefore(build, ciLine);
      for (const file of ['package.json', 'package-lock.json', '.npmrc']) assert.ok(copied.has(file), `${file} copied before npm ci`);
      for (const ws of all) assert.ok(copied.has(`${ws.dir}/package.json`), `${ws.dir}/package.json copied before npm ci (npm ci needs every workspace)`);
    });

    void test('builds with the workspaces\' own scripts, after npm ci, from copied sources', () => {
      const calls = npmRuns(build);
      assert.ok(calls.length > 0, 'no npm run <script> -w <workspace>');
      for (const call of calls) {
        const ws = all.find((w) => w.name === call.workspace);
        assert.ok(ws, `line ${call.line}: no workspace ${call.workspace}`);
        assert.ok(ws.scripts[call.script], `line ${call.line}: ${call.workspace} has no "${call.script}" script`);
        assert.ok(call.line > ciLine!, `line ${call.line}: runs before npm ci`);
        assert.ok(copiesBefore(build, call.line).has(ws.dir), `line ${call.line}: ${ws.dir}/ is not copied before it`);
        if (call.script === 'bundle') {
          // Every workspace package the app bundles is built first (esbuild reads their dist/).
          for (const dep of Object.keys(ws.dependencies)) {
            const depWs = all.find((w) => w.name === dep);
            if (!depWs?.scripts.build) continue;
            assert.ok(calls.some((c) => c.script === 'build' && c.workspace === dep && c.line < call.line), `${dep} built before the bundle`);
          }
        }
      }
    });

    void test('runtime stage: production, non-root, EXPOSE, a node health check, no npm', () => {
      assert.equal(stageEnv(runtime).NODE_ENV, 'production');
      const user = runtime.instructions.filter((i) => i.keyword === 'USER').at(-1);
      assert.ok(user && !/^(root|0)(:|$)/.test(user.args), 'USER: a non-root user');
      assert.ok(exposes(runtime).size > 0, 'EXPOSE');
      const healthcheck = runtime.instructions.find((i) => i.keyword === 'HEALTHCHECK');
      assert.ok(healthcheck, 'HEALTHCHECK');
      const [command, flag, script] = execForm(healthcheck.args);
      assert.deepEqual([command, flag], ['node', '-e']);
      assert.match(script ?? '', /fetch\('http:\/\/127\.0\.0\.1:/);
      assert.ok(!runtime.instructions.some((i) => i.keyword === 'RUN' && /\bnpm\b/.test(i.args)), 'no npm in the runtime stage');
      assert.ok(runtime.instructions.some((i) => i.keyword === 'COPY' && i.args.startsWith(`--from=${build.name} `)));
    });
  });
}

void test('trace viewer image: its CLI on 0.0.0.0, UDP 2000 and HTTP 2001, with flags the CLI knows', () => {
  const runtime = readDockerfile(join(repoRoot, 'packages/trace-viewer/Dockerfile')).at(-1)!;
  const cmd = execForm(runtime.instructions.find((i) => i.keyword === 'CMD')!.args);
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'packages/trace-viewer/package.json'), 'utf8')) as { bin: Record<string, string> };
  assert.deepEqual(cmd.slice(0, 2), ['node', Object.values(pkg.bin)[0]!.replace(/^\.\//, '')]);
  const flags = Object.fromEntries(cmd.slice(2).reduce<[string, string][]>((acc, a, i, arr) => (i % 2 === 0 ? [...acc, [a, arr[i + 1]!]] : acc), []));
  assert.deepEqual(flags, { '--host': '0.0.0.0', '--udp-port': '2000', '--http-port': '2001' });
  const args = readFileSync(join(repoRoot, 'packages/trace-viewer/src/args.ts'), 'utf8');
  for (const flag of Object.keys(flags)) assert.ok(args.includes(`'${flag}'`), `the CLI does not know ${flag}`);
  // 4318: the viewer's OTLP/HTTP receiver (its default --otlp-port).
  assert.deepEqual([...exposes(runtime)].sort(), ['2000/udp', '2001', '4318']);
  // The CLI reads ../package.json and ../public/ from dist/: the image keeps that layout.
  const copies = runtime.instructions.filter((i) => i.keyword === 'COPY').map((i) => i.args);
  for (const part of ['package.json ./', 'dist/ ./dist/', 'public/ ./public/']) assert.ok(copies.some((c) => c.endsWith(part)), `COPY ... ${part}`);
});

/** Source paths (as written, no trailing /) that COPY lines of `stage` bring in from the context before `line`. */
function copiesBefore(stage: Stage, line: number): Set<string> {
  const copied = new Set<string>();
  for (const i of stage.instructions) {
    if (i.keyword !== 'COPY' || i.line >= line || i.args.startsWith('--from=')) continue;
    const parts = i.args.split(/\s+/).filter((p) => !p.startsWith('--'));
    for (const src of parts.slice(0, -1)) copied.add(src.replace(/\/$/, ''));
  }
  return copied;
}

function exposes(stage: Stage): Set<string> {
  return new Set(stage.instructions.filter((i) => i.keyword === 'EXPOSE').flatMap((i) => i.args.split(/\s+/)));
}

void test('the backend → worker calls carry a shared secret that compose generates (none in the file)', () => {
  const job = services['internal-token'];
  assert.ok(job, 'a one-shot job writes the secret');
  assert.ok((job.command as string[]).join(' ').includes('randomBytes'), 'the secret is random');
  for (const name of ['cruddur-backend', 'worker']) {
    const service = services[name]!;
    assert.equal(service.environment?.CRUDDUR_INTERNAL_TOKEN_FILE, '/run/cruddur-internal/token', name);
    assert.equal(service.environment?.CRUDDUR_INTERNAL_TOKEN, undefined, `${name}: no secret in the file`);
    assert.equal((service.depends_on as Record<string, { condition: string }>)['internal-token']?.condition, 'service_completed_successfully', name);
  }
  // The worker listens on the loopback by default; on the compose network it must say otherwise.
  assert.equal(services.worker!.environment?.HOST, '0.0.0.0');
});

void test('the backend caches its home feed in the redis service, which it does not need to start', () => {
  const redis = services.redis;
  assert.ok(redis, 'a redis service');
  assert.match(redis.image ?? '', /^redis:7\.0-/, 'the Redis of Debian bookworm (7.0), which the compose end-to-end stand-in installs');
  assert.deepEqual(redis.expose, ['6379'], 'compose network only');
  assert.equal(redis.ports, undefined, 'not published: it has no password');
  const backend = services['cruddur-backend']!;
  assert.equal(backend.environment?.CRUDDUR_REDIS_URL, 'redis://redis:6379');
  assert.equal((backend.depends_on as Record<string, { condition: string }>).redis?.condition, 'service_started');
});
