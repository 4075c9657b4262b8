/**
 * Records the raw `ip -j -d -b -` batch output of every namespace (with the nsid list), for the
 * unit tests. Usage (root): npx tsx server/discovery/__fixtures__/record.ts > out.json
 */
import { IP, NSENTER, run } from '../../exec/run.js';
import { openPaths, scanNamespaces } from '../enumerate.js';
import { NSID_BATCH_LINE, READ_BATCH } from '../ipParse.js';
import { NsidHelper } from '../nsidHelper.js';

const scan = scanNamespaces({ fds: false });
const h = await NsidHelper.start();
const entries = new Map<number, string>();
for (const ns of scan.namespaces.values()) entries.set(ns.inode, openPaths(ns, scan)[0]!);
await h.sync(entries);
const out: Record<string, { names: string[]; stdout: string }> = {};
for (const ns of scan.namespaces.values()) {
  const r = await run(
    NSENTER,
    [`--net=${openPaths(ns, scan)[0]}`, `--mount=${h.mountNs}`, IP, '-j', '-d', '-b', '-'],
    {
      input: [...READ_BATCH, NSID_BATCH_LINE].join('\n') + '\n',
    },
  );
  out[String(ns.inode)] = { names: ns.netnsNames, stdout: r.stdout };
}
h.stop();
process.stdout.write(JSON.stringify({ hostInode: scan.hostInode, namespaces: out }, null, 1) + '\n');
