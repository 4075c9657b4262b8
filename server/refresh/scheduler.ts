/**
 * Turns "something changed in namespace X" requests into discovery refreshes: bursts are
 * coalesced into one refresh (a short window), one refresh runs at a time and the latest request
 * wins; the result is diffed against what clients have (the sink holds it) and published as one delta.
 */
import type { Topology } from '../../common/model.js';
import type {
  HostDevice,
  LiveDiscovery,
  LiveDiscoveryResult,
  SchedulerOptions,
  SchedulerSink,
} from './schedulerTypes.js';
import { describeRefresh } from './schedulerTypes.js';
import { mergeHostDevice, publishResult, readHostLast } from './schedulerSteps.js';
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

  /** An event in the host about one device: that device is read, not the whole host. */
  hostDevice(event: MonitorDevice): void {
    this.hostDevices.set(event.name, mergeHostDevice(this.hostDevices.get(event.name), event));
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
        : await readHostLast(this.discovery, this.sink, host, inodes, !overdue, {
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
    const published = publishResult(this.sink, result, reason);
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
    const published = publishResult(this.sink, result, null);
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
}
