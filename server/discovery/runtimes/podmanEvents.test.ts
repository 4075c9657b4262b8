import { describe, expect, it } from 'vitest';
import type { Topology } from '../../../common/model.js';
import { eventShown, namespacesForEvent } from './liveEvents.js';
import type { RuntimeEvent } from './types.js';
import { parsePodmanEvent, podmanEventsArgs } from './podmanEvents.js';
import { PODMAN_DEFAULT_ROOT, podmanDefaultStore } from './podmanStore.js';
import { DEFAULT_EVENT_SOURCES, defaultEventSources } from './events.js';

const ID = '74d4f3d3cbeedcf3be4410d9f649a4aa0660bd7412bfa4b977be590888e3d619';
// Lines as podman 4.3's `podman events --format json` printed them (file events backend).
const line = (status: string, type = 'container') =>
  `{"ID":"${ID}","Name":"trusting_montalcini","Status":"${status}","Time":"2026-12-04T09:08:09.040481238Z","Type":"${type}","Attributes":{}}`;

describe('podman events', () => {
  it('keeps the starts, deaths and removals of containers, nothing else', () => {
    expect(parsePodmanEvent(line('start'))).toEqual({
      runtime: 'podman',
      action: 'start',
      id: ID,
      pid: null,
    });
    expect(parsePodmanEvent(line('died'))?.action).toBe('died');
    expect(parsePodmanEvent(line('remove'))?.action).toBe('remove');
    for (const s of ['create', 'init', 'cleanup', 'attach']) expect(parsePodmanEvent(line(s))).toBeNull();
    expect(parsePodmanEvent(line('start', 'pod'))).toBeNull();
    expect(parsePodmanEvent('{"Status":"refresh","Type":"system","Attributes":null}')).toBeNull();
    expect(() => parsePodmanEvent('not json')).toThrow();
  });

  it("asks podman's CLI for container events with the caller's global arguments first", () => {
    expect(podmanEventsArgs(['--root', '/r'])).toEqual([
      '--root',
      '/r',
      'events',
      '--format',
      'json',
      '--filter',
      'type=container',
    ]);
  });

  it("follows podman's default storage unless NETNS_EXPLORER_PODMAN_ROOT names another", () => {
    expect(defaultEventSources({})).toBe(DEFAULT_EVENT_SOURCES);
    expect(defaultEventSources({}).podmanCli).toEqual({});
    expect(PODMAN_DEFAULT_ROOT).toBe('/var/lib/containers/storage');
    // The inventory's fallback for a container whose conmon is not found follows the same setting.
    expect(podmanDefaultStore({})).toEqual({ root: PODMAN_DEFAULT_ROOT, args: [] });
    expect(podmanDefaultStore({ NETNS_EXPLORER_PODMAN_ROOT: '/srv/podman' })).toEqual({
      root: '/srv/podman',
      args: ['--root', '/srv/podman'],
    });
    const custom = defaultEventSources({ NETNS_EXPLORER_PODMAN_ROOT: '/srv/podman' });
    expect(custom.podmanCli).toEqual({ storage: '/srv/podman', cliArgs: ['--root', '/srv/podman'] });
    expect(custom.dockerSocket).toBe(DEFAULT_EVENT_SOURCES.dockerSocket);
  });

  it("finds a pid-less event's namespace through the container's processes", () => {
    const t: Topology = {
      version: 1,
      namespaces: [
        {
          id: 'ns-7',
          inode: 7,
          kind: 'container',
          name: 'pod',
          netnsNames: [],
          pids: [100],
          processes: [],
          containers: [],
          mounts: [],
          error: null,
        },
      ],
      interfaces: [],
      routes: [],
      links: [],
    };
    const e = parsePodmanEvent(line('start'))!;
    // A member joining the pod's namespace: its process is there, the namespace is known.
    expect(
      namespacesForEvent(
        t,
        e,
        () => 7,
        () => [200],
      ),
    ).toEqual({ inodes: [7], relist: false });
    // Not found by its processes (gone, or not yet): re-list.
    expect(
      namespacesForEvent(
        t,
        e,
        () => null,
        () => [],
      ),
    ).toEqual({ inodes: [], relist: true });
  });
});

describe('eventShown', () => {
  const ns = (inode: number, kind: 'container' | 'process', ids: string[]): Topology['namespaces'][number] =>
    ({ inode, kind, containers: ids.map((id) => ({ id })) }) as unknown as Topology['namespaces'][number];
  const t = (namespaces: Topology['namespaces']): Topology =>
    ({ version: 1, namespaces, interfaces: [], routes: [], links: [] }) as Topology;
  const start: RuntimeEvent = { runtime: 'containerd', action: '/tasks/start', id: 'c1', pid: 10 };
  const exit: RuntimeEvent = { runtime: 'containerd', action: '/tasks/exit', id: 'c1', pid: 10 };

  it('a start is shown once the container is listed, or its namespace is a container (a pod sandbox)', () => {
    expect(eventShown(t([ns(5, 'process', [])]), start, [5])).toBe(false);
    expect(eventShown(t([ns(5, 'process', ['c1'])]), start, [5])).toBe(true);
    expect(eventShown(t([ns(5, 'container', [])]), start, [5])).toBe(true);
    expect(eventShown(t([ns(5, 'container', [])]), start, [6])).toBe(false);
  });

  it('a stop is shown once no namespace lists the container', () => {
    expect(eventShown(t([ns(5, 'container', ['c1'])]), exit, [5])).toBe(false);
    expect(eventShown(t([ns(5, 'container', ['c2'])]), exit, [5])).toBe(true);
  });
});
