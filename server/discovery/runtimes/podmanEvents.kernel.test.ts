/**
 * podman without its API service: `podman events` alone drives the refreshes (the target has no
 * timer and no /proc probe). A container started alone appears with podman's name; a member that
 * joins its pod's existing namespace appears in that box; a stopped one goes; the events child
 * goes with the watch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Topology } from '../../../common/model.js';
import { createDiscovery } from '../index.js';
import type { Discovery } from '../index.js';
import { cleanupPrefix, pollUntil, sh, uniquePrefix } from '../../../test/kernel.js';
import type { PodmanHarness } from '../../../test/runtimes.js';
import { busyboxRootfs, runtimesMissing, startPodman } from '../../../test/runtimes.js';
import { connectRuntimeEvents } from './liveEvents.js';
import type { RefreshTarget } from './liveEvents.js';
import type { RuntimeWatch } from './types.js';

const P = uniquePrefix('rp');
const ROOTFS = `/tmp/${P}-rootfs`;
const DIR = `/tmp/${P}-podman`;
let pm: PodmanHarness;
let discovery: Discovery;
let watch: RuntimeWatch | null = null;

/** Only events move it: each namespaces() or list() is one discovery read, in order. */
class EventsOnlyTarget implements RefreshTarget {
  topology: Topology = { version: 1, namespaces: [], interfaces: [], routes: [], links: [] };
  refreshes = 0;
  private chain: Promise<void> = Promise.resolve();
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

interface PodmanPs {
  Names: string[];
  Pid: number;
  PodName: string;
  IsInfra: boolean;
}

const ps = async () => JSON.parse(await pm.podman('ps --pod --format json')) as PodmanPs[];
const named = (t: Topology, name: string) =>
  t.namespaces.find((n) => n.containers.some((c) => c.runtime === 'podman' && c.name === name));
/** Our events child, found by its storage argument. */
const eventsChildren = async () =>
  // `[e]vents`: the pattern must not match pgrep's own shell, whose command line holds it.
  (await sh(`pgrep -f -- '--root ${DIR}/root .*[e]vents --format json' || true`))
    .split('\n')
    .filter((l) => l.trim() !== '' && Number(l) !== process.pid);

beforeAll(async () => {
  const missing = runtimesMissing();
  if (missing) throw new Error(missing);
  await busyboxRootfs(ROOTFS);
  pm = await startPodman(P);
  await sh(
    `tar -C ${ROOTFS} -c . | CONTAINERS_CONF=${DIR}/containers.conf /usr/bin/podman ${pm.globalArgs.join(' ')} import --change 'CMD ["/bin/sleep","3600"]' - ${P}img >/dev/null`,
  );
  discovery = createDiscovery({ runtimes: { podman: { cliArgs: pm.globalArgs } } });
}, 120_000);

afterAll(async () => {
  watch?.stop();
  await pm?.stop();
  await cleanupPrefix(P);
  await sh(`rm -rf ${ROOTFS}`);
}, 120_000);

describe('podman events without the service', () => {
  it('names a started container and a joining pod member from podman events alone, and drops them when stopped', async () => {
    const target = new EventsOnlyTarget(discovery);
    target.topology = (await discovery.full()).topology;
    watch = connectRuntimeEvents(
      {
        // No socket: the CLI it is. The test's podman logs events to a file (no journald here).
        podmanSocket: `${DIR}/no-such.sock`,
        podmanCli: { cliArgs: [...pm.globalArgs, '--events-backend', 'file'], storage: `${DIR}/root` },
      },
      discovery,
      target,
    );
    await pollUntil(async () => (await eventsChildren()).length === 1, 'podman events child running');

    // Alone, in its own namespace: nothing but the start event can tell the target.
    await pm.podman(`run -d --network none --name ${P}alone localhost/${P}img:latest`);
    const alone = (await ps()).find((c) => c.Names[0] === `${P}alone`)!;
    const aloneNs = (await pollUntil(() => named(target.topology, `${P}alone`), 'alone named', 60_000))!;
    expect(aloneNs.pids).toContain(alone.Pid);

    // A pod: its infra container holds the namespace; a member joins it later (no new namespace).
    await pm.podman(`pod create --name ${P}pod --network none --infra-image localhost/${P}img:latest`);
    await pm.podman(`pod start ${P}pod`);
    const infra = (await ps()).find((c) => c.PodName === `${P}pod` && c.IsInfra)!;
    await pollUntil(
      () => target.topology.namespaces.find((n) => n.pids.includes(infra.Pid)),
      'pod namespace listed',
      60_000,
    );
    const before = target.refreshes;
    await pm.podman(`run -d --pod ${P}pod --name ${P}member localhost/${P}img:latest`);
    const member = (await ps()).find((c) => c.Names[0] === `${P}member`)!;
    const podNs = (await pollUntil(() => named(target.topology, `${P}member`), 'pod member named', 60_000))!;
    expect(target.refreshes).toBeGreaterThan(before);
    expect(podNs.pids).toEqual(expect.arrayContaining([infra.Pid, member.Pid]));
    expect(podNs.containers.map((c) => [c.name, c.pod, c.group])).toEqual([
      [`${P}member`, member.PodName, { kind: 'pod', name: member.PodName }],
    ]);

    await pm.podman(`rm -f -t 0 ${P}member`);
    await pollUntil(
      () =>
        target.topology.namespaces.some(
          (n) => n.inode === podNs.inode && !named(target.topology, `${P}member`),
        ),
      'pod member gone',
      60_000,
    );
    await pm.podman(`rm -f -t 0 ${P}alone`);
    await pollUntil(() => !named(target.topology, `${P}alone`), 'alone gone', 60_000);

    watch.stop();
    watch = null;
    await pollUntil(async () => (await eventsChildren()).length === 0, 'podman events child gone');
  }, 240_000);
});
