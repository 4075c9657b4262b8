/**
 * Parses what an agent reads of its VXLAN devices: `ip -j -d link show type vxlan` and
 * `bridge -j fdb show`, run in one namespace, into the facts the hub pairs across nodes.
 * Pure: tested over recorded output.
 */
import { z } from 'zod';
import { ifId } from '../../common/ids.js';
import type { GeneveFact, VxlanFact } from '../../common/cluster.js';

const vxlanLinkSchema = z.object({
  ifindex: z.number().int().positive(),
  ifname: z.string(),
  linkinfo: z.object({
    info_kind: z.literal('vxlan'),
    info_data: z.object({
      id: z.number().int().nonnegative(),
      local: z.string().optional(),
      remote: z.string().optional(),
      port: z.number().int().nonnegative().optional(),
    }),
  }),
});

const fdbSchema = z.object({ ifname: z.string().optional(), dst: z.string().optional() });

/** `ip -d link show type vxlan` prints plain links too on old versions: keep only vxlan ones. */
export function parseVxlanFacts(nsInode: number, linkJson: string, fdbJson: string): VxlanFact[] {
  const links = z.array(z.unknown()).parse(JSON.parse(linkJson.trim() || '[]'));
  const fdb = z.array(z.unknown()).parse(JSON.parse(fdbJson.trim() || '[]'));
  const remotesOf = new Map<string, Set<string>>();
  for (const raw of fdb) {
    const e = fdbSchema.safeParse(raw);
    if (!e.success || e.data.ifname === undefined || e.data.dst === undefined) continue;
    const set = remotesOf.get(e.data.ifname) ?? new Set<string>();
    set.add(e.data.dst);
    remotesOf.set(e.data.ifname, set);
  }
  const facts: VxlanFact[] = [];
  for (const raw of links) {
    const l = vxlanLinkSchema.safeParse(raw);
    if (!l.success) continue;
    const d = l.data.linkinfo.info_data;
    const remotes = new Set(remotesOf.get(l.data.ifname) ?? []);
    if (d.remote !== undefined) remotes.add(d.remote);
    facts.push({
      interface: ifId(nsInode, l.data.ifindex),
      vni: d.id,
      local: d.local ?? null,
      remotes: [...remotes].sort(),
      dstport: d.port ?? 8472,
    });
  }
  return facts.sort((a, b) => (a.interface < b.interface ? -1 : 1));
}

const geneveLinkSchema = z.object({
  ifindex: z.number().int().positive(),
  linkinfo: z.object({
    info_kind: z.literal('geneve'),
    info_data: z.object({
      id: z.number().int().nonnegative(),
      remote: z.string().optional(),
      remote6: z.string().optional(),
      port: z.number().int().nonnegative().optional(),
    }),
  }),
});

/**
 * `ip -j -d link show type geneve` in one namespace: VNI (`id`), `remote` or `remote6` (absent
 * in `external` mode), `port` (iproute2 prints the UDP destination port under that key; 6081 by
 * default). Written from iproute2's output format: this kernel has no geneve to record from.
 */
export function parseGeneveFacts(nsInode: number, linkJson: string): GeneveFact[] {
  const links = z.array(z.unknown()).parse(JSON.parse(linkJson.trim() || '[]'));
  const facts: GeneveFact[] = [];
  for (const raw of links) {
    const l = geneveLinkSchema.safeParse(raw);
    if (!l.success) continue;
    const d = l.data.linkinfo.info_data;
    facts.push({
      interface: ifId(nsInode, l.data.ifindex),
      vni: d.id,
      remote: d.remote ?? d.remote6 ?? null,
      dstport: d.port ?? 6081,
    });
  }
  return facts.sort((a, b) => (a.interface < b.interface ? -1 : 1));
}
