/**
 * Finds every network namespace (identity: inode on the nsfs device) from /run/netns, nsfs
 * mounts in /proc/self/mountinfo, /proc/PID/ns/net and, optionally, nsfs fds in /proc/PID/fd.
 * Only stat/readlink/readdir: no process is started and no namespace file is kept open.
 */
import { closeSync, openSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { MountPointInodes } from './mountPoints.js';
import type { NsfsMount } from './procParse.js';

export const NETNS_DIR = '/run/netns';

export interface FoundNamespace {
  inode: number;
  netnsNames: string[];
  mounts: string[];
  pids: number[];
  /** `/proc/PID/fd/N` paths of open nsfs fds that refer to it. */
  fds: string[];
}

export interface Scan {
  hostInode: number;
  /** Path of the host namespace file as we can open it. */
  hostPath: string;
  namespaces: Map<number, FoundNamespace>;
  errors: string[];
}

function statIno(path: string, dev: number): number | null {
  try {
    // No exception for a missing file: thrown errors cost more than the stat itself.
    const s = statSync(path, { throwIfNoEntry: false });
    return s && s.dev === dev ? s.ino : null;
  } catch {
    return null;
  }
}

function canOpen(path: string): boolean {
  try {
    closeSync(openSync(path, 'r'));
    return true;
  } catch {
    return false;
  }
}

function entry(map: Map<number, FoundNamespace>, inode: number): FoundNamespace {
  let e = map.get(inode);
  if (!e) {
    e = { inode, netnsNames: [], mounts: [], pids: [], fds: [] };
    map.set(inode, e);
  }
  return e;
}

export function listPids(): number[] {
  return readdirSync('/proc')
    .filter((n) => /^[0-9]+$/.test(n))
    .map(Number);
}

/** Shared by every scan of this process: the mount table is the process's, not a discovery's. */
const mountPoints = new MountPointInodes();

export function scanNamespaces(opts: { fds: boolean }): Scan {
  const self = statSync('/proc/self/ns/net');
  const dev = self.dev;
  const errors: string[] = [];
  const namespaces = new Map<number, FoundNamespace>();

  // The host is PID 1's namespace; where that cannot be opened (sandboxes), the one we run in.
  let hostPath = '/proc/self/ns/net';
  let hostInode = self.ino;
  const pid1 = statIno('/proc/1/ns/net', dev);
  if (pid1 !== null && pid1 !== self.ino && canOpen('/proc/1/ns/net')) {
    hostPath = '/proc/1/ns/net';
    hostInode = pid1;
  }
  entry(namespaces, hostInode);

  // The mount table first: while it reads the same, mount points need no stat (mountPoints.ts).
  let mounts: NsfsMount[] = [];
  try {
    mounts = mountPoints.begin(readFileSync('/proc/self/mountinfo', 'utf8'));
  } catch (e) {
    mountPoints.forget();
    errors.push(`cannot read /proc/self/mountinfo: ${String(e)}`);
  }
  const inodeOf = (path: string): number | null => mountPoints.inode(path, (p) => statIno(p, dev));

  let names: string[] = [];
  try {
    names = readdirSync(NETNS_DIR);
  } catch {
    // No /run/netns: no named namespaces.
  }
  // Mount point -> inode as stat just saw it (named namespaces reappear in mountinfo).
  const seen = new Map<string, number>();
  for (const name of names) {
    const ino = inodeOf(`${NETNS_DIR}/${name}`);
    if (ino !== null) {
      entry(namespaces, ino).netnsNames.push(name);
      seen.set(`${NETNS_DIR}/${name}`, ino);
    }
  }

  for (const m of mounts) {
    // A mount listed in mountinfo may be hidden by a later mount: trust only what stat confirms.
    if ((seen.get(m.path) ?? inodeOf(m.path)) === m.inode) {
      const e = entry(namespaces, m.inode);
      if (!e.mounts.includes(m.path)) e.mounts.push(m.path);
    }
  }

  let denied = 0;
  for (const pid of listPids()) {
    // readlink (`net:[INODE]`) is cheaper than stat and names the same nsfs inode.
    let ino: number | null = null;
    try {
      const m = /^net:\[([0-9]+)\]$/.exec(readlinkSync(`/proc/${pid}/ns/net`));
      if (m) ino = Number(m[1]);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EACCES') denied++;
      continue; // vanished or kernel thread without a namespace
    }
    if (ino !== null) entry(namespaces, ino).pids.push(pid);
    if (opts.fds) scanFds(pid, namespaces);
  }
  if (denied > 0) {
    // Even root is refused a process's ns links when it runs under a security module's policy or
    // is protected from ptrace (a sandbox's init): then asking for root would be wrong advice.
    const why =
      process.getuid?.() === 0 ? 'permission denied even to root' : 'permission denied: run as root';
    errors.push(`${denied} processes' namespaces could not be inspected (${why})`);
  }

  for (const e of namespaces.values()) {
    e.pids.sort((a, b) => a - b);
    e.netnsNames.sort();
    e.mounts.sort();
  }
  return { hostInode, hostPath, namespaces, errors };
}

function scanFds(pid: number, namespaces: Map<number, FoundNamespace>): void {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return;
  }
  for (const fd of fds) {
    try {
      const m = /^net:\[([0-9]+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) {
        const e = entry(namespaces, Number(m[1]));
        if (e.fds.length < 4) e.fds.push(`/proc/${pid}/fd/${fd}`);
      }
    } catch {
      // fd closed meanwhile
    }
  }
}

/** Paths that open this namespace, most stable first (mounts outlive processes). */
export function openPaths(ns: FoundNamespace, scan: Pick<Scan, 'hostInode' | 'hostPath'>): string[] {
  const paths = [...ns.mounts, ...ns.pids.map((p) => `/proc/${p}/ns/net`), ...ns.fds];
  if (ns.inode === scan.hostInode) paths.unshift(scan.hostPath);
  return paths;
}

export function readComm(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
}

export function readCgroup(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cgroup`, 'utf8');
  } catch {
    return null;
  }
}
