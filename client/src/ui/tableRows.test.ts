import { describe, expect, it } from 'vitest';
import { figure1 } from '../testing/fixture.js';
import { hubTopology } from '../testing/hubFixture.js';
import { filterRows, sortRows, tableRows } from './tableRows.js';

describe('tableRows', () => {
  it('has a row per namespace and per interface, with peer and bridge', () => {
    const t = figure1();
    const rows = tableRows(t);
    expect(rows).toHaveLength(t.namespaces.length + t.interfaces.length);
    const port = rows.find((r) => r.id === 'if-1-14')!;
    expect(port).toMatchObject({
      what: 'interface',
      name: 'veth08fe05e',
      bridge: 'docker0',
      peer: 'eth0 @ netshoot-a',
    });
    expect(rows.find((r) => r.id === 'if-2-13')!.addresses).toBe('172.17.0.4/16');
    expect(rows.find((r) => r.id === 'ns-3')!.state).toBe('1/2 up');
  });
  it('filters by every word and sorts naturally, ties by id', () => {
    const rows = tableRows(hubTopology(12));
    const ports = filterRows(rows, 'br0 veth');
    expect(ports).toHaveLength(12);
    expect(ports.every((r) => r.bridge === 'br0')).toBe(true);
    const members = filterRows(rows, 'ip netns').filter(
      (r) => r.what === 'namespace' && r.name.startsWith('m'),
    );
    const names = sortRows(members, 'name').map((r) => r.name);
    expect(names.slice(0, 3)).toEqual(['m0', 'm1', 'm2']);
    expect(names.indexOf('m10')).toBeGreaterThan(names.indexOf('m9'));
    expect(sortRows(members, 'name', true)[0]!.name).toBe('m11');
  });
});
