// Lets `npm run demo` and `npm test` work straight after a clone: when the dependencies are
// missing or older than the lock file, install them exactly as locked (`npm ci`) first.
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const marker = 'node_modules/.package-lock.json';
const fresh = existsSync(marker) && statSync(marker).mtimeMs >= statSync('package-lock.json').mtimeMs;
if (!fresh) {
  console.log('Installing dependencies from package-lock.json (npm ci)…');
  execSync('npm ci', { stdio: 'inherit' });
}
