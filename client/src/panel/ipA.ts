/** `ip a`-style text for one interface, from the model. Pure. */
import type { Interface } from '../../../common/model.js';

export interface IpAContext {
  /** ifindex of the veth peer (what ip prints as `@ifN`), when known. */
  peerIfindex: number | null;
  masterName: string | null;
}

export function ipALines(i: Interface, ctx: IpAContext): string[] {
  const isVeth = i.kind === 'veth';
  const name = isVeth ? `${i.name}@${ctx.peerIfindex !== null ? `if${ctx.peerIfindex}` : 'NONE'}` : i.name;
  const master = ctx.masterName ? ` master ${ctx.masterName}` : '';
  const lines = [`${i.ifindex}: ${name}: <${i.flags.join(',')}> mtu ${i.mtu}${master} state ${i.state}`];
  const linkType = i.kind === 'loopback' ? 'loopback' : 'ether';
  if (i.mac) lines.push(`    link/${linkType} ${i.mac}`);
  for (const a of i.addresses) {
    const brd = a.broadcast ? ` brd ${a.broadcast}` : '';
    lines.push(`    ${a.family} ${a.cidr}${brd} scope ${a.scope}${a.family === 'inet' ? ` ${i.name}` : ''}`);
  }
  return lines;
}
