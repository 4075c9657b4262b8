import { describe, expect, it } from 'vitest';
import { CONTAINER_ENDS, HOST_LINKS, containerInnerBatch, isLabLink, nginxHostBatch } from './plan.js';
import { parseStat } from './procs.js';
import { cidrsOverlap } from './hostOps.js';
import { labStateSchema, emptyState } from './state.js';

describe('lab plan', () => {
  it('names every host link with the lab prefix and within IFNAMSIZ', () => {
    for (const l of HOST_LINKS) {
      expect(isLabLink(l)).toBe(true);
      expect(l.length).toBeLessThanOrEqual(15);
    }
    expect(isLabLink('eth0')).toBe(false);
    expect(isLabLink('nxlabx')).toBe(false);
  });

  it('adds the 8.8.8.8 host route in netshoot-a only (Shell 1 vs Shell 2)', () => {
    const [a, b] = CONTAINER_ENDS;
    expect(containerInnerBatch(a!)).toContain('route add 8.8.8.8/32 dev eth0 scope link');
    expect(containerInnerBatch(b!)).not.toContain('8.8.8.8');
  });

  it('moves the nginx end of the veth into the holder by pid', () => {
    expect(nginxHostBatch(4242)).toContain('peer name veth-cont netns 4242');
  });
});

describe('parseStat', () => {
  it('reads comm with spaces and parentheses, state and start time', () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i));
    fields[0] = 'S';
    fields[19] = '123456';
    const info = parseStat(`77 (a (b) c) ${fields.join(' ')}`);
    expect(info).toEqual({ comm: 'a (b) c', state: 'S', startTime: 123456 });
  });

  it('rejects garbage', () => {
    expect(parseStat('nonsense')).toBeNull();
  });
});

describe('cidrsOverlap', () => {
  it('detects containment either way and disjointness', () => {
    expect(cidrsOverlap('10.251.17.0/24', '10.0.0.0/8')).toBe(true);
    expect(cidrsOverlap('10.251.17.0/24', '10.251.17.9/32')).toBe(true);
    expect(cidrsOverlap('10.251.17.0/24', '10.251.18.0/24')).toBe(false);
    expect(cidrsOverlap('10.251.17.0/24', 'fd00::/8')).toBe(false);
  });
});

describe('state schema', () => {
  it('round-trips an empty state and rejects a foreign file', () => {
    const s = emptyState('process');
    expect(labStateSchema.parse(JSON.parse(JSON.stringify(s)))).toEqual(s);
    expect(labStateSchema.safeParse({ version: 2 }).success).toBe(false);
  });
});
