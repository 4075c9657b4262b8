/**
 * The scheduler's steps that need none of its queues: merging host-device events, publishing a
 * result as a delta or a reset, and reading the host after the rest when a refresh includes it.
 */
import { diffTopology } from '../../common/delta.js';
import { normalizeTopology } from '../../common/model.js';
import type { MonitorDevice } from '../events/monitor.js';
import type {
  HostDevice,
  LiveDiscovery,
  LiveDiscoveryResult,
  RefreshOptions,
  SchedulerSink,
} from './schedulerTypes.js';
import { introducesUnresolved, sameFlags } from './schedulerTypes.js';

/**
 * An event about a host device merged into what earlier events said: the last link event says
 * whether it was deleted; its routes may be skipped only if link events alone named it, all with
 * the same flags.
 */
export function mergeHostDevice(known: HostDevice | undefined, event: MonitorDevice): HostDevice {
  const { ifindex, name } = event;
  const isLink = event.flags !== undefined || event.deleted === true;
  const flags = known ? (sameFlags(known.linkFlags, event.flags) ? event.flags : undefined) : event.flags;
  const deleted = isLink ? event.deleted === true : known?.deleted === true;
  return {
    // Events naming the same device with different ifindexes: let the read find out.
    ifindex: known !== undefined && known.ifindex !== ifindex ? null : ifindex,
    name,
    ...(flags && !deleted ? { linkFlags: flags } : {}),
    ...(deleted ? { deleted } : {}),
  };
}

/** Diffs a result against what clients have and publishes it; says what was published. */
export function publishResult(
  sink: SchedulerSink,
  result: LiveDiscoveryResult,
  reason: string | null,
): string {
  const next = normalizeTopology(result.topology);
  sink.hostNsids(result.hostNsids);
  if (reason) {
    sink.reset(next, reason);
    return `reset (${reason})`;
  }
  const ops = diffTopology(sink.current(), next);
  if (!ops) return 'no change';
  sink.delta(ops, next);
  return `${ops.length} operation${ops.length === 1 ? '' : 's'}`;
}

/**
 * A refresh that reads the host last when other namespaces changed with it (a link going down
 * in X also changes its peer in the host), unless publishing without the host would show a
 * veth end whose peer is not found (a new or deleted pair crossing into the host): then the
 * host is read before anything is published.
 */
export async function readHostLast(
  discovery: Pick<LiveDiscovery, 'refresh'> & Partial<Pick<LiveDiscovery, 'ensureHostNsids'>>,
  sink: SchedulerSink,
  host: number | undefined,
  inodes: number[],
  split: boolean,
  opts: RefreshOptions,
): Promise<{ result: LiveDiscoveryResult; hostLater: boolean }> {
  const others = inodes.filter((i) => i !== host);
  // Nothing to split when the host is all that was asked for.
  const hostAlone = inodes.length > 0 && others.length === 0;
  if (host === undefined || !split || hostAlone) {
    return { result: await discovery.refresh(inodes, opts), hostLater: false };
  }
  const early = await discovery.refresh(others, { ...opts, deferHost: true });
  // New namespaces get their nsids (and the host's map) from nameNew; without it, from a read.
  const mapOwed = early.newWithoutHost !== undefined && !discovery.ensureHostNsids;
  const hostWanted = others.length < inodes.length || mapOwed;
  if (!hostWanted) return { result: early, hostLater: false };
  if (introducesUnresolved(sink.current(), early.topology)) {
    return { result: await discovery.refresh([host], { reuseScan: true }), hostLater: false };
  }
  return { result: early, hostLater: true };
}
