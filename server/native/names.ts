/**
 * Names iproute2 prints for route tables, protocols and scopes: its built-in tables overlaid with
 * /etc/iproute2/{rt_tables,rt_protos,rt_scopes} and their `.d/*.conf`, as ip reads them, so that
 * a native read names things exactly as `ip -j` does on this host.
 */
import { readFileSync, readdirSync } from 'node:fs';

export interface RouteNames {
  table: Map<number, string>;
  protocol: Map<number, string>;
  scope: Map<number, string>;
}

const BUILTIN: Record<keyof RouteNames, Array<[number, string]>> = {
  table: [
    [0, 'unspec'],
    [253, 'default'],
    [254, 'main'],
    [255, 'local'],
  ],
  protocol: [
    [0, 'unspec'],
    [1, 'redirect'],
    [2, 'kernel'],
    [3, 'boot'],
    [4, 'static'],
    [8, 'gated'],
    [9, 'ra'],
    [10, 'mrt'],
    [11, 'zebra'],
    [12, 'bird'],
    [13, 'dnrouted'],
    [14, 'xorp'],
    [15, 'ntk'],
    [16, 'dhcp'],
    [18, 'keepalived'],
    [42, 'babel'],
    [99, 'openr'],
    [186, 'bgp'],
    [187, 'isis'],
    [188, 'ospf'],
    [189, 'rip'],
    [192, 'eigrp'],
  ],
  scope: [
    [0, 'global'],
    [200, 'site'],
    [253, 'link'],
    [254, 'host'],
    [255, 'nowhere'],
  ],
};

/** Parses an iproute2 `NUMBER NAME` file (decimal or 0x hex numbers, `#` comments). */
export function parseNameFile(text: string): Array<[number, string]> {
  const out: Array<[number, string]> = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(0x[0-9a-fA-F]+|[0-9]+)\s+([^\s#]+)/.exec(line);
    if (m) out.push([Number(m[1]), m[2]!]);
  }
  return out;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function confFiles(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.conf'))
      .sort()
      .map((f) => `${dir}/${f}`);
  } catch {
    return [];
  }
}

const FILES: Record<keyof RouteNames, string> = {
  table: 'rt_tables',
  protocol: 'rt_protos',
  scope: 'rt_scopes',
};

export function loadRouteNames(dir = '/etc/iproute2'): RouteNames {
  const build = (k: keyof RouteNames) => {
    const m = new Map(BUILTIN[k]);
    for (const f of [`${dir}/${FILES[k]}`, ...confFiles(`${dir}/${FILES[k]}.d`)]) {
      for (const [n, name] of parseNameFile(readText(f))) m.set(n, name);
    }
    return m;
  };
  return { table: build('table'), protocol: build('protocol'), scope: build('scope') };
}

export function nameOf(map: Map<number, string>, n: number): string {
  return map.get(n) ?? String(n);
}
