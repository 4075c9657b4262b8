/**
 * Checklist 20: a server SIGKILLed in the middle of a veth creation leaves a tagged orphan that
 * recoverOrphans() removes at the next start; committed tagged devices, untagged devices and ops
 * still running elsewhere are left alone. The "server" is a child process (crashChild.ts).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { nsId } from '../../common/model.js';
import { cleanupPrefix, ipJson, pollUntil, sh, uniquePrefix } from '../../test/kernel.js';
import type { FreshLink } from './context.js';
import { ActionContext, TAG_PREFIX } from './context.js';
import type { CrashConfig } from './crashChild.js';
import { fixtureTopology } from './crashChild.js';
import { IntentJournal } from './intents.js';
import type { RecoveryDeps } from './recovery.js';
import { recoverOrphans } from './recovery.js';
import { createVeth } from './veth.js';

vi.setConfig({ testTimeout: 300_000 });

const HERE = dirname(fileURLToPath(import.meta.url));
const P = uniquePrefix('rc');
const NA = `${P}a`;
const NB = `${P}b`;
let auditDir: string;
let auditLogPath: string;
let nss: CrashConfig['namespaces'];
const children: ChildProcess[] = [];

beforeAll(async () => {
  await sh(`ip netns add ${NA}; ip netns add ${NB}`);
  nss = [NA, NB].map((name) => {
    const path = `/run/netns/${name}`;
    const inode = statSync(path).ino;
    return { id: nsId(inode), inode, name, path };
  });
  auditDir = mkdtempSync(join(tmpdir(), 'nx-recovery-'));
  auditLogPath = join(auditDir, 'audit.log');
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await cleanupPrefix(P);
  if (auditDir) rmSync(auditDir, { recursive: true, force: true });
});

/** Only our namespaces: devices other people's tests tag elsewhere are none of this test's business. */
function deps(): RecoveryDeps {
  const topo = fixtureTopology(nss);
  return {
    auditLogPath,
    getTopology: () => topo,
    namespacePath: (id) => nss.find((n) => n.id === id)?.path ?? null,
  };
}

/** Runs a creation in a child process, SIGKILLs it right after `step`, and waits until it is dead. */
async function crashAfter(step: number, body: unknown): Promise<void> {
  const cfg: CrashConfig = { auditLogPath, namespaces: nss, body, stopAfterStep: step };
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(HERE, 'crashChild.ts'), JSON.stringify(cfg)],
    {
      cwd: join(HERE, '../..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => void (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => void (out += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  await pollUntil(
    () => {
      if (child.exitCode !== null) throw new Error(`child exited early: ${out}`);
      return out.includes(`stopped after step ${step}`);
    },
    `child to reach step ${step}`,
    180_000,
  );
  child.kill('SIGKILL');
  await exited;
}

const link = async (ns: string, name: string): Promise<FreshLink | null> => {
  const all = await ipJson<FreshLink[]>(['-d', 'link', 'show'], { name: ns });
  return all.find((l) => l.ifname === name) ?? null;
};

describe('recoverOrphans', () => {
  it('removes what a SIGKILLed creation tagged, and nothing else', async () => {
    const topo = fixtureTopology(nss);
    const [a, b] = nss as [CrashConfig['namespaces'][0], CrashConfig['namespaces'][0]];
    // A committed creation: tagged, must stay.
    const ctx = new ActionContext({
      readOnly: false,
      allowHostChanges: false,
      auditLogPath,
      getTopology: () => topo,
      namespacePath: (id) => nss.find((n) => n.id === id)?.path ?? null,
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
    const journal = IntentJournal.beside(auditLogPath);
    journal.begin('feedf00d', 'veth.create', [{ nsId: a.id, nsInode: a.inode, name: `${P}f1` }]);

    // Crash after both ends are made and tagged (before addresses), and one before the tag.
    await Promise.all([
      crashAfter(3, {
        a: { namespace: a.id, name: `${P}o1`, address: '10.77.0.1/24' },
        b: { namespace: b.id, name: `${P}o2`, address: '10.77.0.2/24' },
      }),
      crashAfter(1, { a: { namespace: a.id, name: `${P}s1` }, b: { namespace: b.id, name: `${P}s2` } }),
    ]);
    const o1 = await link(NA, `${P}o1`);
    const orphanTag = o1?.ifalias ?? '';
    expect(orphanTag).toMatch(/^netns-explorer:[0-9a-f]{8}$/);
    expect((await link(NB, `${P}o2`))?.ifalias).toBe(orphanTag);
    expect((await link(NA, `${P}s1`))?.ifalias).toBeUndefined();
    const orphanOp = orphanTag.slice(TAG_PREFIX.length);
    const before = journal.read();
    expect(before.get(orphanOp)?.intent?.ends.map((e) => e.name)).toEqual([`${P}o1`, `${P}o2`]);
    expect(before.get(orphanOp)?.end).toBeUndefined();

    const r1 = await recoverOrphans(deps(), { unknownOps: 'keep' });
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
      [NA, `${P}s1`],
      [NB, `${P}s2`],
    ] as const)
      expect(await link(ns, name), `${ns}/${name}`).not.toBeNull();
    const reasons = Object.fromEntries(r1.kept.map((k) => [k.name, k.reason]));
    expect(reasons[`${P}c1`]).toBe('committed');
    expect(reasons[`${P}f1`]).toMatch(/^in progress in pid /);
    expect(reasons[`${P}k1`]).toMatch(/unknown/);
    // Crashed between create and tag: named in its intent, untagged, so only reported.
    expect(r1.suspects.map((s) => s.name).sort()).toEqual([`${P}s1`, `${P}s2`]);
    const after = journal.read();
    expect(after.get(orphanOp)?.end?.state).toBe('recovered');
    expect(after.get(r1.suspects[0]!.op)?.end).toBeUndefined();
    expect(after.get('feedf00d')?.end).toBeUndefined();
    const audit = readFileSync(auditLogPath, 'utf8');
    expect(audit).toContain('"action":"recovery"');
    expect((statSync(journal.path!).mode & 0o777).toString(8)).toBe('600');

    // Default policy (checklist 20): a tag no journal knows is removed as well.
    const r2 = await recoverOrphans(deps());
    expect(r2.deleted.map((d) => d.name)).toEqual([`${P}k1`]);
    expect(await link(NA, `${P}k1`)).toBeNull();
    expect(await link(NA, `${P}c1`)).not.toBeNull();
    expect(await link(NA, `${P}u1`)).not.toBeNull();
  });

  it('does nothing without a journal (audit log on a device)', async () => {
    const r = await recoverOrphans({ ...deps(), auditLogPath: '/dev/null' });
    expect(r.skipped).toMatch(/no intent journal/);
    expect(r.deleted).toEqual([]);
  });
});
