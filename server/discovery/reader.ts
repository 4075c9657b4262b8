/**
 * Reads namespaces with `ip -j -d -b -`: one namespace by one `nsenter --net=PATH ip` process
 * (refresh), many by a few `/bin/sh` processes that each loop over their share (full reads).
 * Node's spawn blocks the event loop ~10-15 ms per child on this machine, so a full read of 300
 * namespaces forks 2-4 children from Node instead of 300.
 */
import { statSync } from 'node:fs';
import { IP, NSENTER, run } from '../exec/run.js';
import type { NamespaceRead } from './ipParse.js';
import { parseBatch } from './ipParse.js';
import type { ReadServer } from './readServer.js';
import { CHUNK_SCRIPT, batchText, servable } from './readScripts.js';

export interface ReadTarget {
  inode: number;
  /** Candidate paths that open it, most stable first. */
  paths: string[];
  /** True when it is the namespace we run in (no --net needed). */
  ours: boolean;
  /** Also list its nsid map (`ip netns list` in the helper's mount namespace). */
  nsids: boolean;
}

export type ReadOutcome = { read: NamespaceRead } | { error: string };

const SH = '/bin/sh';

function inodeOf(path: string): number | null {
  try {
    return statSync(path).ino;
  } catch {
    return null;
  }
}

/** Splits a chunk's stdout or stderr into per-index sections (by the `@@nx I` lines). */
export function splitSections(text: string): Map<number, { body: string; status: number | null }> {
  const out = new Map<number, { body: string; status: number | null }>();
  let cur: { body: string[]; status: number | null } | null = null;
  let curIdx = -1;
  const flush = () => {
    if (cur) out.set(curIdx, { body: cur.body.join('\n'), status: cur.status });
  };
  for (const line of text.split('\n')) {
    const start = /^@@nx ([0-9]+)$/.exec(line);
    const end = /^@@nx-end ([0-9]+) ([0-9]+)$/.exec(line);
    if (start) {
      flush();
      curIdx = Number(start[1]);
      cur = { body: [], status: null };
    } else if (end && cur && Number(end[1]) === curIdx) {
      cur.status = Number(end[2]);
    } else if (cur && cur.status === null) {
      cur.body.push(line);
    }
  }
  flush();
  return out;
}

function describeFailure(parsedError: string, stderr: string): string {
  const first = stderr.trim().split('\n')[0];
  return `${parsedError}${first ? `: ${first}` : ''}`;
}

/** Reads one namespace with a single process (or the read server), trying its paths in order. */
export async function readNamespace(
  t: ReadTarget,
  mountNs: string | null,
  timeoutMs = 10_000,
  server?: ReadServer,
): Promise<ReadOutcome> {
  const nsids = t.nsids && mountNs !== null;
  const batch = batchText(nsids);
  const ipArgs = ['-j', '-d', '-b', '-'];
  let lastError = 'no path opens it (vanished)';
  for (const path of t.paths) {
    // A pid path may meanwhile name another namespace (pid reuse): check before and after.
    if (!t.ours && inodeOf(path) !== t.inode) continue;
    const nsArgs = [...(t.ours ? [] : [`--net=${path}`]), ...(mountNs ? [`--mount=${mountNs}`] : [])];
    const req = { withNsids: nsids, path: t.ours ? '' : path, mountNs, timeoutMs };
    const r =
      server && servable(req)
        ? await server.read(req)
        : nsArgs.length === 0
          ? await run(IP, ipArgs, { input: batch, timeoutMs })
          : await run(NSENTER, [...nsArgs, IP, ...ipArgs], { input: batch, timeoutMs });
    if (r.timedOut) {
      lastError = `ip timed out after ${timeoutMs} ms`;
      continue;
    }
    if (!t.ours && inodeOf(path) !== t.inode) {
      lastError = 'vanished while being read';
      continue;
    }
    const parsed = parseBatch(t.inode, r.stdout, nsids);
    if (parsed.read) return { read: parsed.read };
    lastError = describeFailure(parsed.error ?? 'unreadable', r.stderr);
  }
  return { error: lastError };
}

/** Reads one chunk in one `/bin/sh` process; undefined for targets that need a retry. */
async function readChunk(
  targets: ReadTarget[],
  mountNs: string | null,
  timeoutMs: number,
): Promise<Array<ReadOutcome | undefined>> {
  const out = new Array<ReadOutcome | undefined>(targets.length);
  // Stat before: a target whose first path already names another namespace is left for the
  // single-namespace path (which tries its other paths).
  const runnable: number[] = [];
  for (const [j, t] of targets.entries()) {
    if (t.ours || (t.paths[0] !== undefined && inodeOf(t.paths[0]) === t.inode)) runnable.push(j);
  }
  if (runnable.length === 0) return out;
  const args = [mountNs ?? ''];
  for (const j of runnable) {
    const t = targets[j]!;
    args.push(t.nsids && mountNs !== null ? 'n' : 'r', t.ours ? '' : t.paths[0]!);
  }
  const r = await run(SH, ['-c', CHUNK_SCRIPT, 'sh', ...args], { timeoutMs });
  const stdout = splitSections(r.stdout);
  const stderr = splitSections(r.stderr);
  for (const [k, j] of runnable.entries()) {
    const t = targets[j]!;
    const s = stdout.get(k);
    if (!s || s.status === null) {
      // Not reached or cut off: a timeout is final for the one in progress, the rest retry.
      if (r.timedOut && s) out[j] = { error: `ip timed out (chunk of ${runnable.length} namespaces)` };
      continue;
    }
    // Stat after: the path must still name the namespace we meant (pid reuse, re-created name).
    if (!t.ours && inodeOf(t.paths[0]!) !== t.inode) continue;
    const parsed = parseBatch(t.inode, s.body, t.nsids && mountNs !== null);
    out[j] = parsed.read
      ? { read: parsed.read }
      : { error: describeFailure(parsed.error ?? 'unreadable', stderr.get(k)?.body ?? '') };
  }
  return out;
}

export interface ReadManyOptions {
  /** Parallel chunks (default: up to 4, at least 12 namespaces each). */
  chunks?: number;
  /** Per-namespace budget; a chunk's timeout is its sum plus a base. */
  perNamespaceMs?: number;
  /** Reads up to SERVED_MAX namespaces through this long-lived shell instead of new processes. */
  server?: ReadServer;
}

/** Above this many namespaces a read is split into chunk processes (run in parallel). */
const SERVED_MAX = 4;

/**
 * Reads many namespaces in a few chunk processes. Targets whose chunk read failed or whose path
 * changed meaning meanwhile are re-read one by one through all their paths (readNamespace), so
 * a namespace that vanished gets its error, never another namespace's contents.
 */
export async function readNamespaces(
  targets: ReadTarget[],
  mountNs: string | null,
  opts: ReadManyOptions = {},
): Promise<ReadOutcome[]> {
  const server = opts.server;
  if (targets.length === 1 || (server && targets.length <= SERVED_MAX)) {
    const out: ReadOutcome[] = [];
    for (const t of targets) out.push(await readNamespace(t, mountNs, 10_000, server));
    return out;
  }
  const k = Math.max(1, Math.min(opts.chunks ?? 4, Math.ceil(targets.length / 12), targets.length));
  const per = opts.perNamespaceMs ?? 200;
  const slices = Array.from({ length: k }, (_, i) => targets.filter((_, j) => j % k === i));
  const results = await Promise.all(slices.map((s) => readChunk(s, mountNs, 10_000 + per * s.length)));
  const out = new Array<ReadOutcome | undefined>(targets.length);
  slices.forEach((s, i) => s.forEach((_, m) => (out[i + m * k] = results[i]![m])));
  // Retry what was not read or failed because its path changed meaning (a genuine failure, such
  // as permission denied, is not retried). Retries are few and a vanished namespace costs no
  // process: readNamespace stats every path first.
  const retry = out.flatMap((o, j) => {
    const t = targets[j]!;
    if (o === undefined) return [j];
    return 'error' in o && !t.ours && inodeOf(t.paths[0] ?? '') !== t.inode ? [j] : [];
  });
  for (const j of retry) {
    const again = await readNamespace(targets[j]!, mountNs, 10_000, server);
    out[j] = 'read' in again || out[j] === undefined ? again : out[j];
  }
  return out.map((o) => o ?? { error: 'not read' });
}
