/**
 * Unit tests over a real Docker scene recorded with test/recordDockerFixture.ts
 * (__fixtures__/docker.json): `web` and `db` (compose project `shop`) on the daemon's bridge,
 * `side` in web's namespace, `hostnet` in the host's, `lonely` with `--net none`. What the
 * recorder read live (ip -j, /proc/PID/cgroup, GET /containers/json) goes through the same pure
 * steps as a live read; names and images must come out as Docker told them.
 */
import { describe, expect, it } from 'vitest';
import { nsId } from '../../common/ids.js';
import type { Namespace } from '../../common/model.js';
import type { RecordedFixture } from './testing/recordedScene.js';
import { loadFixture, recordedScene } from './testing/recordedScene.js';

interface DockerFixture extends RecordedFixture {
  bridge: string;
  image: string;
}

const fixture = loadFixture<DockerFixture>('docker.json');
const { topology, errors } = recordedScene(fixture);
const host = nsId(fixture.hostInode);

/** The namespace whose containers include one called `name`. */
function holding(name: string): Namespace {
  const found = topology.namespaces.filter((n) => n.containers.some((c) => c.name === name));
  expect(found).toHaveLength(1);
  return found[0]!;
}

describe('a Docker scene, recorded', () => {
  it('reads the host and three container namespaces without errors or unresolved peers', () => {
    expect(errors).toEqual([]);
    expect(topology.interfaces.filter((i) => i.peerUnresolved !== null)).toEqual([]);
    expect(topology.namespaces.map((n) => [n.kind, n.name]).sort()).toEqual([
      ['container', 'db'],
      ['container', 'lonely'],
      ['container', 'web'],
      ['host', 'host'],
    ]);
  });

  it('names each container and its image as the Engine API does, and says who shares a namespace', () => {
    const ref = (name: string, sharedNamespace: boolean, group: string | null = null) => ({
      runtime: 'docker',
      id: expect.stringMatching(/^[0-9a-f]{64}$/),
      name,
      image: fixture.image,
      pod: null,
      group: group === null ? null : { kind: 'compose', name: group },
      sharedNamespace,
    });
    const byName = (a: { name: string | null }, b: { name: string | null }) =>
      String(a.name).localeCompare(String(b.name));
    expect([...holding('web').containers].sort(byName)).toEqual([ref('side', true), ref('web', false)]);
    expect(holding('db').containers).toEqual([ref('db', false, 'shop')]);
    expect(holding('lonely').containers).toEqual([ref('lonely', false)]);
    expect(holding('hostnet')).toMatchObject({ id: host, kind: 'host', containers: [ref('hostnet', true)] });
  });

  it('puts each bridged container on a veth whose host end is a port of the daemon bridge', () => {
    const bridge = topology.interfaces.find((i) => i.name === fixture.bridge && i.namespace === host);
    expect(bridge?.kind).toBe('bridge');
    for (const name of ['web', 'db']) {
      const eth0 = topology.interfaces.find((i) => i.namespace === holding(name).id && i.name === 'eth0');
      expect(eth0?.kind).toBe('veth');
      const peer = topology.interfaces.find((i) => i.id === eth0?.peer);
      expect(peer).toMatchObject({ namespace: host, master: bridge!.id, peer: eth0!.id });
      expect(peer?.name).toMatch(/^veth/);
    }
    expect(topology.links.filter((l) => l.kind === 'veth')).toHaveLength(2);
  });

  it('leaves a --net none container alone with its loopback', () => {
    const lonely = holding('lonely');
    expect(topology.interfaces.filter((i) => i.namespace === lonely.id).map((i) => i.name)).toEqual(['lo']);
  });
});
