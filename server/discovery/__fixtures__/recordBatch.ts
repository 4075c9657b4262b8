/**
 * What the fixture recorders share: one `ip -j -d -b -` batch (READ_BATCH and the nsid list) per
 * chosen namespace, entered by path with every chosen namespace named in a private mount
 * namespace (as discovery itself reads), and a filter that keeps only our rows of the host's
 * answer so a recording holds nothing of anyone else's.
 */
import { IP, NSENTER, run } from '../../exec/run.js';
import { openPaths } from '../enumerate.js';
import type { FoundNamespace, Scan } from '../enumerate.js';
import { NSID_BATCH_LINE, READ_BATCH } from '../ipParse.js';
import { NsidHelper } from '../nsidHelper.js';

/** One recorded namespace, as the fixtures store it. */
export interface RecordedNamespace {
  names: string[];
  stdout: string;
}

/** A row of `ip -j` output (a device, an address list or a route). */
export type IpRow = Record<string, unknown>;

/**
 * Keeps only the rows `keepDevice` accepts (devices by their row, routes by their `dev`) and the
 * nsids of recorded namespaces in one namespace's batch output (one JSON array a line).
 */
export function onlyDevices(
  stdout: string,
  keepDevice: (row: IpRow) => boolean,
  inodes: Set<number>,
): string {
  const keepRow = (r: IpRow) =>
    'ifname' in r
      ? keepDevice(r)
      : 'dev' in r
        ? keepDevice({ ifname: r.dev })
        : 'id' in r && inodes.has(Number(r.name));
  return stdout
    .split('\n')
    .map((line) =>
      line.startsWith('[') ? JSON.stringify((JSON.parse(line) as IpRow[]).filter(keepRow)) : line,
    )
    .join('\n');
}

/**
 * Reads `chosen` (inode order kept) and returns their batches by inode. The host's answer, when
 * the host is chosen, goes through `keepHostDevice` (null: kept whole).
 */
export async function recordBatches(
  scan: Scan,
  chosen: FoundNamespace[],
  keepHostDevice: ((row: IpRow) => boolean) | null,
): Promise<Record<string, RecordedNamespace>> {
  const h = await NsidHelper.start();
  try {
    const entries = new Map<number, string>();
    for (const ns of chosen) entries.set(ns.inode, openPaths(ns, scan)[0]!);
    await h.sync(entries);
    const inodes = new Set(chosen.map((n) => n.inode));
    const out: Record<string, RecordedNamespace> = {};
    for (const ns of chosen) {
      const r = await run(
        NSENTER,
        [`--net=${openPaths(ns, scan)[0]}`, `--mount=${h.mountNs}`, IP, '-j', '-d', '-b', '-'],
        { input: [...READ_BATCH, NSID_BATCH_LINE].join('\n') + '\n' },
      );
      const host = ns.inode === scan.hostInode;
      out[String(ns.inode)] = {
        names: ns.netnsNames,
        stdout: host && keepHostDevice ? onlyDevices(r.stdout, keepHostDevice, inodes) : r.stdout,
      };
    }
    return out;
  } finally {
    h.stop();
  }
}
