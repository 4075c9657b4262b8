/**
 * Test fixture for the recovery tests (never imported by the server): a process that creates a
 * veth pair or a bridge, prints `stopped after step N` after the configured step, and then waits
 * forever so the test can SIGKILL it there (crashHarness.ts). Run as
 * `node --import tsx crashChild.ts CONFIG_JSON`.
 */
import { MODEL_VERSION } from '../../../common/model.js';
import type { Namespace, Topology } from '../../../common/model.js';
import { ActionContext } from '../context.js';
import { createBridge } from '../iface.js';
import { createVeth } from '../veth.js';

export interface CrashConfig {
  auditLogPath: string;
  namespaces: Array<{ id: string; inode: number; name: string; path: string }>;
  body: unknown;
  /** What to create (default a veth pair). */
  action?: 'veth' | 'bridge';
  /** The step after which the creation hangs (veth 3: both ends made and tagged; 1: made only). */
  stopAfterStep: number;
}

/** A topology with just these named namespaces (enough for the actions to resolve ids). */
export function fixtureTopology(nss: CrashConfig['namespaces']): Topology {
  const namespaces: Namespace[] = nss.map((n) => ({
    id: n.id,
    inode: n.inode,
    kind: 'named',
    name: n.name,
    netnsNames: [n.name],
    pids: [],
    processes: [],
    containers: [],
    mounts: [n.path],
    error: null,
  }));
  return { version: MODEL_VERSION, namespaces, interfaces: [], routes: [], links: [] };
}

async function main(): Promise<void> {
  const cfg = JSON.parse(process.argv[2] ?? '{}') as CrashConfig;
  const topo = fixtureTopology(cfg.namespaces);
  const ctx = new ActionContext({
    readOnly: false,
    allowHostChanges: false,
    auditLogPath: cfg.auditLogPath,
    getTopology: () => topo,
    namespacePath: (id) => cfg.namespaces.find((n) => n.id === id)?.path ?? null,
    onKernelChanged: () => undefined,
  });
  // Keeps the process alive while the creation hangs after step 1.
  setInterval(() => undefined, 60_000);
  const hooks = {
    afterStep: (step: number) => {
      if (step !== cfg.stopAfterStep) return;
      process.stdout.write(`stopped after step ${step}\n`);
      return new Promise<void>(() => undefined);
    },
  };
  const r = await (cfg.action === 'bridge' ? createBridge : createVeth)(ctx, cfg.body, hooks);
  process.stdout.write(`finished ${JSON.stringify(r)}\n`);
  process.exit(1);
}

if (process.argv[1]?.endsWith('crashChild.ts') || process.argv[1]?.endsWith('crashChild.js')) void main();
