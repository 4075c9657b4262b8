/**
 * Randomized test topologies (seeded, so a failure can be replayed): a shell script over
 * namespaces given by path, with veth chains whose ifindexes collide across namespaces (every
 * chain end is the first veth of a fresh namespace), bridges, macvlans (one moved next door, so
 * its lower is in another namespace), vxlan, IPv4 and IPv6 addresses, routes in tables 100 and
 * 200, policy rules and links left down. Used by the differential kernel test.
 */

/** A small deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SceneCounts {
  /** veth pairs whose ends are in two different namespaces. */
  crossVeths: number;
  /** veth pairs inside one namespace. */
  localVeths: number;
}

/** `paths[i]` opens namespace i; `octet` picks 10.OCTET.x.y for this scene's addresses. */
export function randomScene(
  paths: string[],
  seed: number,
  octet: number,
): { script: string; counts: SceneCounts } {
  const rnd = prng(seed);
  const pick = (p: number) => rnd() < p;
  const ip = (i: number) => `nsenter --net=${paths[i]} ip`;
  const lines: string[] = ['set -e'];
  const counts: SceneCounts = { crossVeths: 0, localVeths: 0 };
  const up: string[][] = paths.map(() => []);
  // No IPv6 link-local addresses appearing later on their own: both reads must see one state.
  for (let i = 0; i < paths.length; i++) {
    lines.push(`nsenter --net=${paths[i]} sysctl -qw net.ipv6.conf.default.addr_gen_mode=1`);
    lines.push(`${ip(i)} link set lo up`);
  }
  for (let i = 0; i + 1 < paths.length; i++) {
    if (!pick(0.85)) continue;
    lines.push(`${ip(i)} link add c${i} type veth peer name c${i}p netns ${paths[i + 1]}`);
    counts.crossVeths++;
    lines.push(`${ip(i)} addr add 10.${octet}.${i}.1/24 dev c${i}`);
    lines.push(`${ip(i + 1)} addr add 10.${octet}.${i}.2/24 dev c${i}p`);
    if (pick(0.6)) lines.push(`${ip(i)} addr add fd${octet.toString(16)}:${i}::1/64 dev c${i} nodad`);
    if (pick(0.8)) up[i]!.push(`c${i}`);
    if (pick(0.8)) up[i + 1]!.push(`c${i}p`);
    if (pick(0.4)) {
      lines.push(`${ip(i)} link add m${i} link c${i} type macvlan mode bridge`);
      if (pick(0.5)) lines.push(`${ip(i)} link set m${i} netns ${paths[i + 1]}`);
    }
  }
  for (let i = 0; i < paths.length; i++) {
    if (pick(0.5)) {
      lines.push(`${ip(i)} link add br${i} type bridge`);
      lines.push(`${ip(i)} link add l${i} type veth peer name l${i}p`);
      counts.localVeths++;
      lines.push(`${ip(i)} link set l${i}p master br${i}`);
      up[i]!.push(`br${i}`, `l${i}p`);
      if (pick(0.7)) up[i]!.push(`l${i}`);
      lines.push(`${ip(i)} addr add 10.${octet}.${100 + i}.1/24 dev br${i}`);
    }
    if (pick(0.3))
      lines.push(
        `${ip(i)} link add vx${i} type vxlan id ${100 + i} dstport 4789 local 10.${octet}.200.${i + 1}`,
      );
    for (const l of up[i]!) lines.push(`${ip(i)} link set ${l} up`);
    if (pick(0.6)) {
      lines.push(`${ip(i)} route add blackhole 10.${octet}.${150 + i}.0/24 table 100`);
      lines.push(`${ip(i)} rule add from 10.${octet}.${i}.0/24 table 100`);
    }
    if (pick(0.4))
      lines.push(`${ip(i)} -6 route add blackhole fd${octet.toString(16)}:ff${i}::/64 table 200`);
  }
  for (let i = 0; i + 1 < paths.length; i++) {
    // A gateway only where the chain link exists and is up on this side.
    if (up[i]!.includes(`c${i}`) && pick(0.7)) {
      lines.push(`${ip(i)} route add 10.${octet}.${220 + i}.0/24 via 10.${octet}.${i}.2 table 100 || true`);
    }
  }
  return { script: lines.join('\n') + '\n', counts };
}
