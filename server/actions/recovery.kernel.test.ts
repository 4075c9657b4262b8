/**
 * Checklist 20: a server SIGKILLed in the middle of a veth creation leaves a tagged orphan that
 * recoverOrphans() removes at the next start; committed tagged devices, untagged devices and ops
 * still running elsewhere are left alone. The "server" is a child process (crashChild.ts). A
 * crash before the tag is covered by recoveryUntagged.kernel.test.ts.
 */
import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sh, uniquePrefix } from '../../test/kernel.js';
import { ActionContext, parseTag, TAG_PREFIX } from './context.js';
import type { CrashHarness } from './testing/crashHarness.js';
import { linkIn as link, startCrashHarness } from './testing/crashHarness.js';
import { IntentJournal, processStart } from './intents.js';
import { recoverOrphans } from './recovery.js';
import { createVeth } from './veth.js';

vi.setConfig({ testTimeout: 300_000 });

const P = uniquePrefix('rc');
let h: CrashHarness;
let NA: string;
let NB: string;

beforeAll(async () => {
  h = await startCrashHarness(P);
  [NA, NB] = h.names;
});

afterAll(async () => {
  await h?.close();
});

describe('recoverOrphans', () => {
  it('removes what a SIGKILLed creation tagged, and nothing else', async () => {
    const [a, b] = h.nss;
    // A committed creation: tagged, must stay.
    const ctx = new ActionContext({
      readOnly: false,
      allowHostChanges: false,
      ...(await h.deps()),
      onKernelChanged: () => undefined,
    });
    const ok = await createVeth(ctx, {
      a: { namespace: a.id, name: `${P}c1` },
      b: { namespace: b.id, name: `${P}c2` },
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    // Untagged decoys (one with a foreign alias), an op in flight in a live process, an unknown op.
    await sh(`
      ip -n ${NA} link add ${P}u1 type veth peer name ${P}u2 netns ${NB}
      ip -n ${NA} link set dev ${P}u1 alias decoy
      ip -n ${NA} link add ${P}f1 type veth peer name ${P}f2
      ip -n ${NA} link set dev ${P}f1 alias ${TAG_PREFIX}feedf00d
      ip -n ${NA} link add ${P}k1 type veth peer name ${P}k2
      ip -n ${NA} link set dev ${P}k1 alias ${TAG_PREFIX}0badc0de
    `);
    const journal = IntentJournal.beside(h.auditLogPath);
    journal.begin('feedf00d', 'veth.create', [{ nsId: a.id, nsInode: a.inode, name: `${P}f1` }]);

    // Crash after both ends are made and tagged (before addresses).
    await h.crashAfter(3, {
      a: { namespace: a.id, name: `${P}o1`, address: '10.77.0.1/24' },
      b: { namespace: b.id, name: `${P}o2`, address: '10.77.0.2/24' },
    });
    const o1 = await link(NA, `${P}o1`);
    const orphanTag = o1?.ifalias ?? '';
    expect(orphanTag).toMatch(/^netns-explorer:[0-9a-f]{8}@[0-9]+\.[0-9]+$/);
    expect((await link(NB, `${P}o2`))?.ifalias).toBe(orphanTag);
    const orphanOp = parseTag(orphanTag)?.op ?? '';
    const before = journal.read();
    expect(before.get(orphanOp)?.intent?.ends.map((e) => e.name)).toEqual([`${P}o1`, `${P}o2`]);
    expect(before.get(orphanOp)?.end).toBeUndefined();

    const r1 = await recoverOrphans(await h.deps(), { unknownOps: 'keep' });
    expect(r1.skipped).toBeUndefined();
    expect(r1.failed).toEqual([]);
    expect(r1.deleted.map((d) => d.op)).toEqual([orphanOp]);
    expect(r1.deleted.map((d) => d.name)).toContain(`${P}o1`);
    expect(await link(NA, `${P}o1`)).toBeNull();
    expect(await link(NB, `${P}o2`)).toBeNull();
    for (const [ns, name] of [
      [NA, `${P}c1`],
      [NB, `${P}c2`],
      [NA, `${P}u1`],
      [NB, `${P}u2`],
      [NA, `${P}f1`],
      [NA, `${P}k1`],
    ] as const)
      expect(await link(ns, name), `${ns}/${name}`).not.toBeNull();
    const reasons = Object.fromEntries(r1.kept.map((k) => [k.name, k.reason]));
    expect(reasons[`${P}c1`]).toBe('committed');
    expect(reasons[`${P}f1`]).toMatch(/^in progress in pid /);
    expect(reasons[`${P}k1`]).toMatch(/unknown/);
    // The in-flight intent names f1 (no MAC), but its writer is alive: not even a suspect.
    expect(r1.suspects).toEqual([]);
    const after = journal.read();
    expect(after.get(orphanOp)?.end?.state).toBe('recovered');
    expect(after.get('feedf00d')?.end).toBeUndefined();
    const audit = readFileSync(h.auditLogPath, 'utf8');
    expect(audit).toContain('"action":"recovery"');
    expect((statSync(journal.path!).mode & 0o777).toString(8)).toBe('600');

    // Default policy (checklist 20): a tag no journal knows is removed as well.
    const r2 = await recoverOrphans(await h.deps());
    expect(r2.deleted.map((d) => d.name)).toEqual([`${P}k1`]);
    expect(await link(NA, `${P}k1`)).toBeNull();
    expect(await link(NA, `${P}c1`)).not.toBeNull();
    expect(await link(NA, `${P}u1`)).not.toBeNull();
  });

  it('leaves the devices of another running server alone (its writer is in the tag)', async () => {
    // Another server: a live process with its own journal elsewhere. A dead one: a finished process.
    const other = spawn('/bin/sleep', ['600'], { stdio: 'ignore' });
    const gone = spawn('/bin/true', [], { stdio: 'ignore' });
    await new Promise((r) => gone.once('exit', r));
    try {
      const start = processStart(other.pid!);
      expect(start).not.toBeNull();
      await sh(`
        ip -n ${NA} link add ${P}w1 type veth peer name ${P}w2
        ip -n ${NA} link set dev ${P}w1 alias ${TAG_PREFIX}5ca1ab1e@${other.pid}.${start}
        ip -n ${NA} link add ${P}x1 type veth peer name ${P}x2
        ip -n ${NA} link set dev ${P}x1 alias ${TAG_PREFIX}deadbeef@${gone.pid}.${start}
      `);
      const r = await recoverOrphans(await h.deps());
      expect(r.kept).toContainEqual(
        expect.objectContaining({ name: `${P}w1`, reason: `made by the running server pid ${other.pid}` }),
      );
      expect(r.deleted.map((d) => d.name)).toEqual([`${P}x1`]);
      expect(await link(NA, `${P}w1`)).not.toBeNull();
      expect(await link(NA, `${P}x1`)).toBeNull();
    } finally {
      other.kill('SIGKILL');
      await sh(`ip -n ${NA} link del ${P}w1 2>/dev/null || true`);
    }
  });

  it('does nothing without a journal (audit log on a device)', async () => {
    const r = await recoverOrphans({ ...(await h.deps()), auditLogPath: '/dev/null' });
    expect(r.skipped).toMatch(/no intent journal/);
    expect(r.deleted).toEqual([]);
  });
});
