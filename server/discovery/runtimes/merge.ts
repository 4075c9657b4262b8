/**
 * Pure: the containers of one namespace, from its processes' cgroups (which runtime, which id),
 * its task pids (runtimes that name containers freely, like `ctr run ID`), Docker's names and the
 * other runtimes' inventory. A pod's sandbox names the namespace but is not listed as a workload.
 */
import type { ContainerRef } from '../../../common/model.js';
import type { DockerContainer } from '../docker.js';
import type { CgroupContainer } from '../procParse.js';
import type { Inventory } from './inventory.js';
import type { RuntimeContainer } from './types.js';

export interface NamespaceContainers {
  containers: ContainerRef[];
  /** The pod whose sandbox (or whose members) live here: `namespace/pod` or a podman pod's name. */
  pod: string | null;
}

export function namespaceContainers(
  pids: readonly number[],
  cgroups: ReadonlyMap<number, CgroupContainer>,
  isHost: boolean,
  docker: ReadonlyMap<string, DockerContainer> | null,
  inventory: Inventory | null,
): NamespaceContainers {
  const found = new Map<string, { runtime: string; rt: RuntimeContainer | undefined }>();
  for (const c of cgroups.values()) {
    if (!found.has(c.id)) found.set(c.id, { runtime: c.runtime, rt: inventory?.byId.get(c.id) });
  }
  if (inventory && inventory.byPid.size > 0) {
    for (const pid of pids) {
      const rt = inventory.byPid.get(pid);
      if (rt && !found.has(rt.id)) found.set(rt.id, { runtime: rt.runtime, rt });
    }
  }
  const refs: ContainerRef[] = [];
  let pod: string | null = null;
  for (const [id, { runtime, rt }] of found) {
    if (rt?.pod && !isHost) pod ??= rt.pod;
    if (rt?.infra) continue;
    const d = runtime === 'docker' ? docker?.get(id) : undefined;
    const mode = d?.networkMode ?? null;
    refs.push({
      runtime: rt?.runtime ?? runtime,
      id,
      // An LXC container's id is its name (see parseCgroup).
      name: d?.name ?? rt?.name ?? (runtime === 'lxc' ? id : null),
      image: d?.image ?? rt?.image ?? null,
      pod: rt?.pod ?? null,
      group: d?.group ?? rt?.group ?? null,
      sharedNamespace: isHost || mode === 'host' || (mode !== null && mode.startsWith('container:')),
    });
  }
  refs.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { containers: refs, pod };
}
