// Builds ESM and CJS side by side with their declarations. Each output folder gets a package.json
// naming its module type, so Node, bundlers and TypeScript read `.js` and `.d.ts` correctly in both.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');

rmSync('dist', { recursive: true, force: true });
for (const [config, type] of [
  ['tsconfig.build.json', 'module'],
  ['tsconfig.cjs.json', 'commonjs'],
]) {
  execFileSync(process.execPath, [tsc, '-p', config], { stdio: 'inherit' });
  const outDir = type === 'module' ? 'dist/esm' : 'dist/cjs';
  mkdirSync(outDir, { recursive: true });
  writeFileSync(`${outDir}/package.json`, `${JSON.stringify({ type })}\n`);
}
