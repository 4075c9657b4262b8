/**
 * Turns "something changed in namespace X" requests into discovery refreshes: bursts are
 * coalesced into one refresh (a short window), one refresh runs at a time and the latest request
 * wins; the result is diffed against what clients have (the sink holds it) and published as one delta.
 */
import type { Topology } from '../../common/model.js';
import { normalizeTopology } from '../../common/model.js';
import { diffTopology } from '../../common/delta.js';
import type {
  HostDevice,
  LiveDiscovery,
  LiveDiscoveryResult,
  RefreshOptions,
  SchedulerOptions,
  SchedulerSink,
} from './schedulerTypes.js';
import { describeRefresh, introducesUnresolved, sameFlags } from './schedulerTypes.js';
import type { MonitorDevice } from '../events/monitor.js';

/**
 * Namespaces read per refresh at most, asked for and new ones together (the rest wait for the
 * next refresh): bounds how long a runtime event waits behind someone's thousand new namespaces.
 */
const MAX_PER_REFRESH = 8;

export class RefreshScheduler {
  private inodes = new Set<number>();
  /** Namespaces a runtime event named (a container started or stopped): read ahead of the rest. */
  private urgentInodes = new Set<number>();
  /** Host devices (by name) events were about: the host's cheap partial read. */
  private hostDevices = new Map<string, HostDevice>();
  /** New namespaces that need host nsids once they have been shown. */
  private unnamed = new Set<number>();
  private wantList = false;
  private wantFull = false;
  /** The host's nsid map changed: fetch it (one cheap `ip` run), not the whole host. */
  private wantNsids = false;
  private resetReason: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private timerForHostOnly = false;
  /** Since when a read of the host is owed (it was left out of a refresh), or null. */
  private hostOwedSince: number | null = null;
  private running: Promise<void> | null = null;
  /** When the oldest request the next refresh answers was made (for the verbose log). */
  private askedAt: number | null = null;
  private stopped = false;
  private readonly log: (line: string) => void;

  constructor(
    private readonly discovery: Pick<LiveDiscovery, 'full' | 'refresh'> &
      Partial<Pick<LiveDiscovery, 'ensureHostNsids'>>,
    private readonly sink: SchedulerSink,
    private readonly opts: SchedulerOptions = {},
  ) {
    this.log = opts.log ?? (() => {});
  }

  /** The model as published (held by the sink, not here: one copy). */
  get topology(): Topology {
    return this.sink.current();
  }

  /**
   * A container started or stopped in these namespaces (runtime events): they are read in a
   * refresh of their own, before other pending work and without the host or other new namespaces.
   */
  urgent(inodes: Iterable<number>): void {
    for (const i of inodes) this.urgentInodes.add(i);
    this.request();
  }

  /** Re-read these namespaces (the namespace list is re-read too, cheaply). */
  namespaces(inodes: Iterable<number>): void {
    for (const i of inodes) this.inodes.add(i);
    this.request();
  }

  /**
   * An event in the host about one device: that device is read, not the whole host. Events
   * about the same device merge: the last link event says whether it was deleted; its routes
   * may be skipped only if link events alone named it, all with the same flags.
   */
  hostDevice(event: MonitorDevice): void {
    const { ifindex, name } = event;
    const known = this.hostDevices.get(name);
    const isLink = event.flags !== undefined || event.deleted === true;
    const flags = known ? (sameFlags(known.linkFlags, event.flags) ? event.flags : undefined) : event.flags;
    const deleted = isLink ? event.deleted === true : known?.deleted === true;
    this.hostDevices.set(name, {
      // Events naming the same device with different ifindexes: let the read find out.
      ifindex: known !== undefined && known.ifindex !== ifindex ? null : ifindex,
      name,
      ...(flags && !deleted ? { linkFlags: flags } : {}),
      ...(deleted ? { deleted } : {}),
    });
    this.request();
  }

  /**
   * New namespaces. They are shown first; then they get host nsids (three `ip` runs) so that the
   * monitor names them in its events, and are read once more: changes made before they had an
   * nsid were not reported.
   */
  added(inodes: Iterable<number>): void {
    for (const i of inodes) {
      this.inodes.add(i);
      this.unnamed.add(i);
    }
    this.request();
  }

  /** Namespaces may have come or gone: re-list them, read only new ones. */
  list(): void {
    this.wantList = true;
    this.request();
  }

  /** The host's nsid map changed (an nsid event, or an event from an nsid it lacks). */
  nsidMap(): void {
    this.wantNsids = true;
    this.request();
  }

  /** Re-read everything; with a reason, continuity was lost and clients get a new epoch. */
  full(resetReason?: string): void {
    this.wantFull = true;
    if (resetReason) this.resetReason = resetReason;
    this.request();
  }

  /** Resolves when no refresh is pending or running (tests and shutdown). */
  async idle(): Promise<void> {
    while (this.running || this.timer) {
      if (this.running) await this.running;
      else await new Promise((r) => setTimeout(r, this.opts.coalesceMs ?? 5));
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private pending(): boolean {
    return (
      this.wantFull ||
      this.wantList ||
      this.wantNsids ||
      this.inodes.size > 0 ||
      this.urgentInodes.size > 0 ||
      this.hostDevices.size > 0 ||
      this.hostOwedSince !== null
    );
  }

  /** A request for other namespaces does not wait behind the host's deferred read. */
  private request(): void {
    this.askedAt ??= performance.now();
    if (this.timer && this.timerForHostOnly) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.kick();
  }

  private kick(): void {
    if (this.stopped || this.timer || this.running || !this.pending()) return;
    // Only the host's owed read left: it waits for a quiet moment, so that changes coming in a
    // row elsewhere are not queued behind it.
    this.timerForHostOnly =
      !this.wantFull &&
      !this.wantList &&
      !this.wantNsids &&
      this.inodes.size === 0 &&
      this.urgentInodes.size === 0 &&
      this.hostDevices.size === 0;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.running = this.runOnce().finally(() => {
          this.running = null;
          this.kick();
        });
      },
      this.timerForHostOnly ? (this.opts.hostQuietMs ?? 30) : (this.opts.coalesceMs ?? 5),
    );
  }

  private async runOnce(): Promise<void> {
    // Before a pending full read too: that can take a minute at 1,000 namespaces on a busy host.
    if (this.urgentInodes.size > 0) return this.runUrgent();
    const full = this.wantFull;
    const reason = this.resetReason;
    // A bounded share of what is asked: the rest waits for the next refresh (and urgent work
    // goes between), so a thousand namespaces made at once do not make one minute-long refresh.
    const inodes = full
      ? [...this.inodes]
      : [...this.inodes].slice(0, this.opts.maxPerRefresh ?? MAX_PER_REFRESH);
    for (const i of inodes) this.inodes.delete(i);
    const host = this.opts.hostInode;
    // The owed host read runs alone when nothing else is asked, or with the rest once overdue.
    const owed = this.hostOwedSince;
    const overdue = owed !== null && Date.now() - owed >= (this.opts.hostMaxDeferMs ?? 500);
    const hostDevices = [...this.hostDevices.values()];
    this.hostDevices.clear();
    const quiet = inodes.length === 0 && !this.wantList && hostDevices.length === 0;
    if (host !== undefined && owed !== null && (overdue || quiet)) {
      if (!inodes.includes(host)) inodes.push(host);
    }
    // New namespaces still waiting to be read are named after their read.
    const unnamed = [...this.unnamed].filter((i) => !this.inodes.has(i));
    for (const i of unnamed) this.unnamed.delete(i);
    const nsids = this.wantNsids;
    this.wantNsids = false;
    // Monitor events about namespaces we have: the last scan serves (discovery checks it still does).
    const reuseScan = !this.wantList && unnamed.length === 0;
    const what = full ? 'full read' : describeRefresh(inodes.length, hostDevices.length, this.wantList);
    const t0 = performance.now();
    const waited = t0 - (this.askedAt ?? t0);
    this.askedAt = null;
    this.wantFull = false;
    this.wantList = false;
    this.resetReason = null;
    if (full) this.inodes.clear();
    let result: LiveDiscoveryResult;
    let hostLater = false;
    try {
      ({ result, hostLater } = full
        ? { result: await this.discovery.full(), hostLater: false }
        : await this.read(inodes, !overdue, {
            reuseScan,
            newLimit: Math.max(0, (this.opts.maxPerRefresh ?? MAX_PER_REFRESH) - inodes.length),
            ...(hostDevices.length > 0 ? { hostDevices } : {}),
          }));
      const took = Math.round(performance.now() - t0);
      if (took > 1000 && !this.opts.verbose) this.log(`slow ${what}: ${took} ms`);
    } catch (e) {
      // Discovery should absorb vanished namespaces itself; if it still fails, keep the last
      // good state and try a full read again shortly.
      this.log(`refresh failed: ${e instanceof Error ? e.message : String(e)}; full resync soon`);
      if (reason) this.resetReason = reason;
      for (const i of unnamed) this.unnamed.add(i);
      if (nsids) this.wantNsids = true;
      for (const d of hostDevices) this.hostDevices.set(d.name, d);
      setTimeout(() => this.full(reason ?? undefined), this.opts.retryMs ?? 1000).unref();
      return;
    }
    if (this.stopped) return;
    const t1 = performance.now();
    const published = this.publish(result, reason);
    if (this.opts.verbose) {
      const ms = (a: number, b: number) => `${Math.round(b - a)} ms`;
      const rest = `read ${ms(t0, t1)}, diff and publish ${ms(t1, performance.now())}`;
      this.log(
        `refresh ${what}${hostLater ? ', host later' : ''}: waited ${ms(0, waited)}, ${rest}: ${published}`,
      );
    }
    this.sink.errors(result.errors);
    if (hostLater) this.hostOwedSince ??= Date.now();
    else if (full || (host !== undefined && inodes.includes(host))) this.hostOwedSince = null;
    if (result.leftOut) this.wantList = true;
    const found = (result.newWithoutHost ?? []).filter((i) => !unnamed.includes(i));
    if (unnamed.length + found.length > 0 || nsids) await this.nameNew([...unnamed, ...found]);
  }

  /** Diffs a result against what clients have and publishes it; says what was published. */
  private publish(result: LiveDiscoveryResult, reason: string | null): string {
    const next = normalizeTopology(result.topology);
    this.sink.hostNsids(result.hostNsids);
    if (reason) {
      this.sink.reset(next, reason);
      return `reset (${reason})`;
    }
    const ops = diffTopology(this.sink.current(), next);
    if (!ops) return 'no change';
    this.sink.delta(ops, next);
    return `${ops.length} operation${ops.length === 1 ? '' : 's'}`;
  }

  /**
   * The namespaces of containers that started or stopped, alone: no other new namespace (newLimit
   * 0) and not the host (its read is owed instead), so a name waits only for its own namespace.
   */
  private async runUrgent(): Promise<void> {
    const inodes = [...this.urgentInodes];
    this.urgentInodes.clear();
    const t0 = performance.now();
    this.askedAt = null;
    const host = this.opts.hostInode;
    let result: LiveDiscoveryResult;
    try {
      result = await this.discovery.refresh(inodes, {
        newLimit: 0,
        ...(host !== undefined ? { deferHost: true } : {}),
      });
    } catch (e) {
      this.log(`container refresh failed: ${e instanceof Error ? e.message : String(e)}; read with the rest`);
      for (const i of inodes) this.inodes.add(i);
      this.wantList = true;
      return;
    }
    if (this.stopped) return;
    const published = this.publish(result, null);
    if (this.opts.verbose)
      this.log(
        `refresh ${inodes.length} container namespace(s): read ${Math.round(performance.now() - t0)} ms: ${published}`,
      );
    this.sink.errors(result.errors);
    if (result.leftOut) this.wantList = true;
    const fresh = result.newWithoutHost ?? [];
    if (fresh.length > 0) {
      if (!this.discovery.ensureHostNsids) this.hostOwedSince ??= Date.now();
      await this.nameNew(fresh);
    }
  }

  /**
   * Gives new namespaces host nsids, so that the monitor names them in its events, and reads
   * them once more (what changed before they had one was not reported). The host's nsid map
   * comes back with the assignment; if it does not, the host's next read brings it.
   */
  private async nameNew(unnamed: number[]): Promise<void> {
    let map: Map<number, number> | null | void = null;
    try {
      map = await this.discovery.ensureHostNsids?.(unnamed);
    } catch (e) {
      this.log(`assigning nsids failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    for (const i of unnamed) this.inodes.add(i);
    if (map) this.sink.hostNsids(map);
    else if (this.opts.hostInode !== undefined) this.hostOwedSince ??= Date.now();
  }

  /**
   * A refresh that reads the host last when other namespaces changed with it (a link going down
   * in X also changes its peer in the host), unless publishing without the host would show a
   * veth end whose peer is not found (a new or deleted pair crossing into the host): then the
   * host is read before anything is published.
   */
  private async read(
    inodes: number[],
    split: boolean,
    opts: RefreshOptions,
  ): Promise<{ result: LiveDiscoveryResult; hostLater: boolean }> {
    const host = this.opts.hostInode;
    const others = inodes.filter((i) => i !== host);
    // Nothing to split when the host is all that was asked for.
    const hostAlone = inodes.length > 0 && others.length === 0;
    if (host === undefined || !split || hostAlone) {
      return { result: await this.discovery.refresh(inodes, opts), hostLater: false };
    }
    const early = await this.discovery.refresh(others, { ...opts, deferHost: true });
    // New namespaces get their nsids (and the host's map) from nameNew; without it, from a read.
    const mapOwed = early.newWithoutHost !== undefined && !this.discovery.ensureHostNsids;
    const hostWanted = others.length < inodes.length || mapOwed;
    if (!hostWanted) return { result: early, hostLater: false };
    if (introducesUnresolved(this.sink.current(), early.topology)) {
      return { result: await this.discovery.refresh([host], { reuseScan: true }), hostLater: false };
    }
    return { result: early, hostLater: true };
  }
}
