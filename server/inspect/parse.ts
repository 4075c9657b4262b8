/** Pure parsers for the inspect endpoints: `ss -Hltnup` lines and firewall rule counts. */
import type { SocketRow } from '../../common/inspect.js';

export type { SocketRow };

/** Parses `ss -H -l -t -u -n -p` output: Netid State Recv-Q Send-Q Local Peer [users:(...)]. */
export function parseSs(stdout: string): SocketRow[] {
  const rows: SocketRow[] = [];
  for (const line of stdout.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 6) continue;
    const [proto = '', state = '', , , localPort = ''] = f;
    const rest = f.slice(6).join(' ');
    const cut = localPort.lastIndexOf(':');
    const local = cut >= 0 ? localPort.slice(0, cut) : localPort;
    const portText = cut >= 0 ? localPort.slice(cut + 1) : '';
    const port = /^\d+$/.test(portText) ? Number(portText) : null;
    const names: string[] = [];
    let pid: number | null = null;
    for (const m of rest.matchAll(/\("((?:[^"\\]|\\.)*)",pid=(\d+)/g)) {
      if (m[1] !== undefined && !names.includes(m[1])) names.push(m[1]);
      if (pid === null && m[2] !== undefined) pid = Number(m[2]);
    }
    rows.push({ proto, state, local, port, process: names.length ? names.join(',') : null, pid });
  }
  return rows;
}

/** Rules in `nft -j list ruleset` output (objects with a `rule` key). */
export function countNftRules(json: unknown): number {
  if (typeof json !== 'object' || json === null) return 0;
  const list = (json as { nftables?: unknown }).nftables;
  if (!Array.isArray(list)) return 0;
  return list.filter((x) => typeof x === 'object' && x !== null && 'rule' in x).length;
}

/** Rules in `iptables-save` output (lines starting with `-A`). */
export function countIptablesRules(text: string): number {
  return text.split('\n').filter((l) => l.startsWith('-A ')).length;
}
