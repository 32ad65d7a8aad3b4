// Copies every included file into the workshop pages, so the pages show exactly what the tests
// run. Run after editing a snippet: npm run snippets -w @cruddur/docs
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { includePath, syncPage } from '../test/markdown.js';
import { workshopDir } from '../test/support.js';

let changed = 0;
for (const page of readdirSync(workshopDir).filter((f) => f.endsWith('.md'))) {
  const file = path.join(workshopDir, page);
  const before = readFileSync(file, 'utf8');
  const after = syncPage(before, (name) => readFileSync(includePath(name), 'utf8'));
  if (after !== before) {
    writeFileSync(file, after);
    changed++;
    console.log(`updated ${path.relative(process.cwd(), file)}`);
  }
}
console.log(changed === 0 ? 'every page is up to date' : `${changed} page(s) updated`);
