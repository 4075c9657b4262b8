/**
 * Checklist 15, differential: every name the interface-name validator accepts (fast-check corpus
 * plus hand-picked edge cases) is created by `ip link add name N type veth peer name P` in a
 * fresh test namespace and read back from `ip -j` as exactly N; the dangerous names are refused.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cleanupPrefix, ipJson, sh, uniquePrefix } from '../../test/kernel.js';
import { isIfName } from '../../common/api.js';

vi.setConfig({ testTimeout: 300_000 });
const execFileP = promisify(execFile);

const P = uniquePrefix('fn');
const NS = `${P}n`;

beforeAll(async () => {
  await sh(`ip netns add ${NS}`);
});
afterAll(async () => {
  await cleanupPrefix(P);
});

const ACCEPTED_EDGES = [
  'a',
  '_',
  '0',
  'A'.repeat(15),
  'x.y',
  'a..b',
  'a-',
  'a_b-c.d',
  // ip keywords: safe because every value follows its own keyword
  'up',
  'down',
  'help',
  'dev',
  'name',
  'type',
  'peer',
  'netns',
  'address',
  'mtu',
  'master',
  'alias',
  'any',
  'h',
  'bonding_masters',
];
const DANGEROUS = [
  '',
  '.',
  '..',
  'a'.repeat(16),
  '-x',
  '-batch',
  '--',
  '.x',
  'x%d',
  '%d',
  'a:b',
  'a/b',
  '../x',
  'a b',
  'a\tb',
  'a\nb',
  'a#b',
  "a'b",
  'a"b',
  'a\\b',
  'a\0b',
  'é',
  'ａ',
  'a\u200bb',
  // the kernel refuses these (sysctl conf/all, conf/default)
  'all',
  'default',
];

/** Creates N with a peer, reads every name in the namespace back, deletes the pair. */
async function roundTrip(name: string): Promise<string[]> {
  const peer = name === 'nxpeer0' ? 'nxpeer1' : 'nxpeer0';
  await execFileP('/usr/sbin/ip', [
    '-n',
    NS,
    'link',
    'add',
    'name',
    name,
    'type',
    'veth',
    'peer',
    'name',
    peer,
  ]);
  try {
    const links = await ipJson<Array<{ ifname: string }>>(['link', 'show'], { name: NS });
    return links.map((l) => l.ifname).filter((n) => n !== 'lo' && n !== peer);
  } finally {
    await execFileP('/usr/sbin/ip', ['-n', NS, 'link', 'del', 'dev', peer]);
  }
}

describe('interface names: validator vs kernel', () => {
  it('refuses the dangerous names', () => {
    for (const n of DANGEROUS) expect(isIfName(n), JSON.stringify(n)).toBe(false);
  });

  it('every accepted hand-picked name round-trips exactly', async () => {
    for (const n of new Set(ACCEPTED_EDGES)) {
      expect(isIfName(n), n).toBe(true);
      expect(await roundTrip(n), n).toEqual([n]);
    }
  });

  it('every accepted fuzzed name round-trips exactly, and none is renamed by the kernel', async () => {
    // Half the corpus is drawn from the allowlist's own shape so most names are accepted; the
    // rest are arbitrary strings (mostly refused, which is checked against the dangerous set).
    const name = fc.oneof(
      fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$/),
      fc.string({ maxLength: 17 }),
      fc.string({ unit: 'binary', maxLength: 17 }),
    );
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(name, async (n) => {
        if (!isIfName(n)) {
          // Anything refused carries a character or shape the policy bans, or is kernel-reserved.
          const reserved = n === 'all' || n === 'default';
          expect(reserved || !/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$/.test(n), JSON.stringify(n)).toBe(true);
          return;
        }
        if (n === 'lo') return; // exists in every namespace
        accepted++;
        expect(await roundTrip(n)).toEqual([n]);
      }),
      { numRuns: 300 },
    );
    expect(accepted).toBeGreaterThan(50);
  });
});
