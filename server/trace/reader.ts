/**
 * The thin shell of the trace: runs read-only commands inside a namespace (by path, through
 * nsenter and server/exec/run.ts) and hands their parsed answers to the engine. Nothing here
 * changes the kernel; nothing stays inside a namespace after a read.
 */
import { access } from 'node:fs/promises';
import { IP, NSENTER, run } from '../exec/run.js';
import { parseSs } from '../inspect/parse.js';
import type { SocketRow } from '../../common/inspect.js';
import type { FdbFacts, LinkFacts, NeighFacts, RouteAnswer, SysctlFacts } from './facts.js';
import { jsonArray, parseAddrShow, parseFdb, parseNeigh, parseRouteGet, parseSysctlGrep } from './facts.js';

export const SS = '/usr/bin/ss';
export const NFT = '/usr/sbin/nft';
export const IPTABLES_SAVE = '/usr/sbin/iptables-save';
export const BRIDGE = '/usr/sbin/bridge';
const GREP = '/usr/bin/grep';

export interface RouteQuery {
  to: string;
  from?: string | null;
  iif?: string | null;
}

export interface NamespaceRead {
  links: LinkFacts[];
  neigh: NeighFacts[];
  route: RouteAnswer;
  /** The route query as a command line (what the hop shows). */
  routeCommand: string;
}

export type FirewallRead =
  | { tool: 'nft'; json: unknown }
  | { tool: 'iptables'; text: string }
  | { tool: 'none' }
  | { tool: 'error'; error: string };

/** What the engine asks of the kernel (tests feed recorded answers instead). */
export interface TraceReader {
  /** Links and neighbours, plus the route decision for `q` (none when q is null). */
  read(path: string, q: RouteQuery | null): Promise<NamespaceRead>;
  sysctls(path: string): Promise<SysctlFacts>;
  firewall(path: string): Promise<FirewallRead>;
  fdb(path: string, bridge: string): Promise<FdbFacts[]>;
  listeners(path: string): Promise<SocketRow[]>;
}

export function routeGetArgs(q: RouteQuery): string[] {
  const args = ['route', 'get', q.to];
  if (q.from) args.push('from', q.from);
  if (q.iif) args.push('iif', q.iif);
  return args;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

const inNs = (path: string, file: string, args: string[]): [string, string[]] => [
  NSENTER,
  [`--net=${path}`, file, ...args],
];

function failure(what: string, r: { exitCode: number; stderr: string; timedOut: boolean }): Error {
  return new Error(`${what}: ${r.timedOut ? 'timed out' : r.stderr.trim() || `exit ${r.exitCode}`}`);
}

export function kernelReader(): TraceReader {
  return {
    async read(path, q) {
      // One ip process: links, neighbours, then the route decision (last: -force goes on after a
      // failing line, and a failed route get prints nothing on stdout, only its error).
      const input = `addr show\nneigh show\n${q ? `${routeGetArgs(q).join(' ')}\n` : ''}`;
      const r = await run(...inNs(path, IP, ['-j', '-d', '-force', '-b', '-']), { input, timeoutMs: 5000 });
      const lines = r.stdout.split('\n').filter((l) => l.trim().startsWith('['));
      if (lines.length < 2) throw failure(`ip in ${path}`, r);
      return {
        links: parseAddrShow(jsonArray(lines[0])),
        neigh: parseNeigh(jsonArray(lines[1])),
        route: q ? parseRouteGet(lines[2], r.stderr) : { ok: false, error: 'not asked' },
        routeCommand: q ? `ip ${routeGetArgs(q).join(' ')}` : 'ip -d addr show',
      };
    },
    async sysctls(path) {
      const files = ['/proc/sys/net/ipv4/ip_forward', '/proc/sys/net/ipv4/conf', '/proc/sys/net/ipv6/conf'];
      const args = ['-r', '-H', '--include=rp_filter', '--include=forwarding', '--include=ip_forward', '.'];
      const r = await run(...inNs(path, GREP, [...args, ...files]), { timeoutMs: 5000 });
      if (r.timedOut || (r.exitCode !== 0 && !r.stdout)) throw failure(`sysctls in ${path}`, r);
      return parseSysctlGrep(r.stdout);
    },
    async firewall(path) {
      if (await exists(NFT)) {
        const r = await run(...inNs(path, NFT, ['-j', 'list', 'ruleset']), { timeoutMs: 5000 });
        if (r.exitCode !== 0 || r.timedOut) return { tool: 'error', error: failure('nft', r).message };
        try {
          return {
            tool: 'nft',
            json: r.stdout.trim() ? (JSON.parse(r.stdout) as unknown) : { nftables: [] },
          };
        } catch (e) {
          return { tool: 'error', error: `nft printed no JSON: ${String(e)}` };
        }
      }
      if (await exists(IPTABLES_SAVE)) {
        const r = await run(...inNs(path, IPTABLES_SAVE, []), { timeoutMs: 5000 });
        if (r.exitCode !== 0 || r.timedOut)
          return { tool: 'error', error: failure('iptables-save', r).message };
        return { tool: 'iptables', text: r.stdout };
      }
      return { tool: 'none' };
    },
    async fdb(path, bridge) {
      const r = await run(...inNs(path, BRIDGE, ['-j', 'fdb', 'show', 'br', bridge]), { timeoutMs: 5000 });
      if (r.exitCode !== 0 || r.timedOut) throw failure(`bridge fdb in ${path}`, r);
      return parseFdb(jsonArray(r.stdout.trim().split('\n')[0]));
    },
    async listeners(path) {
      const r = await run(...inNs(path, SS, ['-Hltunp']), { timeoutMs: 5000 });
      if (r.exitCode !== 0 || r.timedOut) throw failure(`ss in ${path}`, r);
      return parseSs(r.stdout);
    },
  };
}
