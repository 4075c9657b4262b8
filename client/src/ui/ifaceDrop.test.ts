import { describe, expect, it } from 'vitest';
import { figure1, iface } from '../testing/fixture.js';
import { candidateAt, dropVerdict } from './ifaceDrop.js';
import type { DropCandidate } from './ifaceDrop.js';

const t = figure1();
const byName = (ns: string, name: string) => t.interfaces.find((i) => i.namespace === ns && i.name === name)!;
const docker0 = byName('ns-1', 'docker0');
const eth0 = byName('ns-1', 'eth0');
const portA = byName('ns-1', 'veth08fe05e');
const container = byName('ns-2', 'eth0');
const nsName = (id: string) => t.namespaces.find((n) => n.id === id)?.name ?? id;

describe('candidateAt', () => {
  const c = (i: typeof eth0, x: number): DropCandidate => ({ iface: i, x, y: 0, w: 100, h: 50 });
  const list = [c(eth0, 0), c(docker0, 200)];

  it('finds the interface under the point, borders included', () => {
    expect(candidateAt(list, { x: 250, y: 25 }, portA.id)?.iface.id).toBe(docker0.id);
    expect(candidateAt(list, { x: 300, y: 50 }, portA.id)?.iface.id).toBe(docker0.id);
    expect(candidateAt(list, { x: 150, y: 25 }, portA.id)).toBeNull();
  });

  it('never finds the dragged node itself (it sits under the pointer)', () => {
    expect(candidateAt([...list, c(portA, 200)], { x: 250, y: 25 }, portA.id)?.iface.id).toBe(docker0.id);
  });
});

describe('dropVerdict', () => {
  it('attaches an interface dropped on a bridge of its namespace', () => {
    const free = { ...portA, master: null };
    expect(dropVerdict(free, docker0, nsName)).toEqual({
      kind: 'attach',
      target: docker0.id,
      bridge: docker0,
    });
  });

  it('does nothing on empty space, and hints on a non-bridge', () => {
    expect(dropVerdict(portA, null, nsName)).toEqual({ kind: 'none', target: null, reason: null });
    expect(dropVerdict(portA, eth0, nsName)).toEqual({
      kind: 'none',
      target: eth0.id,
      reason: expect.stringMatching(/eth0 is not a bridge/) as string,
    });
  });

  it('refuses a bridge in another namespace, naming both namespaces', () => {
    expect(dropVerdict(container, docker0, nsName)).toEqual({
      kind: 'refuse',
      target: docker0.id,
      reason: expect.stringMatching(/netshoot-a.*host.*own namespace/) as string,
    });
  });

  it('refuses a bridge into a bridge, loopback, and a port onto its own bridge', () => {
    const br2 = iface(1, 40, 'br2', { kind: 'bridge' });
    expect(dropVerdict(br2, docker0, nsName)).toMatchObject({ kind: 'refuse' });
    expect(dropVerdict(byName('ns-1', 'lo'), docker0, nsName)).toMatchObject({ kind: 'refuse' });
    expect(dropVerdict(portA, docker0, nsName)).toMatchObject({
      kind: 'refuse',
      reason: expect.stringMatching(/already a port of docker0/) as string,
    });
  });
});
