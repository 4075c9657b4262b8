/**
 * A crash between the create and the tag (the kernel ignores an alias given to `ip link add`):
 * the devices carry no tag, only the MACs we chose, which the intent recorded before the create.
 * Recovery removes exactly those (the kernel ends as it was) and keeps everything it cannot
 * prove ours: a user's device of the same name, one aliased since, an intent without MACs, a
 * namespace of a crashed `ip netns add`.
 */
import { appendFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sh, uniquePrefix } from '../../test/kernel.js';
import type { CrashHarness } from './testing/crashHarness.js';
import { linkIn as link, startCrashHarness } from './testing/crashHarness.js';
import type { IntentRecord } from './intents.js';
import { IntentJournal } from './intents.js';
import { kernelState } from './testing/kit.js';
import { recoverOrphans } from './recovery.js';

vi.setConfig({ testTimeout: 300_000 });

const P = uniquePrefix('ru');
let h: CrashHarness;
let NA: string;
let NB: string;
let journal: IntentJournal;

beforeAll(async () => {
  h = await startCrashHarness(P);
  [NA, NB] = h.names;
  journal = IntentJournal.beside(h.auditLogPath);
});

afterAll(async () => {
  await h?.close();
});

/** The intent naming this device, and the MAC it recorded for it. */
function intentOf(name: string): { op: string; mac: string | undefined } {
  for (const [op, j] of journal.read()) {
    const end = j.intent?.ends.find((e) => e.name === name);
    if (end) return { op, mac: end.mac };
  }
  throw new Error(`no intent names ${name}`);
}

/** An intent line as a server that died (no such pid) would have left it. */
function deadWriterIntent(rec: Pick<IntentRecord, 'op' | 'action' | 'ends' | 'netns'>): void {
  const line: IntentRecord = {
    t: 'intent',
    ts: new Date().toISOString(),
    pid: 2_147_483_646,
    pidStart: '1',
    ...rec,
  };
  appendFileSync(journal.path!, JSON.stringify(line) + '\n');
}

describe('crash between the create and the tag', () => {
  it('removes both veth ends and the bridge it made, and the kernel is exactly as before', async () => {
    const [a, b] = h.nss;
    const before = await kernelState(h.names, P);
    await Promise.all([
      h.crashAfter(1, {
        a: { namespace: a.id, name: `${P}x1`, address: '10.78.0.1/24' },
        b: { namespace: b.id, name: `${P}x2`, address: '10.78.0.2/24' },
      }),
      h.crashAfter(1, { a: { namespace: a.id, name: `${P}y1` }, b: { namespace: a.id, name: `${P}y2` } }),
      h.crashAfter(1, { namespace: b.id, name: `${P}br` }, 'bridge'),
      // One end tagged, the other not yet: the tag pass takes the pair.
      h.crashAfter(2, { a: { namespace: a.id, name: `${P}z1` }, b: { namespace: b.id, name: `${P}z2` } }),
    ]);
    const untagged: Array<[string, string]> = [
      [NA, `${P}x1`],
      [NB, `${P}x2`],
      [NA, `${P}y1`],
      [NA, `${P}y2`],
      [NB, `${P}br`],
    ];
    for (const [ns, name] of untagged) {
      const l = await link(ns, name);
      expect(l, name).not.toBeNull();
      expect(l!.ifalias, name).toBeUndefined();
      // The kernel took the MAC given in the create, the one the intent recorded beforehand.
      expect(l!.address, name).toBe(intentOf(name).mac);
      expect(parseInt(l!.address!.slice(0, 2), 16) & 0x03, name).toBe(0x02);
    }
    expect((await link(NA, `${P}z1`))?.ifalias).toMatch(/^netns-explorer:[0-9a-f]{8}@[0-9]+\.[0-9]+$/);
    expect((await link(NB, `${P}z2`))?.ifalias).toBeUndefined();

    const r = await recoverOrphans(await h.deps());
    expect(r.failed).toEqual([]);
    expect(r.suspects).toEqual([]);
    expect(r.deleted.map((d) => d.name).sort()).toEqual([...untagged.map(([, n]) => n), `${P}z1`].sort());
    for (const [ns, name] of [...untagged, [NA, `${P}z1`], [NB, `${P}z2`]] as const)
      expect(await link(ns, name), name).toBeNull();
    expect(await kernelState(h.names, P)).toBe(before);
    const ops = new Set([...untagged.map(([, n]) => intentOf(n).op), intentOf(`${P}z1`).op]);
    expect(ops.size).toBe(4);
    const after = journal.read();
    for (const op of ops) expect(after.get(op)?.end?.state, op).toBe('recovered');
    // Closed: the next start has nothing left to do.
    const again = await recoverOrphans(await h.deps());
    expect([again.deleted, again.suspects, again.closedIntents]).toEqual([[], [], []]);
  });

  it('keeps what it cannot prove ours and only reports it', async () => {
    const [a, b] = h.nss;
    await Promise.all([
      h.crashAfter(1, { a: { namespace: a.id, name: `${P}n1` }, b: { namespace: b.id, name: `${P}n2` } }),
      h.crashAfter(1, { namespace: a.id, name: `${P}m1` }, 'bridge'),
    ]);
    const crashedPair = intentOf(`${P}n1`);
    const crashedBridge = intentOf(`${P}m1`);
    // The user replaces the half-made pair by their own of the same names (the kernel picks other
    // MACs), and names the half-made bridge as theirs.
    await sh(`
      ip -n ${NA} link del dev ${P}n1
      ip -n ${NA} link add name ${P}n1 type veth peer name ${P}n2 netns ${NB}
      ip -n ${NA} link set dev ${P}m1 alias mine
      ip -n ${NB} link add name ${P}o1 type veth peer name ${P}o2
      ip netns add ${P}ns
    `);
    expect((await link(NA, `${P}n1`))?.address).not.toBe(crashedPair.mac);
    expect((await link(NA, `${P}m1`))?.address).toBe(crashedBridge.mac);
    // An intent written before MACs were recorded, naming the user's o1/o2; a crashed
    // `ip netns add` whose namespace exists, and one that never made it.
    deadWriterIntent({
      op: '01dc0de5',
      action: 'veth.create',
      ends: [
        { nsId: b.id, nsInode: b.inode, name: `${P}o1` },
        { nsId: b.id, nsInode: b.inode, name: `${P}o2` },
      ],
    });
    deadWriterIntent({ op: 'a11ce0ff', action: 'namespace.create', ends: [], netns: `${P}ns` });
    deadWriterIntent({ op: 'b0bca7ed', action: 'namespace.create', ends: [], netns: `${P}gone` });
    const names = [...h.names, `${P}ns`];
    const before = await kernelState(names, P);

    const r = await recoverOrphans(await h.deps());
    expect(r.deleted).toEqual([]);
    expect(r.failed).toEqual([]);
    expect(r.suspects.map((s) => s.name).sort()).toEqual(
      [`${P}n1`, `${P}n2`, `${P}m1`, `${P}o1`, `${P}o2`, `${P}ns`].sort(),
    );
    expect(await kernelState(names, P)).toBe(before);
    expect(
      (await sh('ip netns list')).split('\n').some((l) => l.startsWith(`${P}ns `) || l === `${P}ns`),
    ).toBe(true);
    // Open intents are reported again at the next start; the one with nothing left is closed.
    const after = journal.read();
    for (const op of [crashedPair.op, crashedBridge.op, '01dc0de5', 'a11ce0ff'])
      expect(after.get(op)?.end, op).toBeUndefined();
    expect(after.get('b0bca7ed')?.end?.state).toBe('recovered');
    expect(r.closedIntents).toEqual(['b0bca7ed']);
  });
});
