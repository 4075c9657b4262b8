/**
 * Fetches nsid maps of the namespaces that peer resolution still needs (see namespacesNeedingMaps).
 * Cheap path: every namespace gets a host nsid (`ip netns set INODE auto`, the documented way,
 * through the helper's /run/netns symlinks), then `ip netns list-id target-nsid H` in the host
 * dumps X's own nsid table with the host's nsid of each entry: O(X's table), not O(namespaces).
 */
import { nsId } from '../../common/ids.js';
import { IP, NSENTER, run } from '../exec/run.js';
import type { Scan } from './enumerate.js';
import { openPaths } from './enumerate.js';
import type { NamespaceRead } from './ipParse.js';
import { NSID_BATCH_LINE, parseListId, parseNsids } from './ipParse.js';
import type { NsidHelper } from './nsidHelper.js';

const XARGS = '/usr/bin/xargs';

function hostCommand(scan: Scan, helper: NsidHelper | null, ipArgs: string[]): [string, string[]] {
  const ours = scan.hostPath === '/proc/self/ns/net';
  const ns = [...(ours ? [] : [`--net=${scan.hostPath}`]), ...(helper ? [`--mount=${helper.mountNs}`] : [])];
  return ns.length === 0 ? [IP, ipArgs] : [NSENTER, [...ns, IP, ...ipArgs]];
}

function json(stdout: string): unknown {
  return JSON.parse(stdout.trim() || '[]');
}

/**
 * Gives these namespaces a host nsid and returns the host's nsid map afterwards, in one process:
 * the `netns set` lines go without listing the map first (one that has an nsid already just
 * fails its line; -force goes on), then `netns list` prints the map (null if it could not be
 * parsed). That is what the live server needs to name new namespaces in monitor events, without
 * reading the whole host (~100 ms at 300 namespaces).
 */
export async function setHostNsids(
  scan: Scan,
  helper: NsidHelper,
  inodes: number[],
): Promise<Map<number, number> | null> {
  const want = inodes.filter((ino) => ino !== scan.hostInode && scan.namespaces.has(ino));
  const [sf, sa] = hostCommand(scan, helper, ['-j', '-force', '-b', '-']);
  const r = await run(sf, sa, {
    input: [...want.map((ino) => `netns set ${ino} auto`), NSID_BATCH_LINE].join('\n') + '\n',
    timeoutMs: 10_000,
  });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return parseNsids(JSON.parse(last));
  } catch {
    return null;
  }
}

/** Gives every namespace lacking one a host nsid; returns the host's nsid map afterwards. */
export async function assignHostNsids(scan: Scan, helper: NsidHelper): Promise<Map<number, number>> {
  const [f, a] = hostCommand(scan, helper, ['-j', 'netns', 'list']);
  const before = parseNsids(json((await run(f, a, { timeoutMs: 10_000 })).stdout));
  const have = new Set(before.values());
  const missing = [...scan.namespaces.keys()].filter((ino) => ino !== scan.hostInode && !have.has(ino));
  if (missing.length === 0) return before;
  // -force: go on past namespaces that vanished meanwhile.
  const [sf, sa] = hostCommand(scan, helper, ['-force', '-b', '-']);
  await run(sf, sa, {
    input: missing.map((ino) => `netns set ${ino} auto`).join('\n') + '\n',
    timeoutMs: 10_000,
  });
  return parseNsids(json((await run(f, a, { timeoutMs: 10_000 })).stdout));
}

export async function fetchMaps(
  need: number[],
  scan: Scan,
  helper: NsidHelper | null,
  reads: Map<number, NamespaceRead>,
  concurrency: number,
): Promise<string[]> {
  const errors: string[] = [];
  if (need.length === 0) return errors;
  let hostMap = reads.get(scan.hostInode)?.nsids ?? null;
  if (helper) {
    hostMap = await assignHostNsids(scan, helper);
    const host = reads.get(scan.hostInode);
    if (host) host.nsids = hostMap;
  }
  const hostNsidOf = new Map([...(hostMap ?? new Map<number, number>())].map(([nsid, ino]) => [ino, nsid]));
  const viaHost = need.filter((x) => hostNsidOf.has(x) && reads.has(x));
  const done = new Set<number>();
  if (hostMap && viaHost.length > 0) {
    // One `ip ... list-id target-nsid H` per namespace, forked by xargs rather than by Node (ip's
    // batch mode ignores target-nsid). Each prints exactly one JSON line; if any failed (xargs
    // exits non-zero) the lines cannot be attributed, and those chunks fall back to one spawn each.
    const k = Math.max(1, Math.min(4, concurrency, Math.ceil(viaHost.length / 16)));
    await Promise.all(
      Array.from({ length: k }, async (_, i) => {
        const chunk = viaHost.filter((_, j) => j % k === i);
        const xargs = [XARGS, '-n', '1', IP, '-j', 'netns', 'list-id', 'target-nsid'];
        const inHost = scan.hostPath === '/proc/self/ns/net';
        const [f, ...a] = inHost ? xargs : [NSENTER, `--net=${scan.hostPath}`, ...xargs];
        const r = await run(f!, a, {
          input: chunk.map((x) => String(hostNsidOf.get(x))).join('\n') + '\n',
          timeoutMs: 10_000 + 100 * chunk.length,
        });
        const lines = r.stdout.split('\n').filter((l) => l.trim() !== '');
        if (r.exitCode !== 0 || lines.length !== chunk.length) {
          errors.push(
            `nsid maps through host nsids: ${r.stderr.trim().split('\n')[0] ?? `exit ${r.exitCode}`}; retrying one by one`,
          );
          return;
        }
        chunk.forEach((x, j) => {
          reads.get(x)!.nsids = parseListId(JSON.parse(lines[j]!), hostMap);
          done.add(x);
        });
      }),
    );
  }
  const queue = need.filter((x) => !done.has(x));
  const worker = async (): Promise<void> => {
    for (let x = queue.shift(); x !== undefined; x = queue.shift()) {
      const read = reads.get(x);
      const found = scan.namespaces.get(x);
      if (!read || !found) continue;
      const h = hostNsidOf.get(x);
      if (h !== undefined && hostMap) {
        const [f, a] = hostCommand(scan, null, ['-j', 'netns', 'list-id', 'target-nsid', String(h)]);
        const r = await run(f, a, { timeoutMs: 10_000 });
        if (r.exitCode === 0) {
          read.nsids = parseListId(json(r.stdout), hostMap);
          continue;
        }
        errors.push(
          `nsid map of ${nsId(x)} through host nsid ${h}: ${r.stderr.trim() || `exit ${r.exitCode}`}`,
        );
      }
      if (!helper) continue;
      // No host nsid: ask inside X, where /run/netns (the helper's) names every namespace.
      const path = openPaths(found, scan)[0];
      const r = await run(
        NSENTER,
        [`--net=${path}`, `--mount=${helper.mountNs}`, IP, '-j', 'netns', 'list'],
        {
          timeoutMs: 10_000,
        },
      );
      if (r.exitCode === 0) read.nsids = parseNsids(json(r.stdout));
      else errors.push(`nsid map of ${nsId(x)}: ${r.stderr.trim() || `exit ${r.exitCode}`}`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  return errors;
}
