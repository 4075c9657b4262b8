/**
 * The MACs we give devices at creation (no kernel needed): valid colon form, locally
 * administered, unicast, whatever the random bytes; sameMac only matches well-formed equals.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAC_RE, randomMac, sameMac } from './mac.js';

const octets = (mac: string) => mac.split(':').map((x) => parseInt(x, 16));

describe('randomMac', () => {
  it('is a lower-case colon MAC, locally administered and unicast, for any 6 bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 6, maxLength: 6 }), (bytes) => {
        const mac = randomMac(bytes);
        expect(mac).toMatch(MAC_RE);
        const o = octets(mac);
        expect(o[0]! & 0x02, mac).toBe(0x02); // locally administered
        expect(o[0]! & 0x01, mac).toBe(0); // unicast (multicast is refused by the kernel)
        // Only those two bits are forced: the other 46 come from the input unchanged.
        expect(o[0]! & 0xfc).toBe(bytes[0]! & 0xfc);
        expect(o.slice(1)).toEqual([...bytes.slice(1)]);
      }),
    );
  });

  it('forces the two bits at the extremes', () => {
    expect(randomMac(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]))).toBe('fe:ff:ff:ff:ff:ff');
    expect(randomMac(new Uint8Array(6))).toBe('02:00:00:00:00:00');
    expect(randomMac(new Uint8Array([0x01, 0x0a, 0xb0, 0, 0, 0x09]))).toBe('02:0a:b0:00:00:09');
  });

  it('does not change its input and refuses a wrong length', () => {
    const bytes = new Uint8Array([0x01, 2, 3, 4, 5, 6]);
    randomMac(bytes);
    expect(bytes[0]).toBe(0x01);
    expect(() => randomMac(new Uint8Array(5))).toThrow(/6 bytes/);
    expect(() => randomMac(new Uint8Array(7))).toThrow(/6 bytes/);
  });

  it('draws from node:crypto by default: valid and different each time', () => {
    const macs = Array.from({ length: 200 }, () => randomMac());
    for (const m of macs) {
      expect(m).toMatch(MAC_RE);
      expect(octets(m)[0]! & 0x03).toBe(0x02);
    }
    expect(new Set(macs).size).toBe(macs.length);
  });
});

describe('sameMac', () => {
  it('ignores letter case', () => {
    expect(sameMac('02:AB:cd:00:00:01', '02:ab:CD:00:00:01')).toBe(true);
  });
  it('is false for different, missing or malformed values', () => {
    expect(sameMac('02:ab:cd:00:00:01', '02:ab:cd:00:00:02')).toBe(false);
    expect(sameMac(undefined, '02:ab:cd:00:00:01')).toBe(false);
    expect(sameMac('02:ab:cd:00:00:01', undefined)).toBe(false);
    expect(sameMac('', '')).toBe(false);
    expect(sameMac('not a mac', 'not a mac')).toBe(false);
    expect(sameMac('02:ab:cd:00:00', '02:ab:cd:00:00')).toBe(false);
  });
});
