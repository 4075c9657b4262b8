/** Pure: the groups (compose project, Kubernetes namespace, podman pod) of namespaces' containers. */
import type { ContainerGroup, Namespace, Topology } from '../../../common/model.js';

const KIND_LABEL: Record<ContainerGroup['kind'], string> = {
  compose: 'compose',
  kubernetes: 'k8s ns',
  pod: 'pod',
};

/** `compose shop`, `k8s ns prod`, `pod web`: what a box shows and a filter lists. */
export function groupLabel(g: ContainerGroup): string {
  return `${KIND_LABEL[g.kind]} ${g.name}`;
}

/** The distinct group labels of one namespace's containers, sorted. */
export function namespaceGroups(ns: Namespace): string[] {
  const out = new Set<string>();
  for (const c of ns.containers) if (c.group) out.add(groupLabel(c.group));
  return [...out].sort();
}

/** Every group label in the topology with how many namespaces carry it (for a filter list). */
export function topologyGroups(t: Topology): Map<string, number> {
  const out = new Map<string, number>();
  for (const n of t.namespaces) for (const g of namespaceGroups(n)) out.set(g, (out.get(g) ?? 0) + 1);
  return new Map([...out].sort(([a], [b]) => a.localeCompare(b)));
}

/** The box's container line: one container's name, or a pod's members' names. */
export function containersText(ns: Namespace): string | null {
  const named = ns.containers.filter((c) => !c.sharedNamespace);
  if (named.length <= 1) return null;
  return `${named[0]!.runtime}: ${named.map((c) => c.name ?? c.id.slice(0, 12)).join(', ')}`;
}
