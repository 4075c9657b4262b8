import { describe, expect, it } from 'vitest';
import { emptyTopology, normalizeTopology } from './model.js';
import { parseSnapshotFile, toSnapshotFile } from './snapshotFile.js';
import { iface, ns, route } from './testing/builders.js';

const model = normalizeTopology({
  ...emptyTopology(),
  namespaces: [ns(5, 'named', 'a')],
  interfaces: [iface(5, 2, 'veth0')],
  routes: [route(5, { dst: '10.0.0.0/24' })],
});

describe('snapshot files', () => {
  it('round-trips the model with its time and host', () => {
    const file = toSnapshotFile(model, new Date('2026-12-04T03:12:00Z'), 'box1');
    const r = parseSnapshotFile(JSON.stringify(file), 'x.json');
    expect(r).toEqual({
      ok: true,
      snapshot: { topology: model, takenAt: '2026-12-04T03:12:00.000Z', host: 'box1' },
    });
  });

  it('reads plain `netns-explorer snapshot` output (no time, no host)', () => {
    const r = parseSnapshotFile(JSON.stringify(model), 'x.json');
    expect(r.ok && r.snapshot.takenAt).toBe(null);
  });

  it('names what is wrong with a file that is not a snapshot', () => {
    const err = (text: string) => {
      const r = parseSnapshotFile(text, 'f.json');
      return r.ok ? 'ok' : r.error;
    };
    expect(err('not json')).toMatch(/^f\.json is not JSON/);
    expect(err('[1,2]')).toBe('f.json is not a netns-explorer snapshot: no "version" field at the top');
    expect(err('{"version":"1"}')).toBe('f.json is not a netns-explorer snapshot: "version" is not a number');
    expect(err(JSON.stringify({ ...model, version: 2 }))).toMatch(
      /model version 2, newer than this netns-explorer reads \(1\)/,
    );
    const broken = { ...model, interfaces: [{ ...model.interfaces[0], mtu: 'big' }] };
    expect(err(JSON.stringify(broken))).toMatch(
      /^f\.json is not a valid netns-explorer snapshot: interfaces\[0\]\.mtu: /,
    );
    expect(err(JSON.stringify({ ...model, takenAt: 'yesterday' }))).toMatch(/takenAt/);
  });
});
