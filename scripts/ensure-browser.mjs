// The trace viewer's end-to-end test drives Debian's Chromium. On a fresh machine where we are
// root with apt-get, install it; elsewhere say how, and the browser test skips itself.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CHROMIUM = '/usr/bin/chromium';
if (existsSync(CHROMIUM)) process.exit(0);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = existsSync('/usr/bin/apt-get');
if (!isRoot || !hasApt || process.env.CRUDDUR_SKIP_BROWSER_INSTALL) {
  console.warn(`${CHROMIUM} not found: the browser end-to-end test will be skipped. Install it with: sudo apt-get install -y chromium`);
  process.exit(0);
}
console.log('Installing Chromium for the browser end-to-end test (apt-get)…');
try {
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
} catch (err) {
  console.warn(`Could not install Chromium (${err.message}); the browser test will be skipped.`);
}
