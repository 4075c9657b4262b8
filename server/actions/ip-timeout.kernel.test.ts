/**
 * A hung `ip` becomes 504 once the timeout passes (plus execa's 2 s SIGKILL grace), and the child
 * is killed even though it ignores SIGTERM. The stub replaces /usr/sbin/ip through the context's
 * `tools` seam (not reachable over HTTP); it hangs only on `link add`, the rest is the real ip.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { nsId } from '../../common/ids.js';
import { cleanupPrefix, pollUntil, sh, uniquePrefix } from '../../test/kernel.js';
import { ActionContext, DEFAULT_TOOLS } from './context.js';
import { fixtureTopology } from './testing/crashChild.js';
import { createVeth } from './veth.js';

vi.setConfig({ testTimeout: 300_000 });

const P = uniquePrefix('to');
const NA = `${P}a`;
let dir: string;

beforeAll(async () => {
  await sh(`ip netns add ${NA}`);
  dir = mkdtempSync(join(tmpdir(), 'nx-hung-ip-'));
  // SIG_IGN survives exec, so the sleeping process itself ignores SIGTERM; it records its pid.
  writeFileSync(
    join(dir, 'ip'),
    `#!/bin/sh
case " $* " in
  *" add "*) echo $$ >> ${dir}/pids; trap '' TERM; exec /bin/sleep 600 ;;
  *) exec /usr/sbin/ip "$@" ;;
esac
`,
  );
  chmodSync(join(dir, 'ip'), 0o755);
});

afterAll(async () => {
  if (dir && existsSync(join(dir, 'pids')))
    for (const pid of readFileSync(join(dir, 'pids'), 'utf8').split('\n').filter(Boolean))
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // already gone (the expected case)
      }
  await cleanupPrefix(P);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('hung ip', () => {
  it('answers 504 within timeout + grace and kills the child', async () => {
    const path = `/run/netns/${NA}`;
    const inode = statSync(path).ino;
    const nss = [{ id: nsId(inode), inode, name: NA, path }];
    const topo = fixtureTopology(nss);
    const auditDir = mkdtempSync(join(tmpdir(), 'nx-hung-audit-'));
    try {
      const ctx = new ActionContext({
        readOnly: false,
        allowHostChanges: false,
        auditLogPath: join(auditDir, 'audit.log'),
        getTopology: () => topo,
        namespacePath: () => path,
        onKernelChanged: () => undefined,
      });
      const timeoutMs = 1000;
      ctx.tools = { ...DEFAULT_TOOLS, ip: join(dir, 'ip'), timeoutMs };
      const t0 = Date.now();
      const r = await createVeth(ctx, {
        a: { namespace: nss[0]!.id, name: `${P}x` },
        b: { namespace: nss[0]!.id, name: `${P}y` },
      });
      const elapsed = Date.now() - t0;
      expect(r.status, JSON.stringify(r.body)).toBe(504);
      expect((r.body.error as { code: string }).code).toBe('timeout');
      // A timed-out create may have happened: the compensation ran and found nothing left.
      expect(r.body.rolledBack).toBe(true);
      // Bounded, not fast: far below the stub's 600 s hang (timeout + 2 s SIGKILL grace + slack
      // for the other commands on a busy machine).
      expect(elapsed).toBeLessThan(timeoutMs + 2000 + 30_000);
      const pids = readFileSync(join(dir, 'pids'), 'utf8').split('\n').filter(Boolean).map(Number);
      expect(pids).toHaveLength(1);
      await pollUntil(() => !existsSync(`/proc/${pids[0]}`), `hung ip ${pids[0]} to be gone`);
      expect(await sh(`ip -n ${NA} -br link`)).not.toContain(P);
    } finally {
      rmSync(auditDir, { recursive: true, force: true });
    }
  });
});
