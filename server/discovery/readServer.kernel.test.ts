/**
 * The read server against the real kernel: it answers what a process of its own would, one
 * request after another, survives a hung `ip` (killed with its whole group) and keeps data out of
 * its script.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IP, NSENTER, onSpawn, run } from '../exec/run.js';
import { READ_BATCH, parseBatch } from './ipParse.js';
import { ReadServer } from './readServer.js';
import { readNamespace } from './reader.js';
import { SERVE_SCRIPT, servable } from './readScripts.js';
import { cleanupPrefix, nsInode, pollUntil, sh, uniquePrefix } from '../../test/kernel.js';

const prefix = uniquePrefix('rs');
const ns = `${prefix}a`;
const path = `/run/netns/${ns}`;
const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
const fifo = join(dir, 'hang');
let inode = 0;

function commandLinesMentioning(text: string): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(text)) out.push(`${pid}: ${cmd}`);
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

beforeAll(async () => {
  await sh(`ip netns add ${ns}
ip -n ${ns} link add ${prefix}v0 type veth peer name ${prefix}v1
ip -n ${ns} addr add 10.77.1.1/24 dev ${prefix}v0
ip -n ${ns} link set ${prefix}v0 up
mkfifo ${fifo}`);
  inode = await nsInode(path);
});

afterAll(async () => {
  await cleanupPrefix(prefix);
  rmSync(dir, { recursive: true, force: true });
});

describe('ReadServer', () => {
  it('answers as a process of its own does, request after request', async () => {
    const server = new ReadServer();
    try {
      const own = await run(NSENTER, [`--net=${path}`, IP, '-j', '-d', '-b', '-'], {
        input: READ_BATCH.join('\n') + '\n',
      });
      for (let i = 0; i < 3; i++) {
        const r = await server.read({ withNsids: false, path, mountNs: null, timeoutMs: 10_000 });
        expect(r.exitCode).toBe(0);
        expect(parseBatch(inode, r.stdout, false)).toEqual(parseBatch(inode, own.stdout, false));
      }
      const read = await readNamespace(
        { inode, paths: [path], ours: false, nsids: false },
        null,
        10_000,
        server,
      );
      expect('read' in read && read.read.links.map((l) => l.iface.name).sort()).toEqual(
        ['lo', `${prefix}v0`, `${prefix}v1`].sort(),
      );
    } finally {
      server.stop();
    }
  });

  it('reports a failing ip with its stderr and goes on', async () => {
    const server = new ReadServer();
    try {
      const bad = await server.read({
        withNsids: false,
        path: `${dir}/missing`,
        mountNs: null,
        timeoutMs: 10_000,
      });
      expect(bad.exitCode).not.toBe(0);
      expect(bad.stderr).toMatch(/missing/);
      const good = await server.read({ withNsids: false, path, mountNs: null, timeoutMs: 10_000 });
      expect(good.exitCode).toBe(0);
    } finally {
      server.stop();
    }
  });

  it('kills a hung read with its whole process group, and the next request gets a fresh shell', async () => {
    const server = new ReadServer();
    try {
      // nsenter blocks opening a FIFO that has no writer: a stand-in for a hung ip.
      const hung = await server.read({ withNsids: false, path: fifo, mountNs: null, timeoutMs: 300 });
      expect(hung.timedOut).toBe(true);
      // SIGKILL is delivered at once but a process takes a moment to go.
      await pollUntil(
        () => commandLinesMentioning(fifo).filter((l) => l.includes('nsenter')).length === 0,
        'the hung nsenter is killed',
      );
      const good = await server.read({ withNsids: false, path, mountNs: null, timeoutMs: 10_000 });
      expect(good.exitCode).toBe(0);
    } finally {
      server.stop();
    }
  });

  it('tells spawn observers what it runs, and keeps paths out of its script', async () => {
    const seen: string[] = [];
    const off = onSpawn((argv) => seen.push(argv.join(' ')));
    const server = new ReadServer();
    try {
      await server.read({ withNsids: false, path, mountNs: null, timeoutMs: 10_000 });
    } finally {
      off();
      server.stop();
    }
    expect(seen.some((s) => s.includes(`--net=${path}`) && s.includes(IP))).toBe(true);
    expect(SERVE_SCRIPT).not.toContain('/run/netns');
    expect(servable({ path: '/run/netns/a\nb', mountNs: null })).toBe(false);
    expect(servable({ path: '/run/netns/a b', mountNs: null })).toBe(true);
    // Device names travel space-separated and become ip batch lines: only plain names go.
    const asks = (names: string[]) => names.map((name) => ({ name, routes: true }));
    expect(servable({ path: '', mountNs: null, devices: asks(['eth0', 'veth1@x']) })).toBe(true);
    for (const bad of [[], ['a b'], ['a*'], ['a#b'], ['"x'], ['-x'], ['x\ny'], ['r/x']])
      expect(servable({ path: '', mountNs: null, devices: asks(bad) })).toBe(false);
    const refused = await server.read({
      withNsids: false,
      path: `${path}\nx`,
      mountNs: null,
      timeoutMs: 10_000,
    });
    expect(refused.exitCode).toBe(-1);
    expect(refused.stderr).toMatch(/not sendable/);
  });

  it('stop() leaves no process behind', async () => {
    const server = new ReadServer();
    await server.read({ withNsids: false, path, mountNs: null, timeoutMs: 10_000 });
    const pid = server.pid;
    expect(pid).not.toBeNull();
    expect(existsSync(`/proc/${pid}`)).toBe(true);
    server.stop();
    expect(server.pid).toBeNull();
    await pollUntil(
      () => !existsSync(`/proc/${pid}`) || readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z'),
      'shell gone',
    );
  });
});
