/**
 * A podman container with its own storage (--root/--runroot), found by discovery with default
 * options: named through the storage its conmon names, and podman is never run with its default
 * storage, which would create /var/lib/containers, /run/containers and /run/libpod on a host that
 * had none. Asserted on what discovery spawns (every podman argv names the container's root and
 * runroot): the directories themselves may be made meanwhile by any other podman user of a shared
 * host (an older explorer seeing this container does), which says nothing about ours. They are
 * checked too when this run is alone with them: absent before and no podman of anyone else running.
 */
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscovery } from '../index.js';
import { collectRuntimes } from './inventory.js';
import { onSpawn } from '../../exec/run.js';
import { cleanupPrefix, pollUntil, sh, uniquePrefix } from '../../../test/kernel.js';
import type { PodmanHarness } from '../../../test/runtimes.js';
import { busyboxRootfs, runtimesMissing, startPodman } from '../../../test/runtimes.js';

const P = uniquePrefix('rs');
const ROOTFS = `/tmp/${P}-rootfs`;
const DEFAULT_STORAGE = ['/var/lib/containers', '/run/containers', '/run/libpod'];
let pm: PodmanHarness;
/** Default storage paths this host did not have before the test. */
let absentBefore: string[] = [];

const defaultStorageMounts = () =>
  readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((m) => DEFAULT_STORAGE.some((d) => m === d || m.startsWith(`${d}/`)));

beforeAll(async () => {
  const missing = runtimesMissing();
  if (missing) throw new Error(missing);
  absentBefore = DEFAULT_STORAGE.filter((d) => !existsSync(d));
  await busyboxRootfs(ROOTFS);
  pm = await startPodman(P);
}, 120_000);

afterAll(async () => {
  await pm?.stop();
  await cleanupPrefix(P);
  await sh(`rm -rf ${ROOTFS}`);
}, 120_000);

describe('podman with its own storage', () => {
  it('is named through the storage its conmon names, and podman’s default storage is not created', async () => {
    await pm.podman(`run -d --network none --name ${P}own --rootfs ${ROOTFS} /bin/sleep 3600`);
    const [ps] = JSON.parse(await pm.podman(`ps --filter name=${P}own --format json`)) as Array<{
      Id: string;
      Pid: number;
    }>;
    const spawned: string[][] = [];
    const unlisten = onSpawn((argv) => void (argv[0] === '/usr/bin/podman' && spawned.push([...argv])));

    // What discovery asks with default options (no socket, no CLI arguments) when a cgroup says
    // podman; the runtimes' own deadline may pass once on a busy host, so ask until it answered.
    const named = await pollUntil(
      async () => {
        const inv = await collectRuntimes(
          { containerdSocket: `/tmp/${P}-absent.sock`, crioSocket: `/tmp/${P}-absent.sock` },
          { podman: true, podmanPids: [ps!.Pid] },
        );
        return inv.byPid.get(ps!.Pid);
      },
      'podman asked with the container’s storage',
      60_000,
    );
    expect([named!.runtime, named!.id, named!.name]).toEqual(['podman', ps!.Id, `${P}own`]);
    // And a whole read of the host, as the live server's first one.
    const { topology } = await createDiscovery({
      runtimes: { containerdSocket: `/tmp/${P}-absent.sock` },
    }).full();
    expect(topology.namespaces.some((n) => n.pids.includes(ps!.Pid))).toBe(true);
    unlisten();
    const root = `/tmp/${P}-podman/root`;
    expect(spawned.length).toBeGreaterThan(0);
    for (const argv of spawned) {
      expect(argv.slice(1, 5)).toEqual(['--root', root, '--runroot', `/tmp/${P}-podman/runroot`]);
    }
    const othersPodman = (await sh(`pgrep -x podman || true`)).trim() !== '';
    if (!othersPodman && absentBefore.length === DEFAULT_STORAGE.length) {
      expect(DEFAULT_STORAGE.filter((d) => existsSync(d))).toEqual([]);
      expect(defaultStorageMounts()).toEqual([]);
    }
  }, 240_000);
});
