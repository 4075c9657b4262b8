/**
 * Kernel test support: namespaces of the three kinds discovery knows (named, held only by a
 * process, held only by a bind mount), made under a unique prefix and removed by `remove()`,
 * and the part of a topology that belongs to given namespaces (the machine is shared: other
 * namespaces come and go while a test runs).
 */
import { mkdir, rmdir, writeFile } from 'node:fs/promises';
import { statSync } from 'node:fs';
import type { Topology } from '../common/model.js';
import type { Holder } from './kernel.js';
import { sh, spawnNetnsHolder } from './kernel.js';

export type NsKind = 'named' | 'process' | 'bind';

export interface TestNamespaces {
  paths: string[];
  inodes: number[];
  remove(): Promise<void>;
}

export async function makeNamespaces(prefix: string, kinds: NsKind[]): Promise<TestNamespaces> {
  const holders: Holder[] = [];
  const binds: string[] = [];
  const named: string[] = [];
  const dir = `/run/${prefix}-binds`;
  let dirMounted = false;
  const remove = async () => {
    for (const h of holders) await h.stop();
    for (const n of named) await sh(`ip netns del ${n} 2>/dev/null || true`);
    for (const b of binds) await sh(`umount ${b} 2>/dev/null || true; rm -f ${b}`);
    if (dirMounted) await sh(`umount ${dir} 2>/dev/null || true`);
    await rmdir(dir).catch(() => undefined);
  };
  try {
    const paths: string[] = [];
    for (const [i, kind] of kinds.entries()) {
      if (kind === 'named') {
        const name = `${prefix}${i}`;
        await sh(`ip netns add ${name}`);
        named.push(name);
        paths.push(`/run/netns/${name}`);
      } else if (kind === 'process') {
        const h = await spawnNetnsHolder();
        holders.push(h);
        paths.push(h.path);
      } else {
        if (!dirMounted) {
          // unshare --net=FILE needs a private mount above the file (as ip netns has /run/netns).
          await mkdir(dir, { recursive: true });
          await sh(`mount --bind ${dir} ${dir} && mount --make-private ${dir}`);
          dirMounted = true;
        }
        const path = `${dir}/b${i}`;
        await writeFile(path, '');
        binds.push(path);
        await sh(`unshare --net=${path} /bin/true`);
        paths.push(path);
      }
    }
    return { paths, inodes: paths.map((p) => statSync(p).ino), remove };
  } catch (e) {
    await remove();
    throw e;
  }
}

/** The namespaces, interfaces, routes and veth links of these namespaces only. */
export function partOf(t: Topology, inodes: readonly number[]): Topology {
  const ns = new Set(inodes.map((i) => `ns-${i}`));
  const ifs = new Set(t.interfaces.filter((i) => ns.has(i.namespace)).map((i) => i.id));
  return {
    version: t.version,
    namespaces: t.namespaces.filter((n) => ns.has(n.id)),
    interfaces: t.interfaces.filter((i) => ns.has(i.namespace)),
    routes: t.routes.filter((r) => ns.has(r.namespace)),
    links: t.links.filter((l) => ifs.has(l.a) || ifs.has(l.b)),
  };
}
