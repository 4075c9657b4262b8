/**
 * containerd's event stream drives refreshes: a pod's member container, which joins an existing
 * namespace (no namespace appears, so only the event can tell), shows up with its name and goes
 * when stopped. The refresh target here has no timer at all: only events move it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Topology } from '../../../common/model.js';
import { createDiscovery } from '../index.js';
import type { Discovery } from '../index.js';
import { cleanupPrefix, pollUntil, sh, uniquePrefix } from '../../../test/kernel.js';
import type { ContainerdHarness } from '../../../test/runtimes.js';
import { busyboxRootfs, runtimesMissing, startContainerd, podLabelFlags } from '../../../test/runtimes.js';
import type { RuntimeWatch } from './events.js';
import type { RefreshTarget } from './liveEvents.js';
import { connectRuntimeEvents } from './liveEvents.js';

const P = uniquePrefix('rl');
const ROOTFS = `/tmp/${P}-rootfs`;
let cd: ContainerdHarness;
let discovery: Discovery;
let watch: RuntimeWatch | null = null;

/** What the live scheduler does with namespaces() and list(), minus coalescing. */
class Target implements RefreshTarget {
  topology: Topology = { version: 1, namespaces: [], interfaces: [], routes: [], links: [] };
  private chain: Promise<void> = Promise.resolve();
  refreshes = 0;
  constructor(private readonly d: Discovery) {}
  namespaces(inodes: number[]): void {
    this.run(() => this.d.refresh(inodes));
  }
  list(): void {
    this.run(() => this.d.refresh([]));
  }
  private run(read: () => ReturnType<Discovery['refresh']>): void {
    this.chain = this.chain.then(async () => {
      this.topology = (await read()).topology;
      this.refreshes++;
    });
  }
}

const labels = (kind: 'sandbox' | 'container', container?: string) =>
  podLabelFlags({ name: `${P}pod`, namespace: `${P}ns` }, kind, container);

const names = (t: Topology) => t.namespaces.flatMap((n) => n.containers.map((c) => c.name));

beforeAll(async () => {
  const missing = runtimesMissing();
  if (missing) throw new Error(missing);
  await busyboxRootfs(ROOTFS);
  cd = await startContainerd(P);
  discovery = createDiscovery({ runtimes: { containerdSocket: cd.socket } });
}, 120_000);

afterAll(async () => {
  watch?.stop();
  await cd?.stop();
  await cleanupPrefix(P);
  await sh(`rm -rf ${ROOTFS}`);
}, 120_000);

describe('runtime events', () => {
  it('brings a pod member that joins an existing namespace, with its name, and takes it away when stopped', async () => {
    const target = new Target(discovery);
    target.topology = (await discovery.full()).topology;
    watch = connectRuntimeEvents({ containerdSocket: cd.socket }, discovery, target);
    // The subscription is live once an event has moved the target: retry a warm-up until then.
    await pollUntil(
      async () => {
        await cd
          .ctr('default', `run -d --label nerdctl/name=${P}warm --rootfs ${ROOTFS} ${P}warm /bin/sleep 3600`)
          .catch(() => '');
        return names(target.topology).includes(`${P}warm`);
      },
      'first event delivered',
      30_000,
    );
    await cd.remove('default', `${P}warm`);

    await cd.ctr('k8s.io', `run -d ${labels('sandbox')} --rootfs ${ROOTFS} ${P}sbx /bin/sleep 3600`);
    const sbx = await cd.taskPid('k8s.io', `${P}sbx`);
    const pod = (await pollUntil(
      () => target.topology.namespaces.find((n) => n.pids.includes(sbx) && n.name === `${P}ns/${P}pod`),
      'pod namespace named',
    ))!;
    expect(pod.containers).toEqual([]);

    const before = target.refreshes;
    await cd.ctr(
      'k8s.io',
      `run -d ${labels('container', 'web')} --with-ns network:/proc/${sbx}/ns/net --rootfs ${ROOTFS} ${P}web /bin/sleep 3600`,
    );
    const withWeb = (await pollUntil(
      () =>
        target.topology.namespaces.find(
          (n) => n.inode === pod.inode && n.containers.some((c) => c.name === 'web'),
        ),
      'pod member named',
    ))!;
    expect(target.refreshes).toBeGreaterThan(before);
    expect(withWeb.containers.map((c) => [c.id, c.pod])).toEqual([[`${P}web`, `${P}ns/${P}pod`]]);

    await cd.remove('k8s.io', `${P}web`);
    const without = (await pollUntil(
      () => target.topology.namespaces.find((n) => n.inode === pod.inode && n.containers.length === 0),
      'pod member gone',
    ))!;
    expect(without.name).toBe(`${P}ns/${P}pod`);
    await cd.remove('k8s.io', `${P}sbx`);
    await pollUntil(
      () => !target.topology.namespaces.some((n) => n.inode === pod.inode),
      'pod namespace gone',
    );
  });
});
