import { describe, expect, it } from 'vitest';
import { figure1, iface, ns } from '../testing/fixture.js';
import { canvasAddresses, danglingReason, isAdminUp, isLoopback, isUp } from './interface.js';
import { containerLabel, sharingText, shortContainerId } from './namespace.js';

describe('interface helpers', () => {
  it('calls UP, and UNKNOWN with the UP flag, up; DOWN down', () => {
    expect(isUp(iface(1, 2, 'a'))).toBe(true);
    expect(isUp(iface(1, 1, 'lo', { state: 'UNKNOWN', flags: ['LOOPBACK', 'UP'] }))).toBe(true);
    expect(isUp(iface(1, 3, 'b', { state: 'UNKNOWN', flags: [] }))).toBe(false);
    expect(isUp(iface(1, 4, 'c', { state: 'DOWN', flags: ['UP'] }))).toBe(false);
    expect(isAdminUp(iface(1, 4, 'c', { state: 'DOWN', flags: ['UP'] }))).toBe(true);
  });
  it('says why a veth has no peer, and nothing for others', () => {
    const t = figure1();
    const byName = (n: string) => t.interfaces.find((i) => i.name === n)!;
    expect(danglingReason(byName('veth-x'))).toBe('peer in a namespace we cannot see');
    expect(danglingReason(iface(1, 9, 'v'))).toBe('peer not found');
    expect(danglingReason(byName('veth08fe05e'))).toBeNull();
    expect(danglingReason(byName('docker0'))).toBeNull();
    expect(isLoopback(byName('lo'))).toBe(true);
  });
  it('draws every address but IPv6 link-local ones', () => {
    const i = iface(1, 2, 'a', {
      addresses: [
        { family: 'inet', cidr: '10.0.0.1/24', scope: 'global', broadcast: null },
        { family: 'inet6', cidr: 'fe80::1/64', scope: 'link', broadcast: null },
      ],
    });
    expect(canvasAddresses(i).map((a) => a.cidr)).toEqual(['10.0.0.1/24']);
  });
});

describe('namespace helpers', () => {
  const container = (id: string, sharedNamespace: boolean, name: string | null = null) => ({
    runtime: 'docker',
    id,
    name,
    image: null,
    pod: null,
    group: null,
    sharedNamespace,
  });
  it('says who shares a namespace, only when more than one user holds it', () => {
    const one = ns(5, 'container', 'c');
    expect(sharingText(one)).toBeNull();
    expect(sharingText({ ...one, pids: [1, 2, 3] })).toBe('shared by 3 processes');
    const two = [container('a'.repeat(64), false), container('b'.repeat(64), true)];
    expect(sharingText({ ...one, containers: two })).toBe('shared by 2 containers');
    expect(sharingText({ ...one, pids: [1, 2], containers: [two[1]!] })).toBe(
      'shared by 2 processes, 1 container',
    );
  });
  it('labels a container by name, else by its short id', () => {
    expect(containerLabel(container('0123456789abcdef', false, 'web'))).toBe('web');
    expect(containerLabel(container('0123456789abcdef', false))).toBe('0123456789ab');
    expect(shortContainerId(container('0123456789abcdef', false))).toBe('0123456789ab');
  });
});
