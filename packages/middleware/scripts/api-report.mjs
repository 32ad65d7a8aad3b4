// The API reports in api/*.api.md: one per public entry point of package.json `exports`, from the
// built declarations (dist/esm). `node scripts/api-report.mjs` checks them (fails when a report is
// out of date, or on any warning: a type used but not exported, a broken {@link}, bad TSDoc...);
// `--update` rewrites them. A change of the public surface thus shows as a diff in review, and so
// does an export without TSDoc: the report marks it `(undocumented)`.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';

const update = process.argv.includes('--update');
const root = fileURLToPath(new URL('..', import.meta.url));
const configPath = `${root}api-extractor.json`;
const base = ExtractorConfig.loadFile(configPath);
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));

let failed = 0;
for (const [subpath, target] of Object.entries(pkg.exports)) {
  if (typeof target === 'string') continue; // ./package.json
  const dts = target.import.types; // ./dist/esm/<entry>/index.d.ts
  const name = subpath === '.' ? 'index' : subpath.slice(2);
  const config = ExtractorConfig.prepare({
    configObject: {
      ...base,
      mainEntryPointFilePath: `<projectFolder>/${dts.slice(2)}`,
      apiReport: { ...base.apiReport, reportFileName: name },
    },
    configObjectFullPath: configPath,
    packageJsonFullPath: `${root}package.json`,
  });
  let warnings = 0;
  const result = Extractor.invoke(config, {
    localBuild: update,
    messageCallback: (message) => {
      if (message.logLevel === 'warning' && message.category !== 'console') warnings++;
    },
  });
  const problems = [];
  if (result.apiReportChanged && !update) problems.push(`api/${name}.api.md is out of date (run: npm run api:update -w @cruddur/middleware)`);
  if (result.errorCount > 0) problems.push(`${result.errorCount} error(s)`);
  if (warnings > 0) problems.push(`${warnings} warning(s)`);
  if (problems.length > 0) {
    failed++;
    console.error(`✖ ${subpath}: ${problems.join('; ')}`);
  } else {
    console.log(`✔ ${subpath}: api/${name}.api.md ${update && result.apiReportChanged ? 'updated' : 'up to date'}`);
  }
}
process.exit(failed > 0 ? 1 : 0);
