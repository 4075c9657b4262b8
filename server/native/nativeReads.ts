/**
 * Reads namespaces with the native reader: one native call enters every namespace in turn (no
 * process), the dumps are parsed here, then one more call asks only the nsids peer resolution
 * needs (nsidPlan.ts). The host's read also asks the host's nsid of every namespace (the live
 * server names monitor events by it).
 */
import type { Scan } from '../discovery/enumerate.js';
import { openPaths } from '../discovery/enumerate.js';
import type { NamespaceRead } from '../discovery/ipParse.js';
import type { ReadOutcome } from '../discovery/reader.js';
import type { NativeJob, NativeResult } from './binding.js';
import { nativeRead } from './binding.js';
import type { RouteNames } from './names.js';
import { planNsidQueries } from './nsidPlan.js';
import { parseDumps } from './parse.js';

/** What the ip reader says of a namespace none of whose paths opens it any more. */
export const VANISHED = 'no path opens it (vanished)';

/**
 * Namespaces per native call: progress is reported between calls (the page shows it while the
 * first read runs); a call costs one short-lived thread, nothing next to 64 namespaces' dumps.
 */
const CHUNK = 64;

/**
 * Failures of our own machinery, not of the namespace: the read is thrown away and retried
 * rather than published with namespaces wrongly marked unreadable. A namespace's own failures
 * (open, setns: EPERM, a dump the kernel refused) stay on that namespace.
 */
const OURS = /^socket: |^(?:link|address|route) dump: (?:Cannot allocate memory|No buffer space)/;

export class ReaderFailure extends Error {}

/**
 * Runs the jobs in chunks and hands each chunk's results (with the index of its first job) to
 * `onChunk` while the native thread already reads the next chunk: parsing overlaps the kernel's
 * dumps. Rejects (ReaderFailure) if our reader failed.
 */
async function readChunked(
  jobs: NativeJob[],
  onChunk: (first: number, results: NativeResult[]) => void,
): Promise<void> {
  const call = (i: number): Promise<NativeResult[]> => {
    const p = nativeRead(jobs.slice(i, i + CHUNK));
    // Awaited below unless parsing the chunk before threw: never an unhandled rejection.
    p.catch(() => undefined);
    return p;
  };
  let next = jobs.length > 0 ? call(0) : null;
  for (let i = 0; next; i += CHUNK) {
    let results: NativeResult[];
    try {
      results = await next;
    } catch (e) {
      throw new ReaderFailure(`native reader failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    for (let k = 0; k < Math.min(CHUNK, jobs.length - i); k++) {
      const error = results[k]?.error ?? 'no answer';
      if (results[k] === undefined || OURS.test(error))
        throw new ReaderFailure(`native reader failed in ${jobs[i + k]!.path}: ${error}`);
    }
    // The next chunk is dumped while this one is parsed (not started once a read has failed).
    next = i + CHUNK < jobs.length ? call(i + CHUNK) : null;
    onChunk(i, results);
  }
}

/** Paths of every other namespace, with their inodes (the host asks the nsid of each). */
function othersOf(scan: Scan): { paths: string[]; inodes: number[] } {
  const paths: string[] = [];
  const inodes: number[] = [];
  for (const ns of scan.namespaces.values()) {
    const p = ns.inode === scan.hostInode ? undefined : openPaths(ns, scan)[0];
    if (p !== undefined) {
      paths.push(p);
      inodes.push(ns.inode);
    }
  }
  return { paths, inodes };
}

/** nsid -> inode from a job's answers, counting only targets that opened the namespace meant. */
export function nsidsFrom(r: NativeResult, inodes: readonly number[]): Map<number, number> {
  const out = new Map<number, number>();
  inodes.forEach((ino, j) => {
    const id = r.nsids[j]!;
    if (id >= 0 && r.targetInodes[j] === ino) out.set(id, ino);
  });
  return out;
}

/**
 * Reads `inodes` (each by its first path that still opens it). A namespace no path opens any
 * more gets VANISHED; one that could not be entered gets the reason (setns: ...).
 */
export async function readNative(
  scan: Scan,
  inodes: number[],
  names: RouteNames,
  progress?: (done: number, total: number) => void,
): Promise<Map<number, ReadOutcome>> {
  const out = new Map<number, ReadOutcome>();
  const total = inodes.length;
  const others = othersOf(scan);
  // The host last: its job also asks the nsid of every other namespace (the slowest of all), and
  // last it runs while the chunk before it is parsed rather than before anything can be.
  let pending = inodes.filter((ino) => scan.namespaces.has(ino) && ino !== scan.hostInode);
  if (inodes.includes(scan.hostInode)) pending.push(scan.hostInode);
  for (let attempt = 0; pending.length > 0; attempt++) {
    const jobs: NativeJob[] = [];
    const asked: number[] = [];
    for (const ino of pending) {
      const path = openPaths(scan.namespaces.get(ino)!, scan)[attempt];
      if (path === undefined) {
        if (!out.has(ino)) out.set(ino, { error: VANISHED });
        continue;
      }
      const host = ino === scan.hostInode;
      jobs.push({ path, targets: host ? others.paths : [], assign: false });
      asked.push(ino);
    }
    if (jobs.length === 0) break;
    const retry: number[] = [];
    await readChunked(jobs, (first, results) => {
      results.forEach((r, k) => {
        const ino = asked[first + k]!;
        // Another namespace behind this path now (pid reuse, re-created name) or none: next path.
        if (r.inode !== ino || (r.error !== null && r.error.startsWith('open:'))) retry.push(ino);
        else if (r.error !== null) out.set(ino, { error: r.error });
        else {
          const read = parseDumps(ino, r, names);
          read.nsids = ino === scan.hostInode ? nsidsFrom(r, others.inodes) : new Map();
          out.set(ino, { read });
        }
      });
      if (attempt === 0) progress?.(Math.min(total, first + results.length), total);
    });
    pending = retry;
  }
  return out;
}

/**
 * Asks the nsids peer resolution still needs (nsidPlan) and adds the answers to the reads' maps.
 * Returns problems met (a namespace that could not be entered for its questions).
 */
export async function completeNsidMaps(
  scan: Scan,
  reads: Map<number, NamespaceRead>,
  unreadable: ReadonlySet<number>,
): Promise<string[]> {
  const plan = planNsidQueries({ reads, unreadable, hostInode: scan.hostInode });
  const jobs: NativeJob[] = [];
  const asked: Array<{ from: number; targets: number[] }> = [];
  for (const [from, targetSet] of plan) {
    const ns = scan.namespaces.get(from);
    const path = ns && openPaths(ns, scan)[0];
    const targets = [...targetSet].filter((t) => scan.namespaces.has(t));
    const targetPaths = targets.map((t) => openPaths(scan.namespaces.get(t)!, scan)[0] ?? '');
    if (path === undefined || targets.length === 0) continue;
    // Only the nsids: this namespace was dumped in the first call (a hub's dump is the largest).
    jobs.push({ path, targets: targetPaths, assign: false, dump: false });
    asked.push({ from, targets });
  }
  const errors: string[] = [];
  await readChunked(jobs, (first, results) => {
    results.forEach((r, k) => {
      const { from, targets } = asked[first + k]!;
      const read = reads.get(from);
      if (r.error !== null || r.inode !== from || !read) {
        errors.push(`nsids as seen from ns-${from}: ${r.error ?? 'its path now opens another namespace'}`);
        return;
      }
      const map = (read.nsids ??= new Map());
      for (const [id, ino] of nsidsFrom(r, targets)) map.set(id, ino);
    });
  });
  return errors;
}
