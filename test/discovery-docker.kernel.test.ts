/** A real Docker container appears with its name and image; a `--net host` one as a user of the host namespace. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Topology } from '../common/model.js';
import { createDiscovery } from '../server/discovery/index.js';
import type { DockerHarness } from './docker.js';
import { startDocker } from './docker.js';
import { cleanupPrefix, pollUntil, uniquePrefix } from './kernel.js';

const P = uniquePrefix('dd');
let h: DockerHarness;
let topo: Topology;
let webId: string;
let hostnetId: string;

beforeAll(async () => {
  h = await startDocker(P);
  webId = (await h.docker(`run -d --name ${P}web ${h.image} sleep 3600`)).trim();
  hostnetId = (await h.docker(`run -d --name ${P}hostnet --net host ${h.image} sleep 3600`)).trim();
  const d = createDiscovery({ dockerSocket: h.socket });
  // Wait until both containers' processes exist (docker run returns once started, but be sure).
  topo = (await pollUntil(async () => {
    const t = (await d.full()).topology;
    const all = t.namespaces.flatMap((n) => n.containers.map((c) => c.id));
    return all.includes(webId) && all.includes(hostnetId) ? t : null;
  }, 'containers visible'))!;
}, 180_000);

afterAll(async () => {
  await h?.stop();
  await cleanupPrefix(P);
}, 180_000);

describe('Docker containers', () => {
  it('shows a container namespace with the container name and image', () => {
    const ns = topo.namespaces.find((n) => n.containers.some((c) => c.id === webId));
    expect(ns).toMatchObject({
      kind: 'container',
      name: `${P}web`,
      containers: [
        {
          runtime: 'docker',
          id: webId,
          name: `${P}web`,
          image:
            h.image.replace(/:latest$/, '') === h.image ? h.image : expect.stringContaining(`${P}-busybox`),
          sharedNamespace: false,
        },
      ],
      error: null,
    });
    // Docker keeps the namespace bind-mounted under its exec-root/netns.
    expect(ns!.mounts.some((m) => m.includes(`${P}-docker/exec/netns/`))).toBe(true);
    // Its eth0 is a veth whose peer is in the host, enslaved to the daemon's bridge.
    const eth0 = topo.interfaces.find((i) => i.namespace === ns!.id && i.name === 'eth0');
    const peer = topo.interfaces.find((i) => i.id === eth0?.peer);
    const bridge = topo.interfaces.find((i) => i.name === h.bridge);
    expect(peer?.namespace).toBe(topo.namespaces.find((n) => n.kind === 'host')?.id);
    expect(peer?.master).toBe(bridge?.id);
  });

  it('shows a --net host container as a user of the host namespace', () => {
    const host = topo.namespaces.find((n) => n.kind === 'host');
    expect(host?.containers).toContainEqual(
      expect.objectContaining({
        runtime: 'docker',
        id: hostnetId,
        name: `${P}hostnet`,
        sharedNamespace: true,
      }),
    );
    expect(topo.namespaces.filter((n) => n.containers.some((c) => c.id === hostnetId))).toHaveLength(1);
  });
});
