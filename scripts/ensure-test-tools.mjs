// System tools some tests drive, installed from Debian on a fresh machine:
//   chromium         the trace viewer's browser end-to-end test
//   docker-compose   validates docker-compose.yml without a Docker engine (config -q), and drives
//                    the compose end-to-end run (scripts/compose-e2e.mjs)
//   podman, runc, netavark, aardvark-dns, iptables, debootstrap
//                    the compose end-to-end run: podman serves the Docker API without a Docker
//                    engine; runc, because podman's default crun fails on these machines; netavark
//                    + aardvark-dns, because with CNI service names do not resolve between
//                    containers; iptables, which netavark runs to wire container networks and
//                    published ports (only "suggested" by podman, so --no-install-recommends leaves
//                    it out: "netavark: No such file or directory"); debootstrap builds the
//                    node:24-bookworm-slim base image locally, as no container registry is
//                    reachable (docs/docker.md)
//   awscli           the trace viewer's AWS CLI test (aws xray … --endpoint-url against the viewer,
//                    the commands of docs/workshop/05-sampling.md); it needs version 2 (Debian
//                    has 2.9), as version 1 has no --no-cli-pager
//   postgresql       the OpenTelemetry bridge tests (real instrumentation-pg against a real server)
//   redis-server     the OpenTelemetry bridge tests (real instrumentation-ioredis), the backend's
//                    home feed cache tests and the workshop's step 11
// When we are root with apt-get, the missing ones are installed in one apt-get run. Elsewhere this
// prints how to install them and the tests that need them skip themselves. It never fails the run.
// CRUDDUR_SKIP_TOOL_INSTALL=1 installs nothing; CRUDDUR_SKIP_BROWSER_INSTALL=1 leaves out chromium;
// CRUDDUR_SKIP_COMPOSE=1 leaves out the container tools; CRUDDUR_SKIP_AWSCLI=1 leaves out awscli.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';

function onPath(command) {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** True when an `aws` on PATH is the AWS CLI version 2 (a pip-installed version 1 may come first). */
function awsCliV2OnPath() {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    const aws = join(dir, 'aws');
    try {
      accessSync(aws, constants.X_OK);
      return /^aws-cli\/2\./.test(execFileSync(aws, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 30_000 }));
    } catch {
      return false;
    }
  });
}

const tools = [
  { pkg: 'chromium', present: () => existsSync('/usr/bin/chromium'), skip: Boolean(process.env.CRUDDUR_SKIP_BROWSER_INSTALL), usedBy: 'the browser end-to-end test' },
  { pkg: 'docker-compose', present: () => onPath('docker-compose'), skip: false, usedBy: 'the docker-compose.yml check' },
  ...['podman', 'runc', 'netavark', 'aardvark-dns', 'iptables', 'debootstrap'].map((pkg) => ({
    pkg,
    // netavark and aardvark-dns are helpers podman runs from its own directory, not commands.
    present: () => onPath(pkg) || existsSync(`/usr/lib/podman/${pkg}`),
    skip: Boolean(process.env.CRUDDUR_SKIP_COMPOSE),
    usedBy: 'the docker compose end-to-end run',
  })),
  { pkg: 'awscli', present: () => existsSync('/usr/bin/aws') || awsCliV2OnPath(), skip: Boolean(process.env.CRUDDUR_SKIP_AWSCLI), usedBy: 'the trace viewer\'s AWS CLI test' },
  // Debian keeps the server binaries out of PATH, under /usr/lib/postgresql/<major>/bin.
  { pkg: 'postgresql', present: () => existsSync('/usr/lib/postgresql') && readdirSync('/usr/lib/postgresql').some((v) => existsSync(join('/usr/lib/postgresql', v, 'bin', 'initdb'))), skip: false, usedBy: 'the OpenTelemetry bridge database tests' },
  { pkg: 'redis-server', present: () => onPath('redis-server'), skip: false, usedBy: 'the OpenTelemetry bridge database tests, the backend\'s home feed cache tests and the workshop\'s step 11' },
];

const missing = tools.filter((t) => !t.present());
if (missing.length === 0) process.exit(0);

const install = missing.filter((t) => !t.skip);
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = existsSync('/usr/bin/apt-get');
const hint = (list) => `sudo apt-get install -y --no-install-recommends ${list.map((t) => t.pkg).join(' ')}`;
const warnSkipped = (list) => {
  for (const t of list) console.warn(`${t.pkg} not found: ${t.usedBy} will be skipped.`);
};

if (install.length === 0 || !isRoot || !hasApt || process.env.CRUDDUR_SKIP_TOOL_INSTALL) {
  warnSkipped(missing);
  console.warn(`Install with: ${hint(missing)}`);
  process.exit(0);
}

warnSkipped(missing.filter((t) => t.skip));
console.log(`Installing ${install.map((t) => `${t.pkg} (${t.usedBy})`).join(', ')} with apt-get…`);
try {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  // No recommends: docker-compose would otherwise pull in the Docker engine.
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...install.map((t) => t.pkg)], { stdio: 'inherit', env });
} catch (err) {
  console.warn(`Could not install ${install.map((t) => t.pkg).join(' ')} (${err.message}); the tests that need them will be skipped.`);
}
const stillMissing = install.filter((t) => !t.present());
if (stillMissing.length > 0) warnSkipped(stillMissing);
