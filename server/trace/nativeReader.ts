/**
 * The trace's questions asked without starting processes: each read is one visit of a native
 * thread to the namespace (nativeAsk.ts) that sends netlink requests there and reads
 * /proc/sys/net, the answers parsed here (nlReplies.ts). The kernel still decides every route
 * (RTM_GETROUTE is `ip route get`). The firewall is the exception: nftables' ruleset is still
 * read by `nft -j`, but only when the namespace's ruleset generation changed since the last read
 * (firewallCache.ts). Where the native reader is not built, `chooseTraceReader` gives reader.ts.
 */
import type { SocketRow } from '../../common/inspect.js';
import type { RouteNames } from '../native/names.js';
import { loadRouteNames } from '../native/names.js';
import type { FdbFacts, LinkFacts, SysctlFacts } from './facts.js';
import { FirewallCache } from './firewallCache.js';
import type { AskResult } from './nativeAsk.js';
import { NETLINK_NETFILTER, NETLINK_ROUTE, NETLINK_SOCK_DIAG, askNamespace, askStatus } from './nativeAsk.js';
import {
  fdbFacts,
  linkFacts,
  neighFacts,
  nftGeneration,
  nftTableCount,
  routeAnswer,
  socketRowsWithInodes,
  sysctlFacts,
} from './nlReplies.js';
import {
  AF_BRIDGE,
  addrDump,
  linkDump,
  listenerDumps,
  neighDump,
  nftGetGen,
  nftTableDump,
  routeGet,
} from './nlRequests.js';
import type { FirewallRead, NamespaceReads, RouteQuery, TraceReader } from './reader.js';
import { kernelReader, readOne, routeGetArgs } from './reader.js';
import type { FirewallTools, LegacyRead } from './legacy.js';
import { firewallTools, readLegacyRules } from './legacy.js';
import { parseTableNames } from './iptablesParse.js';
import type { SocketOwner } from './socketOwners.js';
import { processesIn, socketOwners, withOwners } from './socketOwners.js';

const SYSCTL_FILES = [
  '/proc/sys/net/ipv4/ip_forward',
  '/proc/sys/net/ipv4/conf/*/rp_filter',
  '/proc/sys/net/ipv4/conf/*/forwarding',
  '/proc/sys/net/ipv6/conf/*/rp_filter',
  '/proc/sys/net/ipv6/conf/*/forwarding',
];

const route = (message: Buffer) => ({ protocol: NETLINK_ROUTE, message });

/** Rulesets by namespace for the life of the server (shared by every trace). */
const rulesets = new FirewallCache();

/**
 * x_tables' table lists as the native thread sees them: /proc/net is /proc/self/net, the netns of
 * the process's main thread; thread-self follows the thread that entered the namespace.
 */
const TABLE_FILES = {
  v4: '/proc/thread-self/net/ip_tables_names',
  v6: '/proc/thread-self/net/ip6_tables_names',
};

let names: RouteNames | null = null;

export interface NativeTraceReaderOptions {
  /** Reads the ruleset when its generation changed (default: reader.ts's `nft`). */
  firewall?: (path: string) => Promise<FirewallRead>;
  cache?: FirewallCache;
  /** Which firewall tools to use (default: what is installed). */
  tools?: FirewallTools;
}

export function nativeTraceReader(opts: NativeTraceReaderOptions = {}): TraceReader {
  const tools = opts.tools ?? firewallTools();
  const fallback = kernelReader(tools);
  const readRuleset = opts.firewall ?? ((path: string) => fallback.firewall(path));
  const cache = opts.cache ?? rulesets;
  const routeNames = () => (names ??= loadRouteNames());

  /** Links from a visit whose first requests were the link and address dumps (and `more` dumps). */
  const linksOf = (r: AskResult, path: string, more = 0): LinkFacts[] => {
    const failed = r.replies.slice(0, 2 + more).find((x) => x.errno);
    if (failed) throw new Error(`netlink dump in ${path}: ${failed.message ?? failed.errno}`);
    return linkFacts(r.replies[0]!.bytes, r.replies[1]!.bytes, routeNames());
  };

  const readMany = async (path: string, qs: RouteQuery[]): Promise<NamespaceReads> => {
    // Questions with an input interface need its index, known after the link dump: a second visit.
    const direct = qs.filter((q) => !q.iif);
    const first = await askNamespace({
      path,
      requests: [linkDump(), addrDump(), neighDump(0), ...direct.map((q) => routeGet(q, null))].map(route),
      files: [],
    });
    const links = linksOf(first, path, 1);
    const answers = new Map(direct.map((q, i) => [q, first.replies[3 + i]!]));
    const viaIif = qs.filter((q) => q.iif);
    const indexed = viaIif.map((q) => ({ q, link: links.find((l) => l.name === q.iif) }));
    const known = indexed.filter((x) => x.link);
    if (known.length) {
      const second = await askNamespace({
        path,
        requests: known.map((x) => route(routeGet(x.q, x.link!.ifindex))),
        files: [],
      });
      known.forEach((x, i) => answers.set(x.q, second.replies[i]!));
    }
    return {
      links,
      neigh: neighFacts(first.replies[2]!.bytes, links),
      routes: qs.map((q) => {
        const reply = answers.get(q);
        return {
          route: reply
            ? routeAnswer(reply, links, routeNames())
            : { ok: false as const, error: `Cannot find device "${q.iif ?? ''}"` },
          routeCommand: `ip ${routeGetArgs(q).join(' ')}`,
        };
      }),
    };
  };

  return {
    readMany,
    read: readOne(readMany),
    async sysctls(path): Promise<SysctlFacts> {
      const r = await askNamespace({ path, requests: [], files: SYSCTL_FILES });
      return sysctlFacts(r.files);
    },
    async firewall(path): Promise<FirewallRead> {
      if (!tools.nft) return readRuleset(path);
      const r = await askNamespace({
        path,
        requests: [nftGetGen(), nftTableDump()].map((message) => ({ protocol: NETLINK_NETFILTER, message })),
        files: [],
      });
      const [gen, tables] = r.replies;
      const generation = gen!.errno === 0 ? nftGeneration(gen!.bytes) : null;
      if (generation === null || !r.cookie) return readRuleset(path);
      const hit = cache.get(r.inode, r.cookie, generation);
      if (hit) return hit;
      // No table at all: the ruleset is empty, as `nft -j list ruleset` would print it.
      const read: FirewallRead =
        tables!.errno === 0 && nftTableCount(tables!.bytes) === 0
          ? { tool: 'nft', json: { nftables: [] } }
          : await readRuleset(path);
      if (read.tool === 'nft') cache.set(r.inode, r.cookie, generation, read);
      return read;
    },
    async legacy(path): Promise<LegacyRead> {
      const r = await askNamespace({ path, requests: [], files: [TABLE_FILES.v4, TABLE_FILES.v6] });
      const value = (file: string) => r.files.find((f) => f.path === file)?.value ?? null;
      const tables = {
        v4: parseTableNames(value(TABLE_FILES.v4)),
        v6: parseTableNames(value(TABLE_FILES.v6)),
      };
      return readLegacyRules(path, tables, tools);
    },
    async fdb(path, bridge): Promise<FdbFacts[]> {
      const r = await askNamespace({
        path,
        requests: [linkDump(), addrDump(), neighDump(AF_BRIDGE)].map(route),
        files: [],
      });
      return fdbFacts(r.replies[2]!.bytes, linksOf(r, path, 1), bridge);
    },
    async listeners(path): Promise<SocketRow[]> {
      const diag = listenerDumps().map((message) => ({ protocol: NETLINK_SOCK_DIAG, message }));
      const r = await askNamespace({
        path,
        requests: [linkDump(), addrDump()].map(route).concat(diag),
        files: [],
      });
      const links = linksOf(r, path, diag.length);
      const rows = socketRowsWithInodes(
        r.replies.slice(2).map((x) => x.bytes),
        ['udp', 'udp', 'tcp', 'tcp'],
        links,
      );
      // Their processes, as `ss -p` names them: sock_diag knows only the sockets' inodes.
      const owners = rows.length
        ? await socketOwners(await processesIn(r.inode), new Set(rows.map((x) => x.inode)))
        : new Map<number, SocketOwner[]>();
      return withOwners(rows, owners);
    },
    retain(inodes) {
      cache.retain(inodes);
    },
  };
}

/** The native reader when it is built, else the process-based one. */
export function chooseTraceReader(): TraceReader {
  return askStatus().available ? nativeTraceReader() : kernelReader();
}
