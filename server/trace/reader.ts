/**
 * The thin shell of the trace: runs read-only commands inside a namespace (by path, through
 * nsenter and server/exec/run.ts) and hands their parsed answers to the engine. Nothing here
 * changes the kernel; nothing stays inside a namespace after a read.
 */
import { IP, NSENTER, run } from '../exec/run.js';
import { parseSs } from '../inspect/parse.js';
import type { SocketRow } from '../../common/inspect.js';
import type { FdbFacts, LinkFacts, NeighFacts, RouteAnswer, SysctlFacts } from './facts.js';
import { jsonArray, parseAddrShow, parseFdb, parseNeigh, parseRouteGet, parseSysctlGrep } from './facts.js';
import type { FirewallTools, LegacyRead } from './legacy.js';
import { TABLE_NAMES, firewallTools, parseNamesGrep, readLegacyRules } from './legacy.js';
import { hasXt } from './iptablesNft.js';

export const SS = '/usr/bin/ss';
export const NFT = '/usr/sbin/nft';
export const BRIDGE = '/usr/sbin/bridge';
const GREP = '/usr/bin/grep';

export interface RouteQuery {
  to: string;
  from?: string | null;
  iif?: string | null;
  /** Firewall mark (policy rules with fwmark); null or absent: none. */
  mark?: number | null;
}

export interface NamespaceRead {
  links: LinkFacts[];
  neigh: NeighFacts[];
  route: RouteAnswer;
  /** The route query as a command line (what the hop shows). */
  routeCommand: string;
}

/** iptables-nft-save and ip6tables-nft-save output (null: that tool is not installed). */
export interface IptablesNftText {
  text: string;
  text6: string | null;
}

export type FirewallRead =
  /** `iptables`: the tables iptables-nft manages, read where the ruleset has xt expressions. */
  | { tool: 'nft'; json: unknown; iptables?: IptablesNftText }
  /** iptables-save output of the nft backend, where `nft` itself is not installed. */
  | ({ tool: 'iptables' } & IptablesNftText)
  | { tool: 'none' }
  | { tool: 'error'; error: string };

/** Everything that filters in a namespace: nftables (or iptables-nft) and legacy iptables. */
export interface FirewallReads {
  main: FirewallRead;
  legacy: LegacyRead;
}

/** Links and neighbours of one namespace with the answers to several route questions. */
export interface NamespaceReads {
  links: LinkFacts[];
  neigh: NeighFacts[];
  routes: Array<{ route: RouteAnswer; routeCommand: string }>;
}

/** What the engine asks of the kernel (tests feed recorded answers instead). */
export interface TraceReader {
  /** Links and neighbours, plus the route decision for `q` (none when q is null). */
  read(path: string, q: RouteQuery | null): Promise<NamespaceRead>;
  /** The same for several route questions in one run (optional: a reader without it is asked one by one). */
  readMany?(path: string, qs: RouteQuery[]): Promise<NamespaceReads>;
  sysctls(path: string): Promise<SysctlFacts>;
  firewall(path: string): Promise<FirewallRead>;
  /** Legacy (x_tables) rules, read only where a table exists (legacy.ts). */
  legacy(path: string): Promise<LegacyRead>;
  fdb(path: string, bridge: string): Promise<FdbFacts[]>;
  listeners(path: string): Promise<SocketRow[]>;
  /** Forget what is kept between traces about namespaces other than these (by inode). */
  retain?(inodes: Set<number>): void;
}

export function routeGetArgs(q: RouteQuery): string[] {
  const args = ['route', 'get', q.to];
  if (q.from) args.push('from', q.from);
  if (q.iif) args.push('iif', q.iif);
  if (q.mark) args.push('mark', String(q.mark));
  return args;
}

const inNs = (path: string, file: string, args: string[]): [string, string[]] => [
  NSENTER,
  [`--net=${path}`, file, ...args],
];

function failure(what: string, r: { exitCode: number; stderr: string; timedOut: boolean }): Error {
  return new Error(`${what}: ${r.timedOut ? 'timed out' : r.stderr.trim() || `exit ${r.exitCode}`}`);
}

/**
 * Splits the output of one `ip -force -b -` run of `addr show`, `neigh show` and route questions:
 * a failed line prints nothing on stdout, only its error and `Command failed -:N` on stderr, so
 * the failed lines are known by number and the JSON lines fill the others in order (pure).
 */
export interface BatchPart {
  /** The line's JSON output, undefined when it failed. */
  json: string | undefined;
  /** Its error message on stderr, '' when it worked. */
  error: string;
}

export function splitBatch(stdout: string, stderr: string, questions: number): BatchPart[] | null {
  const lines = stdout.split('\n').filter((l) => l.trim().startsWith('['));
  const errors = new Map<number, string>();
  let pending: string[] = [];
  for (const l of stderr.split('\n')) {
    const m = /^Command failed -:(\d+)/.exec(l.trim());
    if (m) {
      errors.set(Number(m[1]), pending.join('\n'));
      pending = [];
    } else if (l.trim()) pending.push(l.trim());
  }
  if (errors.has(1) || errors.has(2) || lines.length < 2) return null;
  const out: BatchPart[] = [
    { json: lines[0], error: '' },
    { json: lines[1], error: '' },
  ];
  let next = 2;
  for (let n = 3; n < 3 + questions; n++) {
    const err = errors.get(n);
    out.push(err !== undefined ? { json: undefined, error: err } : { json: lines[next++], error: '' });
  }
  return out;
}

/** `read` in terms of `readMany`: one question (or none: links and neighbours only). */
export function readOne(readMany: NonNullable<TraceReader['readMany']>): TraceReader['read'] {
  return async (path, q) => {
    const r = await readMany(path, q ? [q] : []);
    return {
      links: r.links,
      neigh: r.neigh,
      route: r.routes[0]?.route ?? { ok: false, error: 'not asked' },
      routeCommand: r.routes[0]?.routeCommand ?? 'ip -d addr show',
    };
  };
}

/** `tools`: which firewall tools to use (tests choose; default: what is installed). */
export function kernelReader(tools: FirewallTools = firewallTools()): TraceReader {
  const readMany = async (path: string, qs: RouteQuery[]): Promise<NamespaceReads> => {
    // One ip process: links, neighbours, then every route decision.
    const input = `addr show\nneigh show\n${qs.map((q) => `${routeGetArgs(q).join(' ')}\n`).join('')}`;
    const r = await run(...inNs(path, IP, ['-j', '-d', '-force', '-b', '-']), { input, timeoutMs: 5000 });
    const parts = r.timedOut ? null : splitBatch(r.stdout, r.stderr, qs.length);
    if (!parts) throw failure(`ip in ${path}`, r);
    return {
      links: parseAddrShow(jsonArray(parts[0]?.json)),
      neigh: parseNeigh(jsonArray(parts[1]?.json)),
      routes: qs.map((q, i) => ({
        route: parseRouteGet(parts[2 + i]?.json, parts[2 + i]?.error ?? ''),
        routeCommand: `ip ${routeGetArgs(q).join(' ')}`,
      })),
    };
  };
  return {
    readMany,
    read: readOne(readMany),
    async sysctls(path) {
      const files = ['/proc/sys/net/ipv4/ip_forward', '/proc/sys/net/ipv4/conf', '/proc/sys/net/ipv6/conf'];
      const args = ['-r', '-H', '--include=rp_filter', '--include=forwarding', '--include=ip_forward', '.'];
      const r = await run(...inNs(path, GREP, [...args, ...files]), { timeoutMs: 5000 });
      if (r.timedOut || (r.exitCode !== 0 && !r.stdout)) throw failure(`sysctls in ${path}`, r);
      return parseSysctlGrep(r.stdout);
    },
    async firewall(path) {
      const saveNft = async (): Promise<IptablesNftText | { error: string }> => {
        const save = tools.nftSave!;
        const [v4, v6] = await Promise.all(
          [save.v4, save.v6].map((t) => (t ? run(...inNs(path, t, []), { timeoutMs: 5000 }) : null)),
        );
        for (const r of [v4, v6])
          if (r && (r.exitCode !== 0 || r.timedOut))
            return { error: failure('iptables-nft-save', r).message };
        return { text: v4?.stdout ?? '', text6: v6?.stdout ?? null };
      };
      if (tools.nft) {
        const r = await run(...inNs(path, tools.nft, ['-j', 'list', 'ruleset']), { timeoutMs: 5000 });
        if (r.exitCode !== 0 || r.timedOut) return { tool: 'error', error: failure('nft', r).message };
        let json: unknown;
        try {
          json = r.stdout.trim() ? (JSON.parse(r.stdout) as unknown) : { nftables: [] };
        } catch (e) {
          return { tool: 'error', error: `nft printed no JSON: ${String(e)}` };
        }
        // iptables-nft's own matches are opaque to nft -j: its save output tells them.
        if (!tools.nftSave || !hasXt(json)) return { tool: 'nft', json };
        const iptables = await saveNft();
        return 'error' in iptables ? { tool: 'nft', json } : { tool: 'nft', json, iptables };
      }
      if (!tools.nftSave) return { tool: 'none' };
      const text = await saveNft();
      return 'error' in text ? { tool: 'error', error: text.error } : { tool: 'iptables', ...text };
    },
    async legacy(path) {
      // `-s`: a family whose x_tables are not in this kernel has no file (and no rules).
      const r = await run(...inNs(path, GREP, ['-H', '-s', '', TABLE_NAMES.v4, TABLE_NAMES.v6]), {
        timeoutMs: 5000,
      });
      if (r.timedOut || r.stderr.trim()) throw failure(`x_tables names in ${path}`, r);
      return readLegacyRules(path, parseNamesGrep(r.stdout), tools);
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
