/**
 * Without root, `snapshot` still shows what it can (the namespace it runs in) and says which
 * namespaces it could not enter and why. Runs the CLI from source (tsx) with every capability
 * dropped: what keeps a non-root user out of other namespaces (CAP_SYS_ADMIN, CAP_SYS_PTRACE), while
 * the checkout stays readable wherever CI clones it (as `nobody` it may not be).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Topology } from '../common/model.js';
import type { Holder } from './kernel.js';
import { spawnNetnsHolder } from './kernel.js';

const execFileP = promisify(execFile);
let holder: Holder;

beforeAll(async () => {
  // A namespace only root may enter: nobody must be told about it, not crash on it.
  holder = await spawnNetnsHolder();
});
afterAll(async () => {
  await holder.stop();
});

describe('snapshot without root', () => {
  it('shows the host namespace with its interfaces and names what it could not inspect', async () => {
    const { stdout, stderr } = await execFileP(
      '/usr/bin/setpriv',
      [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        process.execPath,
        '--import',
        'tsx',
        'server/cli.ts',
        'snapshot',
      ],
      { maxBuffer: 64 * 1024 * 1024, timeout: 60_000 },
    );
    const t = JSON.parse(stdout) as Topology;
    const host = t.namespaces.find((n) => n.kind === 'host');
    expect(host?.error).toBeNull();
    expect(t.interfaces.some((i) => i.namespace === host!.id && i.name === 'lo')).toBe(true);
    expect(t.namespaces.some((n) => n.pids.includes(holder.pid))).toBe(false);
    expect(stderr).toMatch(/could not be inspected \(permission denied: run as root\)/);
  });
});
