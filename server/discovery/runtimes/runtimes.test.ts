/** Runtime answers recorded from containerd 1.6 and podman 4.3, and the pure merging on top of them. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseContainerdNamespace } from './containerd.js';
import { parsePodmanList } from './podman.js';
import { parseCgroup } from '../procParse.js';
import { readLabels } from './labels.js';
import { indexAnswers } from './inventory.js';
import { namespaceContainers } from './merge.js';
import { decodeFields, encodeStrings, str } from './protobuf.js';
import type { RuntimeContainer } from './types.js';
import { parseContainerdEnvelope, parseDockerEvent } from './events.js';
import { parseCri } from './crio.js';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8'));

function recordedContainerd(): RuntimeContainer[] {
  const answers = fixture('containerd-1.6.json') as Array<{
    namespace: string;
    containers: string;
    tasks: string;
  }>;
  return answers.flatMap((a) =>
    parseContainerdNamespace({
      namespace: a.namespace,
      containers: Buffer.from(a.containers, 'base64'),
      tasks: Buffer.from(a.tasks, 'base64'),
    }),
  );
}

const SANDBOX = '0a1b2c3d4e5f' + '0'.repeat(50) + 'aa';
const API = '0a1b2c3d4e5f' + '0'.repeat(50) + 'bb';

describe('containerd answers', () => {
  const all = recordedContainerd();
  const byId = new Map(all.map((c) => [c.id, c]));

  it('reads every namespace: a nerdctl name and compose project in default, a CRI pod in k8s.io', () => {
    expect(byId.get('cache1')).toMatchObject({
      runtime: 'containerd',
      name: 'cache',
      group: { kind: 'compose', name: 'shopfront' },
      pod: null,
      infra: false,
    });
    expect(byId.get('cache1')!.pids).toHaveLength(1);
    expect(byId.get(SANDBOX)).toMatchObject({ runtime: 'kubernetes', pod: 'prod/shop', infra: true });
    expect(byId.get(API)).toMatchObject({
      runtime: 'kubernetes',
      name: 'api',
      pod: 'prod/shop',
      group: { kind: 'kubernetes', name: 'prod' },
      infra: false,
    });
  });

  it('gives a container without a task no pids', () => {
    expect(byId.get('stopped1')).toMatchObject({ name: 'stopped', pids: [] });
    expect(all.filter((c) => c.pids.length > 0)).toHaveLength(4);
  });
});

describe('podman answers', () => {
  const list = parsePodmanList(fixture('podman-4.3-ps.json'));

  it('reads names, images, pods and the infra container', () => {
    const inPod = list.find((c) => c.name === 'nxhxinpod');
    expect(inPod).toMatchObject({
      runtime: 'podman',
      pod: 'nxhxpod',
      group: { kind: 'pod', name: 'nxhxpod' },
    });
    expect(list.find((c) => c.name === 'nxhxalone')).toMatchObject({
      image: 'localhost/nxhxbb:latest',
      pod: null,
      group: null,
      infra: false,
    });
    expect(list.filter((c) => c.infra).map((c) => c.pod)).toEqual(['nxhxpod']);
    expect(list.every((c) => c.pids.length === 1)).toBe(true);
  });

  it('rejects an answer that is not a container list', () => {
    expect(() => parsePodmanList({ Id: 'x' })).toThrow();
  });
});

describe('labels', () => {
  it('treats a dockershim/CRI-O style pause container (no container name) as the sandbox', () => {
    expect(
      readLabels({ 'io.kubernetes.pod.name': 'p', 'io.kubernetes.pod.namespace': 'kube-system' }),
    ).toMatchObject({
      infra: true,
      pod: 'kube-system/p',
      group: { kind: 'kubernetes', name: 'kube-system' },
    });
    expect(readLabels({ 'io.kubernetes.pod.name': 'p', 'io.kubernetes.container.name': 'POD' }).infra).toBe(
      true,
    );
  });

  it('has nothing to say about unlabelled containers', () => {
    expect(readLabels({})).toEqual({ name: null, pod: null, group: null, infra: false, kubernetes: false });
  });
});

describe('merging', () => {
  const c = (over: Partial<RuntimeContainer>): RuntimeContainer => ({
    runtime: 'containerd',
    id: 'x',
    name: null,
    image: null,
    pids: [],
    pod: null,
    group: null,
    infra: false,
    ...over,
  });

  it('lets the first runtime win an id, keeps one line per failing runtime, skips missing ones', () => {
    const inv = indexAnswers([
      { containers: [c({ id: 'a', name: 'first', pids: [10] })] },
      null,
      { error: 'containerd (/x.sock): did not answer in time' },
      { containers: [c({ id: 'a', name: 'second', pids: [11] })] },
    ]);
    expect(inv.byId.get('a')?.name).toBe('first');
    expect([...inv.byPid.keys()]).toEqual([10]);
    expect(inv.errors).toEqual(['containerd (/x.sock): did not answer in time']);
  });

  it('lists a pod namespace under the pod, without its sandbox', () => {
    const inv = indexAnswers([{ containers: recordedContainerd() }]);
    const pids = [...inv.byPid.entries()].filter(([, r]) => r.pod === 'prod/shop').map(([p]) => p);
    const { containers, pod } = namespaceContainers(pids, new Map(), false, null, inv);
    expect(pod).toBe('prod/shop');
    expect(containers.map((r) => r.name).sort()).toEqual(['api', 'sidecar']);
    expect(containers.every((r) => r.pod === 'prod/shop' && !r.sharedNamespace)).toBe(true);
  });

  it('prefers Docker names for Docker cgroups and the inventory for the rest', () => {
    const inv = indexAnswers([
      { containers: [c({ id: 'b'.repeat(64), runtime: 'podman', name: 'pm', pids: [7] })] },
    ]);
    const docker = new Map([
      [
        'd'.repeat(64),
        {
          id: 'd'.repeat(64),
          name: 'web',
          image: 'img',
          networkMode: 'bridge',
          group: { kind: 'compose' as const, name: 'shop' },
        },
      ],
    ]);
    const cgroups = new Map([[5, { runtime: 'docker', id: 'd'.repeat(64) }]]);
    const { containers } = namespaceContainers([5, 7], cgroups, false, docker, inv);
    expect(containers.map((r) => [r.runtime, r.name, r.group?.name ?? null])).toEqual([
      ['podman', 'pm', null],
      ['docker', 'web', 'shop'],
    ]);
  });
});

describe('cgroups', () => {
  it('reads a podman container in a pod under the cgroupfs manager', () => {
    const pod = 'f'.repeat(64);
    const id = 'e'.repeat(64);
    expect(
      parseCgroup(
        `9:name=systemd:/libpod_parent/${pod}/libpod-${id}\n0::/libpod_parent/${pod}/libpod-${id}\n`,
      ),
    ).toEqual({
      runtime: 'podman',
      id,
    });
  });
});

describe('lxc cgroups', () => {
  it('names an LXC container from its cgroup (LXC 5 and older layouts)', () => {
    expect(parseCgroup('9:name=systemd:/lxc.payload.web1\n0::/lxc.payload.web1\n')).toEqual({
      runtime: 'lxc',
      id: 'web1',
    });
    expect(parseCgroup('4:memory:/lxc/db\n')).toEqual({ runtime: 'lxc', id: 'db' });
    const { containers } = namespaceContainers(
      [3],
      new Map([[3, { runtime: 'lxc', id: 'web1' }]]),
      false,
      null,
      null,
    );
    expect(containers).toMatchObject([{ runtime: 'lxc', id: 'web1', name: 'web1', image: null }]);
  });
});

describe('protobuf', () => {
  it('round-trips string fields and rejects truncated input', () => {
    const f = decodeFields(
      encodeStrings([
        [1, 'k8s.io'],
        [3, 'x'.repeat(300)],
      ]),
    );
    expect(str(f, 1)).toBe('k8s.io');
    expect(str(f, 3)).toHaveLength(300);
    expect(() => decodeFields(Uint8Array.from([0x0a, 0x05, 0x61]))).toThrow(/truncated/);
  });
});

describe('runtime events', () => {
  it('reads the task start, exit and delete of a recorded containerd event stream, with pids', () => {
    const envelopes = (fixture('containerd-1.6-events.json') as string[]).map((b) =>
      decodeFields(Buffer.from(b, 'base64')),
    );
    const events = envelopes.map(parseContainerdEnvelope).filter((e) => e !== null);
    expect(events.map((e) => [e.action, e.id])).toEqual([
      ['/tasks/start', 'evsbx'],
      ['/tasks/exit', 'evsbx'],
      ['/tasks/delete', 'evsbx'],
      ['/containers/delete', 'evsbx'],
    ]);
    const pid = events[0]!.pid;
    expect(pid).toBeGreaterThan(0);
    expect(events.slice(0, 3).map((e) => e.pid)).toEqual([pid, pid, pid]);
  });

  it("reads Docker's container events and ignores the rest", () => {
    const id = 'a'.repeat(64);
    const line = (o: object) => JSON.stringify(o);
    expect(
      parseDockerEvent(
        line({ Type: 'container', Action: 'start', Actor: { ID: id, Attributes: {} } }),
        'docker',
      ),
    ).toEqual({ runtime: 'docker', action: 'start', id, pid: null });
    expect(
      parseDockerEvent(line({ Type: 'network', Action: 'connect', Actor: { ID: id } }), 'docker'),
    ).toBeNull();
    expect(
      parseDockerEvent(line({ Type: 'container', Action: 'exec_start', Actor: { ID: id } }), 'docker'),
    ).toBeNull();
    expect(parseDockerEvent(line({ status: 'die', id }), 'podman')).toMatchObject({ action: 'die', id });
  });
});

describe('CRI-O answers (built from the CRI v1 message definitions: CRI-O cannot be installed here)', () => {
  const msg = encodeStrings;
  const sandboxes = msg([
    [
      1,
      msg([
        [1, 'f'.repeat(64)],
        [
          2,
          msg([
            [1, 'shop'],
            [2, 'uid-1'],
            [3, 'prod'],
          ]),
        ],
      ]),
    ],
  ]);
  const containers = msg([
    [
      1,
      msg([
        [1, 'e'.repeat(64)],
        [2, 'f'.repeat(64)],
        [3, msg([[1, 'api']])],
        [4, msg([[1, 'registry.example/api:1.2']])],
        [
          8,
          msg([
            [1, 'io.kubernetes.pod.namespace'],
            [2, 'prod'],
          ]),
        ],
      ]),
    ],
  ]);

  it('lists the sandbox as the pod and its container with name, image and pod', () => {
    const [sandbox, api] = parseCri(sandboxes, containers);
    expect(sandbox).toMatchObject({ id: 'f'.repeat(64), pod: 'prod/shop', infra: true });
    expect(api).toEqual({
      runtime: 'kubernetes',
      id: 'e'.repeat(64),
      name: 'api',
      image: 'registry.example/api:1.2',
      pids: [],
      pod: 'prod/shop',
      group: { kind: 'kubernetes', name: 'prod' },
      infra: false,
    });
  });

  it('names a CRI-O pod namespace from the cgroups of its sandbox and container', () => {
    const inv = indexAnswers([{ containers: parseCri(sandboxes, containers) }]);
    const cgroups = new Map([
      [10, parseCgroup(`0::/kubepods.slice/crio-${'f'.repeat(64)}.scope\n`)!],
      [11, parseCgroup(`0::/kubepods.slice/crio-${'e'.repeat(64)}.scope\n`)!],
    ]);
    const { containers: refs, pod } = namespaceContainers([10, 11], cgroups, false, null, inv);
    expect(pod).toBe('prod/shop');
    expect(refs.map((r) => r.name)).toEqual(['api']);
  });
});
