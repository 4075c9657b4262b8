/**
 * What every action shares: resolving ids against the topology, running `ip` inside a namespace
 * (nsenter --net=PATH /usr/sbin/ip, never a shell, never -batch, never `netns exec`), one global
 * lock, name reservations for fast 409s, ownership (tags, ledger) and the audit journal.
 */
import { randomBytes } from 'node:crypto';
import { IP, NSENTER, run } from '../exec/run.js';
import type { ModelAccess } from '../modelAccess.js';
import type { Interface, Namespace, NamespaceKind } from '../../common/model.js';
import { AuditLog, type CommandRecord, type Made } from './audit.js';
import { ActionError, conflict, forbidden, ipFailure, notFound } from './errors.js';
import type { Checkpoints, LiveConnections } from './checkpoint.js';
import { IntentJournal, SELF_START } from './intents.js';

export const TAG_PREFIX = 'netns-explorer:';

/**
 * The alias a device we make carries: `netns-explorer:<op>@<pid>.<start>`. The writer (pid and
 * its start time) lets the crash recovery of another server on the same machine, which keeps
 * another journal, leave the devices of a server that is still running alone.
 */
export function deviceTag(opId: string): string {
  return `${TAG_PREFIX}${opId}@${process.pid}.${SELF_START}`;
}

/** The op and, in tags that name one, the writer; null for an alias that is no tag of ours. */
export function parseTag(alias: string | null | undefined): TagInfo | null {
  if (!alias?.startsWith(TAG_PREFIX)) return null;
  const m = /^([^@]*)@([1-9][0-9]{0,9})\.([0-9]{0,20})$/.exec(alias.slice(TAG_PREFIX.length));
  if (!m) return { op: alias.slice(TAG_PREFIX.length), writer: null };
  return { op: m[1]!, writer: m[3] ? { pid: Number(m[2]), start: m[3] } : null };
}

export interface TagInfo {
  op: string;
  /** The server process that made the device; null in tags written before writers were named. */
  writer: { pid: number; start: string } | null;
}
export const DEFAULT_CONFIRM_WINDOW_MS = 20_000;
/** Routes netns-explorer adds carry this protocol number, so it can tell them apart. */
export const ROUTE_PROTO = '252';

/** The model access (getTopology, namespacePath, onKernelChanged) plus the server's settings. */
export interface ActionDepsCore extends ModelAccess {
  readOnly: boolean;
  allowHostChanges: boolean;
  auditLogPath: string;
  /** Intent journal (crash recovery); default `<auditLogPath>.intents`, none if the log is a device. */
  intentLogPath?: string;
  /** Window for confirming a host change (checkpoint.ts); default 20 s, 0 = no checkpoints. */
  confirmWindowMs?: number;
  /** The live server's WebSocket connections (a host change bound to one rolls back when it closes). */
  liveConnections?: LiveConnections;
  /**
   * Inode of a namespace treated as the host as well (guard, shield, checkpoints): lets kernel
   * tests point the server at a namespace that stands in for the host.
   */
  hostStandInInode?: number;
  /** Registers work the live server awaits before it closes (pending checkpoints roll back). */
  beforeClose?: (fn: () => Promise<void>) => void;
}

export interface NsRef {
  id: string;
  inode: number;
  kind: NamespaceKind;
  path: string;
  netnsNames: string[];
}

/** The fresh kernel view of one device (`ip -j -d link show dev X`). */
export interface FreshLink {
  ifindex: number;
  ifname: string;
  ifalias?: string;
  /** MAC (lower case); with name and namespace it identifies a device we made before its tag. */
  address?: string;
  master?: string;
  flags?: string[];
  link_netnsid?: number;
  linkinfo?: { info_kind?: string; info_slave_kind?: string };
}

export class Ledger {
  readonly namespaces = new Set<string>();
  readonly addresses = new Set<string>();
  apply(made?: Made, unmade?: Made): void {
    for (const n of made?.namespaces ?? []) this.namespaces.add(n);
    for (const a of made?.addresses ?? []) this.addresses.add(a);
    for (const n of unmade?.namespaces ?? []) this.namespaces.delete(n);
    for (const a of unmade?.addresses ?? []) this.addresses.delete(a);
  }
}

/** The programs an action runs and their timeout. */
export interface IpTools {
  ip: string;
  nsenter: string;
  timeoutMs: number;
}
export const DEFAULT_TOOLS: Readonly<IpTools> = Object.freeze({
  ip: IP,
  nsenter: NSENTER,
  timeoutMs: 10_000,
});

export const addressKey = (nsId: string, ifname: string, cidr: string) => `${nsId}|${ifname}|${cidr}`;

export class ActionContext {
  readonly audit: AuditLog;
  readonly ledger = new Ledger();
  readonly intents: IntentJournal;
  /**
   * Test seam (stub binaries, short timeouts). Never set from deps or requests: the router builds
   * its context itself, so nothing reachable over HTTP can change what runs as root.
   */
  tools: Readonly<IpTools> = DEFAULT_TOOLS;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly reserved = new Set<string>();

  /** Host changes waiting for confirmation; set by the router (null: none are checkpointed). */
  checkpoints: Checkpoints | null = null;

  constructor(readonly deps: ActionDepsCore) {
    this.audit = new AuditLog(deps.auditLogPath);
    this.intents = IntentJournal.beside(deps.auditLogPath, deps.intentLogPath);
    for (const r of this.audit.readMade()) this.ledger.apply(r.made, r.unmade);
  }

  /** Resolves a namespace id that exists in the topology and has a path we can enter. */
  ns(id: string, field: string): NsRef {
    const n: Namespace | undefined = this.deps.getTopology().namespaces.find((x) => x.id === id);
    if (!n) throw notFound(`namespace ${id} does not exist`, field);
    // `/proc/self` would mean the `ip` process itself (already inside another namespace) when
    // the path is used as `netns PATH`: pin it to the server's pid.
    const path = this.deps
      .namespacePath(id)
      ?.replace(/^\/proc\/(self|thread-self)\//, `/proc/${process.pid}/`);
    // An absolute path: `ip ... netns VALUE` reads a value without `/` as a /run/netns name.
    if (!path || !path.startsWith('/'))
      throw notFound(`namespace ${id} cannot be entered (it may have vanished)`, field);
    const kind = n.inode === this.deps.hostStandInInode ? 'host' : n.kind;
    return { id, inode: n.inode, kind, path, netnsNames: n.netnsNames };
  }

  iface(id: string, field: string): Interface {
    const i = this.deps.getTopology().interfaces.find((x) => x.id === id);
    if (!i) throw notFound(`interface ${id} does not exist`, field);
    return i;
  }

  /** Serialises every mutation (TOCTOU on names and ownership); reads and validation run outside. */
  async locked<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.chain.then(fn);
    this.chain = result.catch(() => undefined);
    return result;
  }

  /** Claims names in namespaces for the duration of a request; a second claimant gets 409. */
  reserve(keys: Array<{ key: string; field: string }>): () => void {
    for (const k of keys) {
      if (this.reserved.has(k.key))
        throw conflict(`${k.key.split('/')[1]} is being changed by another request`, k.field);
    }
    for (const k of keys) this.reserved.add(k.key);
    return () => keys.forEach((k) => this.reserved.delete(k.key));
  }

  /** Refuses destructive changes to host devices/addresses/routes we did not make. */
  guardHost(ns: NsRef, owned: boolean, what: string, field?: string): void {
    if (ns.kind === 'host' && !owned && !this.deps.allowHostChanges) {
      throw forbidden(
        'host_protected',
        `${what} is in the host namespace and was not created by netns-explorer; start with --allow-host-changes to change it`,
        field,
      );
    }
  }
}

export const newOpId = () => randomBytes(4).toString('hex');

/** One request's commands: every `ip` run is recorded for the audit journal. */
export class Op {
  readonly id = newOpId();
  readonly commands: CommandRecord[] = [];

  constructor(readonly ctx: ActionContext) {}

  /** argv for `ip ARGS` inside ns (null: the server's own namespaces, for `ip netns add/del`). */
  static argv(
    ns: NsRef | null,
    args: readonly string[],
    tools: Pick<IpTools, 'ip' | 'nsenter'> = DEFAULT_TOOLS,
  ): [string, string[]] {
    if (!ns) return [tools.ip, [...args]];
    return [tools.nsenter, [`--net=${ns.path}`, '--', tools.ip, ...args]];
  }

  async tryIp(ns: NsRef | null, args: readonly string[]) {
    const tools = this.ctx.tools;
    const [file, argv] = Op.argv(ns, args, tools);
    const t0 = Date.now();
    const r = await run(file, argv, { timeoutMs: tools.timeoutMs });
    this.commands.push({
      argv: [file, ...argv],
      rc: r.exitCode,
      durationMs: Date.now() - t0,
      ...(r.timedOut ? { timedOut: true } : {}),
    });
    return r;
  }

  async ip(ns: NsRef | null, args: readonly string[], what: string, field?: string): Promise<string> {
    const r = await this.tryIp(ns, args);
    if (r.exitCode !== 0 || r.timedOut) throw ipFailure(r, what, field);
    return r.stdout;
  }

  /** Fresh view of a device by name, or null when it does not exist. */
  async link(ns: NsRef, name: string, field?: string): Promise<FreshLink | null> {
    const r = await this.tryIp(ns, ['-j', '-d', 'link', 'show', 'dev', name]);
    if (r.exitCode !== 0) {
      const e = ipFailure(r, `reading ${name}`, field);
      if (e.status === 404 && e.code !== 'namespace_gone') return null;
      throw e;
    }
    const parsed = JSON.parse(r.stdout.trim() || '[]') as FreshLink[];
    return parsed[0] ?? null;
  }

  /** Fresh view of a model interface; 409 if its name now belongs to another ifindex. */
  async freshIface(iface: Interface, ns: NsRef, field: string): Promise<FreshLink> {
    const l = await this.link(ns, iface.name, field);
    if (!l) throw notFound(`interface ${iface.name} no longer exists`, field);
    if (l.ifindex !== iface.ifindex)
      throw new ActionError(
        409,
        'stale',
        `interface ${iface.name} changed since the page last saw it; try again`,
        field,
      );
    return l;
  }
}

export const isTagged = (l: FreshLink | null | undefined) => !!l?.ifalias?.startsWith(TAG_PREFIX);
