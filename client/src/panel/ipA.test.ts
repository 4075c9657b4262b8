import { describe, expect, it } from 'vitest';
import { iface } from '../testing/fixture.js';
import { ipALines } from './ipA.js';

describe('ipALines', () => {
  it('prints a veth like ip a, with peer ifindex and master', () => {
    const i = iface(1, 14, 'veth08fe05e', {
      addresses: [{ family: 'inet', cidr: '10.1.0.1/24', scope: 'global', broadcast: '10.1.0.255' }],
    });
    expect(ipALines(i, { peerIfindex: 13, masterName: 'docker0' })).toEqual([
      '14: veth08fe05e@if13: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 master docker0 state UP',
      '    link/ether 02:42:ac:11:00:04',
      '    inet 10.1.0.1/24 brd 10.1.0.255 scope global veth08fe05e',
    ]);
  });
});
