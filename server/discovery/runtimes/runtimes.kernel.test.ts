/**
 * Real containerd (namespaces default and k8s.io, with a kubelet's CRI labels) and rootful podman
 * (a pod and a container from a rootfs): discovery names them as the runtimes' own views do, each
 * goes when stopped, and a dead daemon is one line while the rest of the topology stays.
 */
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Namespace, Topology } from '../../../common/model.js';
import { createDiscovery } from '../index.js';
import type { Discovery } from '../index.js';
import { cleanupPrefix, pollUntil, sh, uniquePrefix } from '../../../test/kernel.js';
import type { ContainerdHarness, LxcHarness, PodmanHarness } from '../../../test/runtimes.js';
import {
  busyboxRootfs,
  lxcHarness,
  runtimesMissing,
  startContainerd,
  startPodman,
  podLabelFlags,
} from '../../../test/runtimes.js';

const P = uniquePrefix('rt');
const ROOTFS = `/tmp/${P}-rootfs`;
const K8S_NS = `${P}team`;
const POD = `${P}shop`;
let cd: ContainerdHarness;
let pm: PodmanHarness;
let lxc: LxcHarness;
let discovery: Discovery;
const pids: Record<string, number> = {};

const podLabels = (kind: 'sandbox' | 'container', container?: string): string =>
  podLabelFlags(
    {
      name: POD,
      namespace: K8S_NS,
      uid: `6c1f0d52-0f4e-4c1e-9d0b-${P.padEnd(12, '0')
        .slice(0, 12)
        .replace(/[^0-9a-f]/g, 'a')}`,
    },
    kind,
    container,
  );

/** A veth from the test bridge into the namespace of `pid`, as a CNI plugin would make. */
async function joinBridge(pid: number, tag: string): Promise<void> {
  await sh(
    `ip link add ${P}${tag}0 type veth peer name ${P}${tag}1 && ip link set ${P}${tag}0 master ${P}br up && ip link set ${P}${tag}1 netns ${pid}`,
  );
}

/**
 * A full read in which every runtime answered: on a machine shared by many test runs, podman's CLI
 * can miss its 1 s deadline once (that is reported, as designed); the next read then names all.
 */
async function readClean(): Promise<Topology> {
  const r = await pollUntil(
    async () => {
      const res = await discovery.full();
      return res.errors.some((e) => /^(containerd|podman) \(/.test(e)) ? null : res;
    },
    'a read every runtime answered',
    60_000,
  );
  return r!.topology;
}

function nsOf(t: Topology, pid: number): Namespace | undefined {
  return t.namespaces.find((n) => n.pids.includes(pid));
}

async function ctrLabels(ns: string, id: string): Promise<Record<string, string>> {
  return (JSON.parse(await cd.ctr(ns, `container info ${id}`)) as { Labels: Record<string, string> }).Labels;
}

interface PodmanPs {
  Id: string;
  Names: string[];
  Image: string;
  PodName: string;
  IsInfra: boolean;
  Pid: number;
}

async function podmanPs(): Promise<PodmanPs[]> {
  return JSON.parse(await pm.podman('ps --pod --format json')) as PodmanPs[];
}

beforeAll(async () => {
  const missing = runtimesMissing();
  if (missing) throw new Error(missing);
  await busyboxRootfs(ROOTFS);
  await sh(
    `ip link add ${P}br type bridge && ip addr add 10.214.${Math.floor(Math.random() * 250) + 1}.1/24 dev ${P}br && ip link set ${P}br up`,
  );
  cd = await startContainerd(P);
  pm = await startPodman(P);

  await cd.ctr(
    'default',
    `run -d --label nerdctl/name=${P}cache --label com.docker.compose.project=${P}front --rootfs ${ROOTFS} ${P}cache /bin/sleep 3600`,
  );
  pids.cache = await cd.taskPid('default', `${P}cache`);
  await joinBridge(pids.cache, 'a');

  await cd.ctr('k8s.io', `run -d ${podLabels('sandbox')} --rootfs ${ROOTFS} ${P}sbx /bin/sleep 3600`);
  pids.sbx = await cd.taskPid('k8s.io', `${P}sbx`);
  for (const c of ['api', 'side']) {
    await cd.ctr(
      'k8s.io',
      `run -d ${podLabels('container', c)} --with-ns network:/proc/${pids.sbx}/ns/net --rootfs ${ROOTFS} ${P}${c} /bin/sleep 3600`,
    );
    pids[c] = await cd.taskPid('k8s.io', `${P}${c}`);
  }
  await joinBridge(pids.sbx, 'b');

  await sh(
    `tar -C ${ROOTFS} -c . | CONTAINERS_CONF=/tmp/${P}-podman/containers.conf /usr/bin/podman ${pm.globalArgs.join(' ')} import --change 'CMD ["/bin/sleep","3600"]' - ${P}pause`,
  );
  await pm.podman(`pod create --name ${P}pod --network none --infra-image localhost/${P}pause:latest`);
  await pm.podman(`run -d --pod ${P}pod --name ${P}pmweb localhost/${P}pause:latest`);
  await pm.podman(`run -d --network none --name ${P}pmalone --rootfs ${ROOTFS} /bin/sleep 3600`);
  const ps = await podmanPs();
  pids.pmweb = ps.find((c) => c.Names[0] === `${P}pmweb`)!.Pid;
  pids.pmalone = ps.find((c) => c.Names[0] === `${P}pmalone`)!.Pid;
  await joinBridge(pids.pmweb, 'c');

  lxc = lxcHarness(P);
  pids.lxc = await lxc.start(`${P}lx`);

  discovery = createDiscovery({
    runtimes: { containerdSocket: cd.socket, podman: { cliArgs: pm.globalArgs } },
  });
}, 240_000);

afterAll(async () => {
  await lxc?.stop();
  await pm?.stop();
  await cd?.stop();
  await cleanupPrefix(P);
  await sh(`rm -rf ${ROOTFS}`);
}, 240_000);

describe('containerd, Kubernetes pods and podman', () => {
  it('names a containerd container in namespace default as ctr labels it, with its compose project', async () => {
    const t = await readClean();
    const labels = await ctrLabels('default', `${P}cache`);
    const ns = nsOf(t, pids.cache!);
    expect(ns).toMatchObject({
      kind: 'container',
      name: labels['nerdctl/name'],
      containers: [
        {
          runtime: 'containerd',
          id: `${P}cache`,
          name: `${P}cache`,
          image: null,
          pod: null,
          group: { kind: 'compose', name: labels['com.docker.compose.project'] },
          sharedNamespace: false,
        },
      ],
    });
    // Its veth's host end is on the test bridge.
    const inside = t.interfaces.find((i) => i.namespace === ns!.id && i.name === `${P}a1`);
    const bridge = t.interfaces.find((i) => i.name === `${P}br`);
    expect(t.interfaces.find((i) => i.id === inside?.peer)?.master).toBe(bridge?.id);
  });

  it('shows a CRI pod as one box titled namespace/pod, listing its two containers but not the sandbox', async () => {
    const t = await readClean();
    const ns = nsOf(t, pids.sbx!);
    expect(ns).toBeDefined();
    expect(nsOf(t, pids.api!)?.id).toBe(ns!.id);
    expect(nsOf(t, pids.side!)?.id).toBe(ns!.id);
    const api = await ctrLabels('k8s.io', `${P}api`);
    expect(ns!.name).toBe(`${api['io.kubernetes.pod.namespace']}/${api['io.kubernetes.pod.name']}`);
    expect(ns!.kind).toBe('container');
    expect(ns!.containers.map((c) => [c.runtime, c.id, c.name, c.pod, c.group])).toEqual(
      ['api', 'side'].map((c) => [
        'kubernetes',
        `${P}${c}`,
        c,
        `${K8S_NS}/${POD}`,
        { kind: 'kubernetes', name: K8S_NS },
      ]),
    );
    expect(t.namespaces.flatMap((n) => n.containers).some((c) => c.id === `${P}sbx`)).toBe(false);
  });

  it('names podman containers, their images and their pod as podman ps does', async () => {
    const t = await readClean();
    const ps = await podmanPs();
    for (const name of [`${P}pmweb`, `${P}pmalone`]) {
      const own = ps.find((c) => c.Names[0] === name)!;
      const ns = nsOf(t, own.Pid);
      const ref = ns?.containers.find((c) => c.id === own.Id);
      expect(ref).toEqual({
        runtime: 'podman',
        id: own.Id,
        name,
        image: own.Image || null,
        pod: own.PodName || null,
        group: own.PodName ? { kind: 'pod', name: own.PodName } : null,
        sharedNamespace: false,
      });
      expect(ns!.name).toBe(own.PodName || name);
    }
    expect(nsOf(t, pids.pmweb!)?.containers.map((c) => c.name)).toEqual([`${P}pmweb`]);
    expect(ps.find((c) => c.Names[0] === `${P}pmweb`)?.Image).toBe(`localhost/${P}pause:latest`);
  });

  it('names an LXC container as lxc-ls does, from its cgroup', async () => {
    const t = await readClean();
    expect(await lxc.running()).toEqual([`${P}lx`]);
    expect(nsOf(t, pids.lxc!)).toMatchObject({
      kind: 'container',
      name: `${P}lx`,
      containers: [{ runtime: 'lxc', id: `${P}lx`, name: `${P}lx`, image: null, pod: null, group: null }],
    });
  });

  it('lets each stopped container go', async () => {
    await cd.remove('k8s.io', `${P}api`);
    let t = await readClean();
    expect(nsOf(t, pids.sbx!)?.containers.map((c) => c.name)).toEqual(['side']);
    await cd.remove('default', `${P}cache`);
    await pm.podman(`rm -f -t 0 ${P}pmalone`);
    await lxc.stopOne(`${P}lx`);
    t = await readClean();
    const ids = t.namespaces.flatMap((n) => n.containers.map((c) => c.id));
    expect(ids).not.toContain(`${P}cache`);
    expect(t.namespaces.some((n) => [`${P}pmalone`, `${P}cache`, `${P}lx`].includes(n.name))).toBe(false);
    expect(t.interfaces.some((i) => i.name === `${P}a0`)).toBe(false);
  });

  it('reports a hanging runtime in one line and still serves the topology', async () => {
    const dir = `/tmp/${P}-hang`;
    await sh(`mkdir -p ${dir}`);
    // Accepts connections and never answers: a wedged daemon.
    const server: Server = createServer(() => undefined);
    await new Promise<void>((r) => server.listen(`${dir}/containerd.sock`, r));
    try {
      const d = createDiscovery({
        runtimes: { containerdSocket: `${dir}/containerd.sock`, podman: { cliArgs: pm.globalArgs } },
      });
      const { topology: t, errors } = await d.full();
      expect(errors.filter((e) => e.includes('containerd'))).toEqual([
        expect.stringMatching(new RegExp(`^containerd \\(${dir}/containerd.sock\\): `)),
      ]);
      expect(t.interfaces.some((i) => i.name === `${P}br`)).toBe(true);
    } finally {
      server.close();
      await sh(`rm -rf ${dir}`);
    }
  });

  it('reports a killed containerd in one line; podman names and the rest of the topology stay', async () => {
    const before = await readClean();
    await cd.kill();
    // (podman's CLI may miss its deadline once on a busy machine: read until it did not.)
    const { topology: t, errors } = (await pollUntil(
      async () => {
        const r = await discovery.full();
        return r.errors.some((e) => e.startsWith('podman (')) ? null : r;
      },
      'a read podman answered',
      60_000,
    ))!;
    expect(errors.filter((e) => /containerd|podman/.test(e))).toEqual([
      expect.stringMatching(/^containerd \(.*\): not answering/),
    ]);
    const ours = (x: Topology) =>
      x.interfaces
        .filter((i) => i.name.startsWith(P))
        .map((i) => i.id)
        .sort();
    expect(ours(t)).toEqual(ours(before));
    expect(nsOf(t, pids.pmweb!)?.name).toBe(`${P}pod`);
    // The pod's namespace is still there, no longer named.
    expect(nsOf(t, pids.sbx!)?.containers).toEqual([]);
  });
});
