/**
 * Parent side of the crash tests (recovery*.test.ts; never imported by the server): two named
 * test namespaces, an audit log in a temporary directory, and a "server" child (crashChild.ts)
 * that is SIGKILLed right after a chosen step of a creation.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nsId } from '../../../common/ids.js';
import { cleanupPrefix, ipJson, pollUntil, sh } from '../../../test/kernel.js';
import type { FreshLink } from '../context.js';
import type { CrashConfig } from './crashChild.js';
import { fixtureTopology } from './crashChild.js';
import type { RecoveryDeps } from '../recovery.js';
import { createDiscovery } from '../../discovery/index.js';

const HERE = dirname(fileURLToPath(import.meta.url));

export type CrashNs = CrashConfig['namespaces'][number];

export interface CrashHarness {
  /** Namespace names `${prefix}a`, `${prefix}b`. */
  names: [string, string];
  nss: [CrashNs, CrashNs];
  auditLogPath: string;
  /**
   * Recovery over our two namespaces only: other people's tagged devices are none of our
   * business. Their interfaces are read by discovery now, as the server's start-up read would.
   */
  deps(): Promise<RecoveryDeps>;
  /** Runs a creation in a child process, SIGKILLs it right after `step`, waits until it is dead. */
  crashAfter(step: number, body: unknown, action?: CrashConfig['action']): Promise<void>;
  close(): Promise<void>;
}

export async function startCrashHarness(prefix: string): Promise<CrashHarness> {
  const names: [string, string] = [`${prefix}a`, `${prefix}b`];
  await sh(`ip netns add ${names[0]}; ip netns add ${names[1]}`);
  const nss = names.map((name) => {
    const path = `/run/netns/${name}`;
    const inode = statSync(path).ino;
    return { id: nsId(inode), inode, name, path };
  }) as [CrashNs, CrashNs];
  const auditDir = mkdtempSync(join(tmpdir(), 'nx-recovery-'));
  const auditLogPath = join(auditDir, 'audit.log');
  const children: ChildProcess[] = [];
  const topo = fixtureTopology(nss);

  return {
    names,
    nss,
    auditLogPath,
    async deps() {
      const ours = new Set(nss.map((n) => n.id));
      const { topology } = await createDiscovery().full();
      const interfaces = topology.interfaces.filter((i) => ours.has(i.namespace));
      return {
        auditLogPath,
        getTopology: () => ({ ...topo, interfaces }),
        namespacePath: (id) => nss.find((n) => n.id === id)?.path ?? null,
      };
    },
    async crashAfter(step, body, action) {
      const cfg: CrashConfig = { auditLogPath, namespaces: nss, body, stopAfterStep: step, action };
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', join(HERE, 'crashChild.ts'), JSON.stringify(cfg)],
        { cwd: join(HERE, '../../..'), stdio: ['ignore', 'pipe', 'pipe'] },
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
    },
    async close() {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      await cleanupPrefix(prefix);
      rmSync(auditDir, { recursive: true, force: true });
    },
  };
}

/** A device by name in a named namespace, as `ip -j -d link show` gives it, or null. */
export async function linkIn(ns: string, name: string): Promise<FreshLink | null> {
  const all = await ipJson<FreshLink[]>(['-d', 'link', 'show'], { name: ns });
  return all.find((l) => l.ifname === name) ?? null;
}
