/** Reads one namespace with a single `nsenter --net=PATH ip -j -d -b -` process. */
import { statSync } from 'node:fs';
import { IP, NSENTER, run } from '../exec/run.js';
import type { NamespaceRead } from './ipParse.js';
import { NSID_BATCH_LINE, READ_BATCH, parseBatch } from './ipParse.js';

export interface ReadTarget {
  inode: number;
  /** Candidate paths that open it, most stable first. */
  paths: string[];
  /** True when it is the namespace we run in (no --net needed). */
  ours: boolean;
}

export type ReadOutcome = { read: NamespaceRead } | { error: string };

function inodeOf(path: string): number | null {
  try {
    return statSync(path).ino;
  } catch {
    return null;
  }
}

export async function readNamespace(
  t: ReadTarget,
  mountNs: string | null,
  withNsids: boolean,
  timeoutMs = 10_000,
): Promise<ReadOutcome> {
  const nsids = withNsids && mountNs !== null;
  const batch = [...READ_BATCH, ...(nsids ? [NSID_BATCH_LINE] : [])].join('\n') + '\n';
  const ipArgs = ['-j', '-d', '-b', '-'];
  let lastError = 'no path opens it (vanished)';
  for (const path of t.paths) {
    // A pid path may meanwhile name another namespace (pid reuse): check before and after.
    if (!t.ours && inodeOf(path) !== t.inode) continue;
    const nsArgs = [...(t.ours ? [] : [`--net=${path}`]), ...(mountNs ? [`--mount=${mountNs}`] : [])];
    const r =
      nsArgs.length === 0
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
    lastError = `${parsed.error}${r.stderr.trim() ? `: ${r.stderr.trim().split('\n')[0]}` : ''}`;
  }
  return { error: lastError };
}
