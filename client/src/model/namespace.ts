/** What the canvas and the side panel both say about a namespace. Pure. */
import type { ContainerRef, Namespace } from '../../../common/model.js';

export const KIND_LABEL: Record<Namespace['kind'], string> = {
  host: 'host',
  named: 'ip netns',
  process: 'process',
  container: 'container',
};

/** Container ids are 64 hex digits; people (and `docker ps`) know them by the first 12. */
const SHORT_CONTAINER_ID = 12;

export function containerLabel(c: ContainerRef): string {
  return c.name ?? shortContainerId(c);
}

/** The short form of every container id, for search. */
export function shortContainerId(c: ContainerRef): string {
  return c.id.slice(0, SHORT_CONTAINER_ID);
}

/** The container a box is labelled with: the one that owns the namespace, else the first. */
export function mainContainer(ns: Namespace): ContainerRef | undefined {
  return ns.containers.find((c) => !c.sharedNamespace) ?? ns.containers[0];
}

/** "shared by 3 processes, 2 containers" when more than one user holds the namespace. */
export function sharingText(ns: Namespace): string | null {
  const p = ns.pids.length;
  const c = ns.containers.length;
  if (p <= 1 && c <= 1) return null;
  const parts: string[] = [];
  if (p > 1) parts.push(`${p} processes`);
  if (c > 1) parts.push(`${c} containers`);
  else if (c === 1 && ns.containers[0]?.sharedNamespace) parts.push('1 container');
  return `shared by ${parts.join(', ')}`;
}
