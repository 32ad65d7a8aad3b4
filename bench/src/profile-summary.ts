// Summarises a V8 .cpuprofile (from `node --cpu-prof`): the top self-time functions, the package's
// own functions, and what the package's code spends its time in (the leaf frames below it).
// Usage: node --import tsx src/profile-summary.ts <file.cpuprofile> [--package=/packages/middleware/]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
}

export interface ProfileRow {
  name: string;
  samples: number;
  /** Share of the non-idle samples. */
  percent: number;
}

export interface ProfileSummary {
  /** Non-idle samples. */
  samples: number;
  seconds: number;
  topSelf: ProfileRow[];
  /** Self time of functions whose file is in the package. */
  packageSelf: ProfileRow[];
  /** Samples owned by the package: its functions and the Node.js internals they call. */
  packageInclusivePercent: number;
  /** The package's samples grouped by their leaf frame (its functions, or the internals they call). */
  packageLeaves: ProfileRow[];
  /**
   * Samples with node:dgram on the stack. Sending to the daemon completes asynchronously (after
   * dgram's address lookup), off the package's stack, so this is counted apart.
   */
  udpPercent: number;
}

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

function frameName(frame: CallFrame): string {
  const file = frame.url.replace(/^file:\/\//, '').replace(repoRoot, '');
  const fn = frame.functionName || '(anonymous)';
  if (!file) return fn;
  return `${file}:${frame.lineNumber + 1} ${fn}`;
}

function top(counts: Map<string, number>, total: number, limit: number): ProfileRow[] {
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, samples]) => ({ name, samples, percent: (100 * samples) / total }));
}

export function summariseProfile(path: string, packageMarker = '/packages/middleware/', limit = 20): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const inPackage = (node: ProfileNode): boolean => node.callFrame.url.includes(packageMarker);
  // Who a sample's time belongs to: the nearest frame, from the leaf up, that is JavaScript outside
  // Node.js itself. Node internals and native frames (writev, the dgram send, JSON) count for the
  // code that called them, so the framework's own work done inside the middleware's context (the
  // rest of the chain runs below it on the stack) is not charged to the package.
  const owned = new Map<number, boolean>();
  const ownedByPackage = (id: number): boolean => {
    const known = owned.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id)!;
    const url = node.callFrame.url;
    let result: boolean;
    if (inPackage(node)) result = true;
    else if (url !== '' && !url.startsWith('node:')) result = false;
    else {
      const parentId = parent.get(id);
      result = parentId !== undefined && ownedByPackage(parentId);
    }
    owned.set(id, result);
    return result;
  };

  const udp = new Map<number, boolean>();
  const onUdpStack = (id: number): boolean => {
    const known = udp.get(id);
    if (known !== undefined) return known;
    const url = byId.get(id)!.callFrame.url;
    const parentId = parent.get(id);
    const result = url === 'node:dgram' || url === 'node:internal/dgram' || (parentId !== undefined && onUdpStack(parentId));
    udp.set(id, result);
    return result;
  };

  const self = new Map<string, number>();
  let udpTotal = 0;
  const packageSelf = new Map<string, number>();
  const leaves = new Map<string, number>();
  let total = 0;
  let underTotal = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0 || node.callFrame.functionName === '(idle)') continue;
    const name = frameName(node.callFrame);
    total += hits;
    self.set(name, (self.get(name) ?? 0) + hits);
    if (inPackage(node)) packageSelf.set(name, (packageSelf.get(name) ?? 0) + hits);
    if (onUdpStack(node.id)) udpTotal += hits;
    if (ownedByPackage(node.id)) {
      underTotal += hits;
      leaves.set(name, (leaves.get(name) ?? 0) + hits);
    }
  }
  return {
    samples: total,
    seconds: (profile.endTime - profile.startTime) / 1e6,
    topSelf: top(self, total, limit),
    packageSelf: top(packageSelf, total, limit),
    packageInclusivePercent: total > 0 ? (100 * underTotal) / total : 0,
    packageLeaves: top(leaves, total, limit),
    udpPercent: total > 0 ? (100 * udpTotal) / total : 0,
  };
}

export function renderProfileSummary(summary: ProfileSummary, title: string): string {
  const table = (rows: ProfileRow[]): string[] => ['| % of CPU samples | function (file:line name) |', '|--:|---|', ...rows.map((r) => `| ${r.percent.toFixed(1)} | \`${r.name}\` |`)];
  return [
    `## ${title}`,
    '',
    `${summary.samples.toLocaleString('en-US')} non-idle samples over ${summary.seconds.toFixed(1)} s. ` +
      `Time of the package (its functions plus the Node.js internals they call, not the framework code running inside its context): **${summary.packageInclusivePercent.toFixed(1)} %** of the samples; ` +
      `UDP sends (node:dgram on the stack, asynchronous, so not on the package's stack): **${summary.udpPercent.toFixed(1)} %**.`,
    '',
    '### Self time, functions of the package',
    '',
    ...table(summary.packageSelf),
    '',
    '### Where the package\'s time goes (its functions and the Node.js internals they call, by leaf frame)',
    '',
    ...table(summary.packageLeaves),
    '',
    '### Self time, whole process',
    '',
    ...table(summary.topSelf),
    '',
  ].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: profile-summary.ts <file.cpuprofile> [--package=/packages/middleware/]\n');
    process.exit(2);
  }
  const marker = process.argv.find((a) => a.startsWith('--package='))?.slice('--package='.length);
  process.stdout.write(renderProfileSummary(summariseProfile(file, marker), file));
}
