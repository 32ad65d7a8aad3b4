import { readFile } from 'node:fs/promises';

/** Where the container id can be read. */
export interface ContainerIdSources {
  /** Default `/proc/self/cgroup` (cgroup v1 names the container). */
  cgroupPath?: string;
  /** Default `/proc/self/mountinfo` (under cgroup v2, the runtime's container directory shows in mounts). */
  mountinfoPath?: string;
}

const CGROUP_ID = /([0-9a-f]{64})(?:\.scope)?\s*$/;
const MOUNT_ID = /\/containers\/([0-9a-f]{64})\//;

/**
 * The current container's 64-hex id: from a cgroup v1 path (`…/docker-<id>.scope`,
 * `…/cri-containerd-<id>.scope`, `…/kubepods/…/<id>`), else from a cgroup v2 mount of the runtime's
 * container directory (`…/containers/<id>/hostname`). Undefined outside a container or when the
 * runtime shows neither.
 */
export async function readContainerId(sources: ContainerIdSources = {}): Promise<string | undefined> {
  const cgroup = await readText(sources.cgroupPath ?? '/proc/self/cgroup');
  for (const line of cgroup?.split('\n') ?? []) {
    const m = CGROUP_ID.exec(line);
    if (m) return m[1];
  }
  const mountinfo = await readText(sources.mountinfoPath ?? '/proc/self/mountinfo');
  for (const line of mountinfo?.split('\n') ?? []) {
    const m = MOUNT_ID.exec(line);
    if (m) return m[1];
  }
  return undefined;
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}
