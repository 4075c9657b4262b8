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
import { IP, NSENTER, run } from '../../exec/run.js';
import { openPaths, scanNamespaces } from '../enumerate.js';
import type { FoundNamespace } from '../enumerate.js';
import { NSID_BATCH_LINE, READ_BATCH } from '../ipParse.js';
import { NsidHelper } from '../nsidHelper.js';

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

/**
 * Keeps only `lo`, devices named PREFIX* and the nsids of recorded namespaces in the host's batch
 * output (one JSON array a line).
 */
function onlyDevices(stdout: string, prefix: string, inodes: Set<number>): string {
  const keep = (name: unknown) => typeof name === 'string' && (name === 'lo' || name.startsWith(prefix));
  const keepRow = (r: Record<string, unknown>) =>
    'ifname' in r ? keep(r.ifname) : 'dev' in r ? keep(r.dev) : 'id' in r && inodes.has(Number(r.name));
  return stdout
    .split('\n')
    .map((line) => {
      if (!line.startsWith('[')) return line;
      const rows = JSON.parse(line) as Array<Record<string, unknown>>;
      const kept = rows.filter(keepRow);
      return JSON.stringify(kept);
    })
    .join('\n');
}

const scan = scanNamespaces({ fds: false });
const chosen = [...scan.namespaces.values()].filter((ns) => wanted(ns, scan.hostInode));
const h = await NsidHelper.start();
const entries = new Map<number, string>();
for (const ns of chosen) entries.set(ns.inode, openPaths(ns, scan)[0]!);
await h.sync(entries);
const out: Record<string, { names: string[]; stdout: string }> = {};
for (const ns of chosen) {
  const r = await run(
    NSENTER,
    [`--net=${openPaths(ns, scan)[0]}`, `--mount=${h.mountNs}`, IP, '-j', '-d', '-b', '-'],
    {
      input: [...READ_BATCH, NSID_BATCH_LINE].join('\n') + '\n',
    },
  );
  const host = ns.inode === scan.hostInode && filters.hostPrefix !== null;
  out[String(ns.inode)] = {
    names: ns.netnsNames,
    stdout: host ? onlyDevices(r.stdout, filters.hostPrefix!, new Set(chosen.map((n) => n.inode))) : r.stdout,
  };
}
h.stop();
process.stdout.write(JSON.stringify({ hostInode: scan.hostInode, namespaces: out }, null, 1) + '\n');
