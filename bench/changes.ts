/**
 * The kernel changes of the latency benchmark, in pairs that undo each other (so the topology is
 * the same afterwards), spread over every kind of namespace. Each change knows how to recognise
 * the delta operation that carries it.
 */
import { stat } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { namespaceOfRoute, nsId } from '../common/ids.js';
import type { DeltaOp } from '../common/protocol.js';
import type { Fixture, FixtureNs } from './fixture.js';
import { createBindNs, ipIn, startHolder } from './fixture.js';
import { IP, cmd, cmdOk } from './proc.js';

export type ChangeKind =
  'addr-add' | 'addr-del' | 'link-down' | 'link-up' | 'route-add' | 'route-del' | 'netns-add' | 'netns-del';

export interface Applied {
  /** Just before spawning the change, and when it had returned (the change is in the kernel). */
  tSpawn: number;
  tReturn: number;
  match: (op: DeltaOp) => boolean;
}

export interface Change {
  kind: ChangeKind;
  nsKind: FixtureNs['kind'];
  /** Id of the namespace it touches (`new` for a namespace being added). */
  target: string;
  apply(): Promise<Applied>;
  /** Untimed repair after the change (link up does not bring back the routes link down flushed). */
  after?: () => Promise<void>;
}

const ifaceIn =
  (inode: number, pred: (v: Extract<DeltaOp, { entity: 'interface'; op: 'put' }>['value']) => boolean) =>
  (op: DeltaOp): boolean =>
    op.op === 'put' && op.entity === 'interface' && op.value.namespace === nsId(inode) && pred(op.value);

async function timed(argv: string[]): Promise<{ tSpawn: number; tReturn: number }> {
  const r = await cmd(argv);
  if (r.code !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr.trim()}`);
  return { tSpawn: r.t0, tReturn: r.t1 };
}

/** The pair of changes number j (both on the same namespace, the second undoes the first). */
export function changePair(fx: Fixture, j: number): [Change, Change] {
  const nss = fx.namespaces;
  // A stride coprime with the count visits every namespace (and so every kind) in turn.
  const stride = nss.length % 7 === 0 ? 11 : 7;
  const ns = nss[(j * stride) % nss.length] as FixtureNs;
  const o = fx.octets[0];
  const kind = j % 4;
  if (kind === 0) {
    const cidr = `10.${o + 4}.${ns.index & 255}.${1 + (j % 250)}/32`;
    const has = (want: boolean) =>
      ifaceIn(ns.inode, (v) => v.name === 'eth0' && v.addresses.some((a) => a.cidr === cidr) === want);
    return [
      {
        kind: 'addr-add',
        nsKind: ns.kind,
        target: nsId(ns.inode),
        apply: async () => ({
          ...(await timed(ipIn(ns, ['addr', 'add', cidr, 'dev', 'eth0']))),
          match: has(true),
        }),
      },
      {
        kind: 'addr-del',
        nsKind: ns.kind,
        target: nsId(ns.inode),
        apply: async () => ({
          ...(await timed(ipIn(ns, ['addr', 'del', cidr, 'dev', 'eth0']))),
          match: has(false),
        }),
      },
    ];
  }
  if (kind === 1) {
    const up = (want: boolean) =>
      ifaceIn(ns.inode, (v) => v.name === 'eth0' && v.flags.includes('UP') === want);
    return [
      {
        kind: 'link-down',
        nsKind: ns.kind,
        target: nsId(ns.inode),
        apply: async () => ({
          ...(await timed(ipIn(ns, ['link', 'set', 'eth0', 'down']))),
          match: up(false),
        }),
      },
      {
        kind: 'link-up',
        nsKind: ns.kind,
        target: nsId(ns.inode),
        apply: async () => ({ ...(await timed(ipIn(ns, ['link', 'set', 'eth0', 'up']))), match: up(true) }),
        // The kernel flushed the routes through eth0 when it went down; put them back (untimed).
        after: async () => {
          const extra = `10.${o + 2}.${ns.index & 255}.0/24`;
          await cmdOk(ipIn(ns, ['route', 'replace', 'default', 'via', ns.gateway]));
          await cmdOk(ipIn(ns, ['route', 'replace', extra, 'via', ns.gateway, 'metric', '10']));
        },
      },
    ];
  }
  if (kind === 2) {
    const dst = `10.${o + 5}.${ns.index & 255}.0/24`;
    return [
      {
        kind: 'route-add',
        nsKind: ns.kind,
        target: nsId(ns.inode),
        apply: async () => ({
          ...(await timed(ipIn(ns, ['route', 'add', dst, 'via', ns.gateway]))),
          match: (op) =>
            op.op === 'put' &&
            op.entity === 'route' &&
            op.value.namespace === nsId(ns.inode) &&
            op.value.dst === dst,
        }),
      },
      {
        kind: 'route-del',
        nsKind: ns.kind,
        target: nsId(ns.inode),
        apply: async () => ({
          ...(await timed(ipIn(ns, ['route', 'del', dst, 'via', ns.gateway]))),
          match: (op) =>
            op.op === 'remove' &&
            op.entity === 'route' &&
            namespaceOfRoute(op.id) === nsId(ns.inode) &&
            op.id.includes(`:${dst}:`),
        }),
      },
    ];
  }
  return namespacePair(fx, j, ns.kind);
}

/** Adds then removes a namespace of the given kind (named, process-held, bind-mount-only). */
function namespacePair(fx: Fixture, j: number, nsKind: FixtureNs['kind']): [Change, Change] {
  let inode = 0;
  let release: () => Promise<{ tSpawn: number; tReturn: number }> = () =>
    Promise.reject(new Error('not added'));
  const removed = (op: DeltaOp): boolean =>
    op.op === 'remove' && op.entity === 'namespace' && op.id === nsId(inode);
  const add: Change = {
    kind: 'netns-add',
    nsKind,
    target: 'new',
    apply: async () => {
      if (nsKind === 'named') {
        const name = `${fx.prefix}x${j}`;
        const t = await timed([IP, 'netns', 'add', name]);
        inode = (await stat(`/run/netns/${name}`)).ino;
        release = () => timed([IP, 'netns', 'del', name]);
        return {
          ...t,
          match: (op) => op.op === 'put' && op.entity === 'namespace' && op.value.netnsNames.includes(name),
        };
      }
      if (nsKind === 'process') {
        const tSpawn = performance.now();
        const { pid, child } = await startHolder(fx);
        const tReturn = performance.now();
        inode = (await stat(`/proc/${pid}/ns/net`)).ino;
        release = async () => {
          const t0 = performance.now();
          const exited = new Promise<number>((r) => child.once('exit', () => r(performance.now())));
          child.kill('SIGKILL');
          return { tSpawn: t0, tReturn: await exited };
        };
        return {
          tSpawn,
          tReturn,
          match: (op) => op.op === 'put' && op.entity === 'namespace' && op.value.pids.includes(pid),
        };
      }
      const name = `${fx.prefix}y${j}`;
      const tSpawn = performance.now();
      const path = await createBindNs(fx, name);
      const tReturn = performance.now();
      inode = (await stat(path)).ino;
      release = () => timed(['/usr/bin/umount', path]);
      return {
        tSpawn,
        tReturn,
        match: (op) => op.op === 'put' && op.entity === 'namespace' && op.value.mounts.includes(path),
      };
    },
  };
  const del: Change = {
    kind: 'netns-del',
    nsKind,
    target: 'added',
    apply: async () => ({ ...(await release()), match: removed }),
  };
  return [add, del];
}
