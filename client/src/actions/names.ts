/** Pure helpers for proposing interface names (≤ 15 bytes, unique in their namespace). */
import type { Topology } from '../../../common/model.js';

export function namesIn(topology: Topology | null | undefined, nsId: string): Set<string> {
  return new Set((topology?.interfaces ?? []).filter((i) => i.namespace === nsId).map((i) => i.name));
}

/** First `base` + n (n = 0, 1, ...) that is free in `taken`, trimmed so it fits 15 bytes. */
export function proposeName(base: string, taken: ReadonlySet<string>): string {
  for (let n = 0; ; n++) {
    const suffix = String(n);
    const name = `${base.slice(0, 15 - suffix.length)}${suffix}`;
    if (!taken.has(name)) return name;
  }
}

/** Names for both ends of a new veth; distinct from each other when both are in one namespace. */
export function proposeVethNames(
  topology: Topology | null | undefined,
  a: string,
  b: string,
): [string, string] {
  const ta = namesIn(topology, a);
  const nameA = proposeName('veth', ta);
  const tb = a === b ? new Set([...ta, nameA]) : namesIn(topology, b);
  return [nameA, proposeName(a === b ? 'veth' : 'veth', tb)];
}
