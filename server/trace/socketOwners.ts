/**
 * Who owns a socket that sock_diag reported (it knows the socket's inode, not its process), as
 * `ss -p` tells it: the processes whose /proc/PID/fd links to `socket:[INODE]`. Only processes
 * in the namespace are looked at (found by their /proc/PID/ns/net link), and only by readdir and
 * readlink: no fd is opened in or kept on anything.
 */
import { readdir, readFile, readlink } from 'node:fs/promises';
import type { SocketRow } from '../../common/inspect.js';

export interface SocketOwner {
  pid: number;
  /** The command name (/proc/PID/comm), as ss prints it. */
  comm: string;
}

const pidsOf = async (): Promise<number[]> =>
  (await readdir('/proc')).filter((d) => /^\d+$/.test(d)).map(Number);

/** PIDs whose network namespace is the one with inode `netnsInode`. */
export async function processesIn(netnsInode: number): Promise<number[]> {
  const want = `net:[${netnsInode}]`;
  const pids = await pidsOf();
  const inNs = await Promise.all(
    pids.map(async (pid) => ((await readlink(`/proc/${pid}/ns/net`).catch(() => '')) === want ? pid : null)),
  );
  return inNs.filter((p): p is number => p !== null);
}

/** The owners of each socket inode wanted, among `pids` (processes that exit meanwhile are skipped). */
export async function socketOwners(pids: number[], inodes: Set<number>): Promise<Map<number, SocketOwner[]>> {
  const owners = new Map<number, SocketOwner[]>();
  if (inodes.size === 0) return owners;
  await Promise.all(
    pids.map(async (pid) => {
      const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
      const links = await Promise.all(fds.map((fd) => readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')));
      const mine = new Set(
        links.map((l) => /^socket:\[(\d+)\]$/.exec(l)?.[1]).filter((x): x is string => x !== undefined),
      );
      const hit = [...mine].map(Number).filter((i) => inodes.has(i));
      if (hit.length === 0) return;
      const comm = (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')).trim();
      for (const i of hit) owners.set(i, [...(owners.get(i) ?? []), { pid, comm }]);
    }),
  );
  return owners;
}

/** Rows with their owners filled in as `ss -p` does: distinct names, the lowest PID first (pure). */
export function withOwners(
  rows: Array<{ row: SocketRow; inode: number }>,
  owners: Map<number, SocketOwner[]>,
): SocketRow[] {
  return rows.map(({ row, inode }) => {
    const os = [...(owners.get(inode) ?? [])].sort((a, b) => a.pid - b.pid);
    if (os.length === 0) return row;
    const names = [...new Set(os.map((o) => o.comm))];
    return { ...row, process: names.join(','), pid: os[0]!.pid };
  });
}
