/**
 * Records the raw `ip -j -d -b -` batch output of namespaces (with their nsid lists), for the
 * unit tests. Usage (root): npx tsx server/discovery/__fixtures__/record.ts [FILTERS] > out.json
 *
 * Without filters every namespace is recorded. On a shared machine, record only a scene:
 *   --netns PREFIX        named namespaces whose name starts with PREFIX
 *   --pid N               the namespace of process N (repeatable)
 *   --host-prefix PREFIX  the host namespace too, keeping only `lo` and devices named PREFIX*
 *                         (their addresses and the routes through them): nothing of anyone else's
 */
import { scanNamespaces } from '../enumerate.js';
import type { FoundNamespace } from '../enumerate.js';
import type { IpRow } from './recordBatch.js';
import { recordBatches } from './recordBatch.js';

interface Filters {
  netns: string[];
  pids: number[];
  hostPrefix: string | null;
}

function parseArgs(args: string[]): Filters {
  const f: Filters = { netns: [], pids: [], hostPrefix: null };
  for (let i = 0; i < args.length; i += 2) {
    const v = args[i + 1];
    if (v === undefined) throw new Error(`${args[i]} needs a value`);
    if (args[i] === '--netns') f.netns.push(v);
    else if (args[i] === '--pid') f.pids.push(Number(v));
    else if (args[i] === '--host-prefix') f.hostPrefix = v;
    else throw new Error(`unknown option ${args[i]}`);
  }
  return f;
}

const filters = parseArgs(process.argv.slice(2));
const everything = filters.netns.length === 0 && filters.pids.length === 0 && filters.hostPrefix === null;

function wanted(ns: FoundNamespace, hostInode: number): boolean {
  if (everything) return true;
  if (ns.inode === hostInode) return filters.hostPrefix !== null;
  return (
    ns.netnsNames.some((n) => filters.netns.some((p) => n.startsWith(p))) ||
    ns.pids.some((p) => filters.pids.includes(p))
  );
}

const scan = scanNamespaces({ fds: false });
const chosen = [...scan.namespaces.values()].filter((ns) => wanted(ns, scan.hostInode));
const prefix = filters.hostPrefix;
const keepHostDevice =
  prefix === null
    ? null
    : ({ ifname }: IpRow) => typeof ifname === 'string' && (ifname === 'lo' || ifname.startsWith(prefix));
const out = await recordBatches(scan, chosen, keepHostDevice);
process.stdout.write(JSON.stringify({ hostInode: scan.hostInode, namespaces: out }, null, 1) + '\n');
