/**
 * `netns-explorer diff` and `netns-explorer view` as users run them: view as an unprivileged user
 * (setpriv, so it needs root to set up), serving exactly the files' models, spawning nothing.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { ChangesResponse, HistoryInfo } from '../../common/history.js';
import type { Topology } from '../../common/model.js';
import { toSnapshotFile } from '../../common/snapshotFile.js';
import { CHECKOUT, killStarted, startCli, stopWith, urlLine } from '../testing/cliProcess.js';
import { baseModel, prng, randomStep } from './testing/testModels.js';

const execFileP = promisify(execFile);
const TOKEN = 'view-command-test-token-0123456789';
const dir = mkdtempSync(join(tmpdir(), 'nx-view-'));
chmodSync(dir, 0o755);

afterAll(() => {
  killStarted();
  rmSync(dir, { recursive: true, force: true });
});

const rand = prng(42);
let a = baseModel();
for (let i = 0; i < 10; i++) a = randomStep(a, rand).next;
let b = a;
for (let i = 0; i < 5; i++) b = randomStep(b, rand).next;
const A_TIME = new Date('2026-12-04T03:12:00.000Z');
const B_TIME = new Date('2026-12-04T03:20:00.000Z');

function write(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content, { mode: 0o644 });
  return path;
}
const fileA = write('a.json', JSON.stringify(toSnapshotFile(a, A_TIME, 'box-a')));
const fileB = write('b.json', JSON.stringify(toSnapshotFile(b, B_TIME, 'box-b')));

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await execFileP(process.execPath, ['--import', 'tsx', 'server/cli.ts', ...args], {
      cwd: CHECKOUT,
      timeout: 60_000,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('netns-explorer diff', () => {
  it('prints one line per change from A to B', async () => {
    const r = await cli(['diff', fileA, fileB]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(
      /a\.json \(2026-12-04T03:12:00\.000Z, host box-a\) -> .*b\.json \(2026-12-04T03:20:00\.000Z, host box-b\): \d+ changes?$/,
    );
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines.slice(1))
      expect(l).toMatch(/^ {2}\S.* (added|removed|went|changed|mtu|address|now)/);
    expect((await cli(['diff', fileA, fileA])).stdout).toContain('no changes');
  });

  it('names what is wrong with a file that is not a snapshot or is from the future', async () => {
    const notJson = write('x.json', 'hello');
    const future = write('f.json', JSON.stringify({ ...a, version: 7 }));
    const r1 = await cli(['diff', notJson, fileB]);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toContain('x.json is not JSON');
    const r2 = await cli(['diff', fileA, future]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain('f.json has model version 7, newer than this netns-explorer reads (1)');
    const r3 = await cli(['diff', fileA, join(dir, 'missing.json')]);
    expect(r3.stderr).toContain('missing.json: no such file');
  });
});

describe('netns-explorer view', () => {
  it(
    'serves the two snapshots and their difference as an unprivileged user, spawning nothing',
    { timeout: 120_000 },
    async () => {
      const view = startCli(['view', fileA, fileB, '--port', '0'], {
        wrapper: ['/usr/bin/setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'],
        env: { PATH: '/usr/bin:/bin', NETNS_EXPLORER_TOKEN: TOKEN, HOME: '/tmp' },
      });
      const { child } = view;
      const base = await urlLine(view, 60_000);
      const get = async <T>(path: string): Promise<T> => {
        const res = await fetch(`${base}${path}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
        expect(res.status, path).toBe(200);
        return (await res.json()) as T;
      };
      const model = (t: Topology): Topology => ({
        version: t.version,
        namespaces: t.namespaces,
        interfaces: t.interfaces,
        routes: t.routes,
        links: t.links,
      });
      expect(model(await get<Topology>('/api/topology'))).toEqual(b);
      expect(model(await get<Topology>(`/api/topology?at=${A_TIME.toISOString()}`))).toEqual(a);
      const info = await get<HistoryInfo>('/api/history');
      expect(info.compare).toEqual({ from: A_TIME.toISOString(), to: B_TIME.toISOString() });
      expect(info.host).toBe('box-b');
      const changes = await get<ChangesResponse>(
        `/api/changes?from=${A_TIME.toISOString()}&to=${B_TIME.toISOString()}`,
      );
      expect(changes.changes).toHaveLength(1);
      expect(changes.changes[0]!.ops.length).toBeGreaterThan(0);
      // Nothing read the kernel: no child but tsx's own esbuild service (no ip, no nsenter).
      const kids = readdirSync(`/proc/${child.pid}/task`).flatMap((t) =>
        readFileSync(`/proc/${child.pid}/task/${t}/children`, 'utf8').trim().split(' ').filter(Boolean),
      );
      expect(
        kids.map((k) => readFileSync(`/proc/${k}/comm`, 'utf8').trim()).filter((c) => c !== 'esbuild'),
      ).toEqual([]);
      await stopWith(child, 'SIGTERM');
    },
  );

  it('refuses a file that is not a snapshot, naming it', async () => {
    const bad = write('bad.json', JSON.stringify({ version: 1, namespaces: 'many' }));
    const r = await cli(['view', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bad.json is not a valid netns-explorer snapshot: namespaces');
  });
});
