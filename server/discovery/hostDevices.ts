/**
 * The host namespace's cheap partial read: the devices kernel events were about, merged into
 * the cached read of the whole host (deviceRead.ts), in one or two requests to the read server.
 */
import type { HostDeviceEvent } from './api.js';
import type { DeviceAsk } from './deviceRead.js';
import {
  linkOnly,
  mergeDeviceRead,
  parseDeviceReads,
  parseExisting,
  readableDeviceName,
  removeDevice,
} from './deviceRead.js';
import type { Scan } from './enumerate.js';
import { openPaths } from './enumerate.js';
import type { NamespaceRead } from './ipParse.js';
import type { ReadOutcome } from './reader.js';
import type { ReadServer } from './readServer.js';

/** Up to this many host devices an event was about are read alone; more: the whole host. */
const MAX_DEVICE_READS = 64;

/**
 * Reads these host devices into the cached host read (`cache`); false when that could not be
 * done (the caller then reads the whole host).
 */
export async function readHostDevices(
  scan: Scan,
  devices: ReadonlyArray<HostDeviceEvent>,
  cache: Map<number, ReadOutcome>,
  readServer: ReadServer,
): Promise<boolean> {
  const host = scan.namespaces.get(scan.hostInode);
  const o = cache.get(scan.hostInode);
  if (!host || !o || !('read' in o) || devices.length > MAX_DEVICE_READS) return false;
  const ours = scan.hostPath === '/proc/self/ns/net';
  const path = ours ? '' : (openPaths(host, scan)[0] ?? '');
  if (!ours && !path) return false;
  if (!devices.every((d) => readableDeviceName(d.name))) return false;
  // Known by name only (a route event): the device the cached read has under that name.
  const known = devices.map(
    (d) => d.ifindex ?? o.read.links.find((l) => l.iface.name === d.name)?.iface.ifindex,
  );
  if (known.some((i) => i === undefined)) return false;
  const ask = (asks: DeviceAsk[], existence: boolean) =>
    readServer.read({ withNsids: false, path, mountNs: null, devices: asks, existence, timeoutMs: 10_000 });
  // A deleted link event is not proof (a bridge port leaving its bridge gets one too): the
  // devices it names are looked up, and only those missing are dropped.
  const gone = new Set<number>();
  const deleted = devices.flatMap((d, i) => (d.deleted ? [i] : []));
  if (deleted.length > 0) {
    const r = await ask(
      deleted.map((i) => ({ name: devices[i]!.name, routes: false })),
      true,
    );
    const present = r.timedOut || r.exitCode < 0 ? null : parseExisting(r.stdout);
    if (!present) return false;
    for (const i of deleted) {
      const name = devices[i]!.name;
      const at = present.get(name);
      if (at === known[i]) continue;
      // Absent from the output is not enough (nsenter or ip may have failed): ip must say so.
      if (at === undefined && !r.stderr.includes(`Device "${name}" does not exist.`)) return false;
      gone.add(i);
    }
  }
  const live = devices.flatMap((d, i) => (gone.has(i) ? [] : [i]));
  const asks = live.map((i) => ({
    name: devices[i]!.name,
    routes: !linkOnly(o.read, known[i]!, devices[i]!.linkFlags),
  }));
  // All of them in one `ip -b` run: a bridge's ports often change together.
  const r = asks.length > 0 ? await ask(asks, false) : null;
  const found = r === null ? [] : r.exitCode === 0 ? parseDeviceReads(scan.hostInode, asks, r.stdout) : null;
  if (!found) return false;
  let read: NamespaceRead | null = o.read;
  for (const i of gone) read = read && removeDevice(read, known[i]!, devices[i]!.name);
  live.forEach((i, j) => (read = read && mergeDeviceRead(read, known[i]!, devices[i]!.name, found[j]!)));
  if (!read) return false;
  cache.set(scan.hostInode, { read });
  return true;
}
