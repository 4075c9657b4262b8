/**
 * The benchmark's own topology: N network namespaces of three kinds (named, held by a process,
 * held only by a bind mount outside /run/netns), each with a veth to the host (directly routed or
 * enslaved to a host bridge), addresses on both ends and a few routes. Built with `ip -b` batches
 * (one for the host, one per namespace) because spawning ip per command is what makes it slow.
 * Everything carries the run's unique prefix; teardown.ts removes it all.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdir, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IP, NSENTER, UNSHARE, cmdOk, pollFor, pool, sh } from './proc.js';

export type FixtureKind = 'named' | 'process' | 'bind';

export interface FixtureNs {
  index: number;
  kind: FixtureKind;
  /** The /run/netns name for named ones, else a label. */
  name: string;
  /** A path that opens the namespace (for nsenter). */
  path: string;
  inode: number;
  pid: number | null;
  /** The host end of its veth. */
  hostIf: string;
  /** The namespace's address on eth0 (CIDR) and its gateway in the host. */
  cidr: string;
  gateway: string;
}

export interface Fixture {
  prefix: string;
  bridge: string;
  /** Second octets of 10.x.0.0/16 for routed /30s and the bridge; x+2..x+5 are used as well. */
  octets: [number, number];
  bindDir: string;
  namespaces: FixtureNs[];
  holders: ChildProcess[];
}

/** Kind of the i-th namespace: 50% named, 30% process-held, 20% bind-mount-only. */
export function kindOf(i: number): FixtureKind {
  const r = i % 10;
  return r < 5 ? 'named' : r < 8 ? 'process' : 'bind';
}

/** Addressing of the i-th namespace: even ones on the bridge, odd ones on a routed /30. */
export function addressing(
  fx: Pick<Fixture, 'octets'>,
  i: number,
): { cidr: string; gateway: string; host: string | null } {
  if (i % 2 === 0) {
    const n = i + 2; // .0.0 and .0.1 are the network and the bridge
    return {
      cidr: `10.${fx.octets[1]}.${n >> 8}.${n & 255}/16`,
      gateway: `10.${fx.octets[1]}.0.1`,
      host: null,
    };
  }
  const base = (i >> 1) * 4;
  const net = `10.${fx.octets[0]}.${base >> 8}`;
  const low = base & 255;
  return { cidr: `${net}.${low + 2}/30`, gateway: `${net}.${low + 1}`, host: `${net}.${low + 1}/30` };
}

export async function createFixture(prefix: string): Promise<Fixture> {
  if (!/^[a-z0-9]{3,8}$/.test(prefix)) throw new Error(`unsafe prefix ${prefix}`);
  // Six consecutive second octets per run (routed /30s, bridge, extra routes, blackholes, and the
  // latency bench's addresses and routes), picked from the prefix so parallel runs rarely collide.
  const o = 100 + (parseInt(prefix.slice(-3), 36) % 25) * 6;
  const fx: Fixture = {
    prefix,
    bridge: `${prefix}br`,
    octets: [o, o + 1],
    bindDir: `/run/${prefix}-binds`,
    namespaces: [],
    holders: [],
  };
  // unshare --net=FILE needs a private mount under the file, as ip netns does for /run/netns.
  await mkdir(fx.bindDir, { recursive: true });
  await sh(`mount --bind ${fx.bindDir} ${fx.bindDir} && mount --make-private ${fx.bindDir}`);
  await cmdOk([IP, 'link', 'add', fx.bridge, 'type', 'bridge']);
  await cmdOk([IP, 'addr', 'add', `10.${fx.octets[1]}.0.1/16`, 'dev', fx.bridge]);
  await cmdOk([IP, 'link', 'set', fx.bridge, 'up']);
  return fx;
}

function spawnHolder(): ChildProcess {
  // pdeathsig: the sleeper dies with the bench even if the bench is killed with SIGKILL.
  return spawn(UNSHARE, ['-n', '/usr/bin/setpriv', '--pdeathsig', 'KILL', '/bin/sleep', '7200'], {
    stdio: 'ignore',
  });
}

/** Starts a process alone in a new network namespace; resolves once it runs there. */
export async function startHolder(fx: Fixture): Promise<{ pid: number; child: ChildProcess }> {
  const child = spawnHolder();
  fx.holders.push(child);
  const pid = child.pid;
  if (pid === undefined) throw new Error('unshare did not start');
  const mine = await readlink('/proc/self/ns/net');
  const ok = await pollFor(
    async () => {
      try {
        const comm = await readFile(`/proc/${pid}/comm`, 'utf8');
        return comm.trim() === 'sleep' && (await readlink(`/proc/${pid}/ns/net`)) !== mine;
      } catch {
        return false;
      }
    },
    10_000,
    5,
  );
  if (!ok) throw new Error(`holder ${pid} did not enter its namespace`);
  return { pid, child };
}

/** Creates a namespace held only by a bind mount at fx.bindDir/NAME; returns the path. */
export async function createBindNs(fx: Fixture, name: string): Promise<string> {
  const path = join(fx.bindDir, name);
  await writeFile(path, '');
  await cmdOk([UNSHARE, `--net=${path}`, '/bin/true']);
  return path;
}

/** Grows the fixture to `total` namespaces. */
export async function growFixture(fx: Fixture, total: number): Promise<void> {
  const start = fx.namespaces.length;
  const fresh: FixtureNs[] = [];
  const hostBatch: string[] = [];
  const named: string[] = [];
  for (let i = start; i < total; i++) if (kindOf(i) === 'named') named.push(`netns add ${fx.prefix}n${i}`);
  if (named.length) await runBatch(fx, [IP, '-b'], named, 'netns');
  const made = await pool(
    Array.from({ length: total - start }, (_, k) => start + k),
    8,
    async (i): Promise<FixtureNs> => {
      const kind = kindOf(i);
      const a = addressing(fx, i);
      let name = `${fx.prefix}n${i}`;
      let path = `/run/netns/${name}`;
      let pid: number | null = null;
      if (kind === 'process') {
        pid = (await startHolder(fx)).pid;
        path = `/proc/${pid}/ns/net`;
        name = `pid ${pid}`;
      } else if (kind === 'bind') {
        name = `${fx.prefix}b${i}`;
        path = await createBindNs(fx, name);
      }
      const inode = (await stat(path)).ino;
      return { index: i, kind, name, path, inode, pid, hostIf: `${fx.prefix}h${i}`, ...a };
    },
  );
  for (const ns of made) {
    const target = ns.kind === 'named' ? ns.name : ns.kind === 'process' ? String(ns.pid) : ns.path;
    const a = addressing(fx, ns.index);
    hostBatch.push(`link add ${ns.hostIf} type veth peer name eth0 netns ${target}`);
    hostBatch.push(
      a.host ? `addr add ${a.host} dev ${ns.hostIf}` : `link set ${ns.hostIf} master ${fx.bridge}`,
    );
    hostBatch.push(`link set ${ns.hostIf} up`);
    fresh.push(ns);
  }
  await runBatch(fx, [IP, '-b'], hostBatch, 'host');
  await pool(fresh, 4, (ns) => runBatch(fx, ipIn(ns, ['-b']), nsBatch(fx, ns), `ns${ns.index}`));
  fx.namespaces.push(...fresh);
}

/** `ip` argv for ARGS in the namespace: `ip -n NAME` for named, nsenter for the others. */
export function ipIn(ns: FixtureNs, args: readonly string[]): string[] {
  return ns.kind === 'named' ? [IP, '-n', ns.name, ...args] : [NSENTER, `--net=${ns.path}`, IP, ...args];
}

function nsBatch(fx: Fixture, ns: FixtureNs): string[] {
  const extra = `10.${fx.octets[0] + 2}.${ns.index & 255}.0/24`;
  return [
    'link set lo up',
    `addr add ${ns.cidr} dev eth0`,
    'link set eth0 up',
    `route add default via ${ns.gateway}`,
    `route add ${extra} via ${ns.gateway} metric 10`,
    `route add blackhole 10.${fx.octets[0] + 3}.${ns.index & 255}.0/24`,
  ];
}

async function runBatch(fx: Fixture, argv: string[], lines: string[], tag: string): Promise<void> {
  const file = join(tmpdir(), `${fx.prefix}-${tag}.batch`);
  await writeFile(file, lines.join('\n') + '\n');
  try {
    await cmdOk([...argv, file]);
  } finally {
    await rm(file, { force: true });
  }
}

/** Namespaces of the fixture that no longer exist (something outside the bench removed them). */
export async function lostNamespaces(fx: Fixture): Promise<FixtureNs[]> {
  const lost: FixtureNs[] = [];
  for (const ns of fx.namespaces) {
    const ino = await stat(ns.path).then(
      (s) => s.ino,
      () => 0,
    );
    if (ino !== ns.inode) lost.push(ns);
  }
  return lost;
}
