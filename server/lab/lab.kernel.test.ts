/**
 * The demo lab against the real kernel, through the real CLI in a child process (so the holders
 * must survive the CLI exiting). Other test files run concurrently and create their own `nx*`
 * objects, so "nothing else was touched" is checked on the host's own links and on decoys that
 * look like the lab's but are not. Docker mode: lab.docker.kernel.test.ts.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, readlink, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupPrefix, ipJson, pollUntil, sh, uniquePrefix } from '../../test/kernel.js';
import { httpGet } from './hostOps.js';
import { STATE_FILE } from './plan.js';
import { procInfo } from './procs.js';
import { labStateSchema } from './state.js';
import type { LabState } from './state.js';
import { hostBaseline, ipv4, lab } from './testing/labTestKit.js';
import type { Addr, Link, Route } from './testing/labTestKit.js';

describe('netns-explorer lab (process mode)', () => {
  const prefix = uniquePrefix('lt');
  let decoyDir = '';
  let decoyPid = 0;
  let decoy: ChildProcess | undefined;
  let baseline: string[] = [];
  let state: LabState;
  const nsOf = (role: string): { path: string } => {
    const p = state.processes.find((x) => x.role === role);
    if (!p) throw new Error(`no ${role} in state`);
    return { path: `/proc/${p.pid}/ns/net` };
  };

  beforeAll(async () => {
    // The test owns the lab while it runs.
    await lab('down');
    // Decoys: a bridge of someone else's and a process called netshoot-a that is not the lab's.
    await sh(`ip link add ${prefix}-br0 type bridge`);
    decoyDir = await mkdtemp(join(tmpdir(), `${prefix}-`));
    await symlink('/bin/sleep', join(decoyDir, 'netshoot-a'));
    decoy = spawn(join(decoyDir, 'netshoot-a'), ['86400'], { stdio: 'ignore' });
    decoyPid = decoy.pid ?? 0;
    await pollUntil(async () => (await procInfo(decoyPid))?.comm === 'netshoot-a', 'decoy to start');
    baseline = await hostBaseline();
    const up = await lab('up');
    expect(up.code, up.out).toBe(0);
    state = labStateSchema.parse(JSON.parse(await readFile(STATE_FILE, 'utf8')));
  });

  afterAll(async () => {
    await lab('down');
    decoy?.kill('SIGKILL');
    await cleanupPrefix(prefix);
    if (decoyDir) await rm(decoyDir, { recursive: true, force: true });
  });

  it('runs recognisable holders that outlive the CLI, each in its own namespace but netshoot-host', async () => {
    expect(state.complete).toBe(true);
    expect(state.processes.map((p) => p.role).sort()).toEqual([
      'netshoot-a',
      'netshoot-b',
      'netshoot-host',
      'nginx',
    ]);
    const host = await readlink('/proc/self/ns/net');
    const seen = new Set<string>();
    for (const p of state.processes) {
      const info = await procInfo(p.pid);
      expect(info?.comm).toBe(p.role);
      expect(info?.state).not.toBe('Z');
      const ns = await readlink(`/proc/${p.pid}/ns/net`);
      if (p.role === 'netshoot-host') expect(ns).toBe(host);
      else expect(ns).not.toBe(host);
      seen.add(ns);
    }
    expect(seen.size).toBe(4);
  });

  it('builds the bridge with exactly the two container veths as ports, peers crossing namespaces', async () => {
    const links = await ipJson<Link[]>(['-d', 'link', 'show']);
    const br = links.find((l) => l.ifname === 'nxlab-br0');
    expect(br?.linkinfo?.info_kind).toBe('bridge');
    expect(
      links
        .filter((l) => l.master === 'nxlab-br0')
        .map((l) => l.ifname)
        .sort(),
    ).toEqual(['nxlab-veth-a', 'nxlab-veth-b']);
    expect(ipv4(await ipJson<Addr[]>(['addr', 'show']), 'nxlab-br0')).toEqual(['10.251.17.1/24']);
    for (const [role, hostEnd, cidr] of [
      ['netshoot-a', 'nxlab-veth-a', '10.251.17.4/24'],
      ['netshoot-b', 'nxlab-veth-b', '10.251.17.3/24'],
    ] as const) {
      const inner = await ipJson<Link[]>(['link', 'show'], nsOf(role));
      const eth0 = inner.find((l) => l.ifname === 'eth0');
      const h = links.find((l) => l.ifname === hostEnd);
      expect(eth0?.operstate).toBe('UP');
      expect(eth0?.link_index).toBe(h?.ifindex);
      expect(h?.link_index).toBe(eth0?.ifindex);
      expect(ipv4(await ipJson<Addr[]>(['addr', 'show'], nsOf(role)), 'eth0')).toEqual([cidr]);
    }
  });

  it('has the 8.8.8.8 host route in netshoot-a only (Shells 1 and 2)', async () => {
    const a = await ipJson<Route[]>(['route', 'show'], nsOf('netshoot-a'));
    const b = await ipJson<Route[]>(['route', 'show'], nsOf('netshoot-b'));
    expect(a).toContainEqual(expect.objectContaining({ dst: '8.8.8.8', dev: 'eth0', scope: 'link' }));
    expect(a).toContainEqual(expect.objectContaining({ dst: 'default', gateway: '10.251.17.1' }));
    expect(b.some((r) => r.dst === '8.8.8.8')).toBe(false);
    expect(b).toContainEqual(expect.objectContaining({ dst: 'default', gateway: '10.251.17.1' }));
  });

  it('serves a page from nginx over the host veth (Shell 4)', async () => {
    expect(ipv4(await ipJson<Addr[]>(['addr', 'show']), 'nxlab-vhost')).toEqual(['10.251.18.100/24']);
    expect(ipv4(await ipJson<Addr[]>(['addr', 'show'], nsOf('nginx')), 'veth-cont')).toEqual([
      '10.251.18.101/24',
    ]);
    const res = await httpGet('http://10.251.18.101/');
    expect(res.status).toBe(200);
    expect(res.body).toContain('Welcome to nginx!');
    // The address is not the host's own: the answer really crossed the veth into nginx's namespace.
    expect(await sh('ip -4 -o addr show')).not.toContain('10.251.18.101');
  });

  it('treats a second up as a no-op', async () => {
    const again = await lab('up');
    expect(again.code, again.out).toBe(0);
    expect(again.out).toContain('already up');
    const now = labStateSchema.parse(JSON.parse(await readFile(STATE_FILE, 'utf8')));
    expect(now.processes).toEqual(state.processes);
  });

  it('down removes exactly the lab, twice harmlessly, and leaves the decoys', async () => {
    const down = await lab('down');
    expect(down.code, down.out).toBe(0);
    for (const p of state.processes) {
      await pollUntil(async () => {
        const info = await procInfo(p.pid);
        return info === null || info.startTime !== p.startTime || info.state === 'Z';
      }, `${p.role} to go`);
    }
    expect(await hostBaseline()).toEqual(baseline);
    expect(await sh('ip -br link')).not.toContain('nxlab-');
    expect(await sh('ip netns list')).not.toContain('nxlab');
    expect(await sh(`ip -br link show ${prefix}-br0`)).toContain(`${prefix}-br0`);
    expect((await procInfo(decoyPid))?.comm).toBe('netshoot-a');
    const again = await lab('down');
    expect(again.code).toBe(0);
    expect(again.out).toContain('not up');
  });
});
