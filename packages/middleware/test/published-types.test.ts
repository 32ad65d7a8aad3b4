// The published declarations, type-checked as a user's compiler sees them: the packed tarball is
// installed into a project outside the workspace with TypeScript and @types/node only, and
// `skipLibCheck: false`. Each subpath is checked when only its own peers are installed (an
// optional peer you do not use must not break the types of one you import), from ESM and CJS under
// node16/nodenext resolution, and from ESM under bundler resolution. Then, with every peer
// installed, the SDK's and the frameworks' own types must fit what the package asks for.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { createOutsideProject, installPackages, packTarball } from '../../../scripts/pack-tarball.mjs';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const REPO = fileURLToPath(new URL('../../..', import.meta.url));
// No Node version changes what is packed: the other Nodes of the matrix (node-matrix.mjs) leave it out.
const ONCE_PER_RUN = process.env.CRUDDUR_NODE_MATRIX_RUN ? 'no Node version changes the tarball: checked once, in the main run' : false;
const NAME = '@cruddur/middleware';

/** `name@version` as the workspace has it installed (an alias as `alias@npm:name@version`), so npm's cache already holds it. */
function workspaceSpec(name: string): string {
  for (const root of [PACKAGE_DIR, REPO]) {
    const manifest = join(root, 'node_modules', name, 'package.json');
    if (!existsSync(manifest)) continue;
    const { name: real, version } = JSON.parse(readFileSync(manifest, 'utf8')) as { name: string; version: string };
    return real === name ? `${name}@${version}` : `${name}@npm:${real}@${version}`;
  }
  throw new Error(`${name} is not installed in the workspace`);
}

// Subpaths in the order their peers arrive; each is checked before the next stage's peers exist.
const STAGES: Array<{ peers: string[]; subpaths: string[] }> = [
  { peers: [], subpaths: ['.', './http', './aws', './metrics', './testing'] },
  { peers: ['winston'], subpaths: ['./logger'] },
  { peers: ['rollbar'], subpaths: ['./rollbar'] },
  { peers: ['express', '@types/express'], subpaths: ['./express'] },
  { peers: ['fastify'], subpaths: ['./fastify'] },
  { peers: ['@opentelemetry/api'], subpaths: ['./otel'] },
];

const COMPILER_OPTIONS = { strict: true, skipLibCheck: false, noEmit: true, target: 'ES2022', lib: ['ES2023'], types: ['node'] };
const RESOLUTIONS = {
  nodenext: { module: 'nodenext', moduleResolution: 'nodenext' },
  bundler: { module: 'esnext', moduleResolution: 'bundler' },
} as const;

/** Type-checks `files` in the project with its own TypeScript; returns tsc's report. */
function typeCheck(project: string, name: string, resolution: keyof typeof RESOLUTIONS, files: string[]): { status: number | null; output: string } {
  const config = `tsconfig.${name}.${resolution}.json`;
  writeFileSync(join(project, config), JSON.stringify({ compilerOptions: { ...COMPILER_OPTIONS, ...RESOLUTIONS[resolution] }, files }, null, 2));
  const run = spawnSync(process.execPath, [join(project, 'node_modules/typescript/bin/tsc'), '-p', config], { cwd: project, encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

function specifier(subpath: string): string {
  return subpath === '.' ? NAME : `${NAME}/${subpath.slice(2)}`;
}

test('the published types check with skipLibCheck off, each subpath with only its own peers installed', { timeout: 600_000, skip: ONCE_PER_RUN }, async (t) => {
  const exported = Object.keys((JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8')) as { exports: Record<string, unknown> }).exports).filter((key) => key !== './package.json');
  assert.deepEqual(STAGES.flatMap((s) => s.subpaths).sort(), exported.sort(), 'every subpath of "exports" is checked in a stage');

  const { tarball } = packTarball(PACKAGE_DIR);
  const project = createOutsideProject({ type: 'module' });
  installPackages(project, [tarball, workspaceSpec('typescript'), workspaceSpec('@types/node')]);

  for (const [index, stage] of STAGES.entries()) {
    if (stage.peers.length > 0) installPackages(project, stage.peers.map((peer) => workspaceSpec(peer)));
    const esm = `stage${index}.ts`;
    const cjs = `stage${index}.cts`;
    writeFileSync(join(project, esm), `${stage.subpaths.map((s, i) => `import * as m${i} from '${specifier(s)}';`).join('\n')}\nexport const modules = [${stage.subpaths.map((_, i) => `m${i}`).join(', ')}];\n`);
    writeFileSync(join(project, cjs), `${stage.subpaths.map((s, i) => `import m${i} = require('${specifier(s)}');`).join('\n')}\nexport = [${stage.subpaths.map((_, i) => `m${i}`).join(', ')}];\n`);
    const installed = stage.peers.length > 0 ? `with ${stage.peers.join(', ')}` : 'no peer installed';
    // ESM and CJS as two programs, as two users' projects: one program loading both builds'
    // declarations meets two `Segment` classes in the Express and Fastify request augmentations
    // (TS2717), the type-level face of the dual-package hazard.
    await t.test(`${stage.subpaths.join(', ')} (${installed}): node16/nodenext, ESM`, () => {
      const { status, output } = typeCheck(project, `stage${index}-esm`, 'nodenext', [esm]);
      assert.equal(status, 0, output);
    });
    await t.test(`${stage.subpaths.join(', ')} (${installed}): node16/nodenext, CJS`, () => {
      const { status, output } = typeCheck(project, `stage${index}-cjs`, 'nodenext', [cjs]);
      assert.equal(status, 0, output);
    });
  }

  // Bundler resolution reads the same "import" declarations: one program for every subpath.
  await t.test('every subpath: bundler resolution', () => {
    const { status, output } = typeCheck(project, 'all', 'bundler', STAGES.map((_, index) => `stage${index}.ts`));
    assert.equal(status, 0, output);
  });

  // The package's own shapes (AWS clients, Express and Fastify requests) are written structurally;
  // the real clients and frameworks, Fastify 4 included, must fit them.
  installPackages(project, [workspaceSpec('@aws-sdk/client-xray'), workspaceSpec('@aws-sdk/client-cloudwatch-logs'), workspaceSpec('fastify4')]);
  writeFileSync(join(project, 'fit.ts'), FIT_SOURCE);
  await t.test("the SDK's clients, Express and Fastify 4 and 5 fit the package's options", () => {
    const { status, output } = typeCheck(project, 'fit', 'nodenext', ['fit.ts']);
    assert.equal(status, 0, output);
  });
});

const FIT_SOURCE = `
import { XRayClient, type XRayClientConfig } from '@aws-sdk/client-xray';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import express, { type Request } from 'express';
import Fastify, { type FastifyRequest } from 'fastify';
import Fastify4 from 'fastify4';
import { DirectXRayEmitter } from '@cruddur/middleware/aws';
import { createLogger, CloudWatchLogsTransport } from '@cruddur/middleware/logger';
import { createErrorReporter, rollbarErrorHandler, rollbarFastify } from '@cruddur/middleware/rollbar';
import { xray, xrayErrorHandler } from '@cruddur/middleware/express';
import { xray as xrayFastify } from '@cruddur/middleware/fastify';

declare const config: XRayClientConfig;
export const emitters = [
  new DirectXRayEmitter({ client: new XRayClient(config) }),
  new DirectXRayEmitter({ clientConfig: { region: 'eu-west-1', endpoint: 'http://127.0.0.1:1', maxAttempts: 2, credentials: { accessKeyId: 'a', secretAccessKey: 's' } } }),
];
export const logger = createLogger({ service: 'fit', cloudwatch: { logGroup: 'g', client: new CloudWatchLogsClient({}), credentials: async () => ({ accessKeyId: 'a', secretAccessKey: 's' }) } });
export const transport = new CloudWatchLogsTransport({ logGroup: 'g', logStream: 's', client: new CloudWatchLogsClient({}) });

const reporter = createErrorReporter({});
const app = express();
app.use(xray({ name: 'fit' }));
app.use(rollbarErrorHandler({ reporter, person: (req) => ({ id: req.header('x-user') ?? 'anonymous' }) }));
app.use(rollbarErrorHandler({ reporter, person: (req: Request) => ({ id: String(req.params['id']) }) }));
app.use(xrayErrorHandler());

export async function fastify5(): Promise<void> {
  const server = Fastify();
  await server.register(xrayFastify, { name: 'fit' });
  await server.register(rollbarFastify, { reporter, person: (request: FastifyRequest) => ({ id: request.id }) });
}
export async function fastify4(): Promise<void> {
  const server = Fastify4();
  await server.register(rollbarFastify, { reporter, person: (request) => ({ id: request.ip }) });
}
`;
