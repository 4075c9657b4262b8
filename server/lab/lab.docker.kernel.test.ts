/**
 * `lab up|down --docker` against a private dockerd (test/docker.ts: own socket, data-root, exec-root
 * and bridge), reached with `--docker-host`, so the test needs no system daemon and cannot touch one.
 * CI installs docker.io and busybox-static without starting dockerd: this file starts its own, and in
 * CI a missing dockerd or busybox is a failure (no skipped tests there). Elsewhere it skips.
 */
import { readFile, readlink } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DockerHarness } from '../../test/docker.js';
import { dockerMissing, startDocker } from '../../test/docker.js';
import { cleanupPrefix, ipJson, sh, uniquePrefix } from '../../test/kernel.js';
import { httpGet } from './hostOps.js';
import { STATE_FILE } from './plan.js';
import { labStateSchema } from './state.js';
import type { LabState } from './state.js';
import { ipv4, lab, labWithin } from './testing/labTestKit.js';
import type { Addr, Link, Route } from './testing/labTestKit.js';

const missing = dockerMissing();
const inCi = !!process.env.CI && !['0', 'false'].includes(process.env.CI.toLowerCase());
const ROLES = ['netshoot-a', 'netshoot-b', 'netshoot-host', 'nginx'];
const LABEL = 'label=netns-explorer.lab=1';

/**
 * Host links that are neither test objects nor ports of another test's bridge (a concurrent test's
 * daemon names its veths `veth*` too); ports of the lab's bridge count, so they must go with `down`.
 */
async function foreignLinks(): Promise<string[]> {
  return (await ipJson<Link[]>(['link', 'show']))
    .filter((l) => !l.ifname.startsWith('nx') && !(l.master?.startsWith('nx') && l.master !== 'nxlab-br0'))
    .map((l) => l.ifname)
    .sort();
}

// In CI a missing prerequisite is one failing test and nothing skipped; elsewhere the suite skips.
if (missing !== null && inCi) {
  it('has dockerd, busybox and root for the Docker lab test', () => {
    throw new Error(`the Docker lab test needs dockerd and busybox in CI: ${missing}`);
  });
} else
  describe.skipIf(missing !== null)('netns-explorer lab --docker (private dockerd)', () => {
    const P = uniquePrefix('lk');
    let h: DockerHarness | undefined;
    let host = '';
    let decoyId = '';
    let baseline: string[] = [];
    let state: LabState;
    const docker = (args: string): Promise<string> => h!.docker(args).then((s) => s.trim());
    const nsOf = async (name: string): Promise<{ path: string }> => {
      const pid = Number(await docker(`inspect --type container -f '{{.State.Pid}}' ${name}`));
      if (!Number.isInteger(pid) || pid <= 0) throw new Error(`container ${name} has no process`);
      return { path: `/proc/${pid}/ns/net` };
    };

    beforeAll(async () => {
      // The test owns the lab while it runs (a process-mode lab would hold the same subnets).
      await lab('down');
      h = await startDocker(P);
      host = `unix://${h.socket}`;
      // A container of "the user's" on the same daemon: `down` must leave it alone.
      decoyId = await docker(`run -d --name ${P}decoy ${h.image} sleep 3600`);
      baseline = await foreignLinks();
      const up = await labWithin(300_000, 'up', '--docker', '--docker-host', host);
      expect(up.code, up.out).toBe(0);
      state = labStateSchema.parse(JSON.parse(await readFile(STATE_FILE, 'utf8')));
    }, 480_000);

    afterAll(async () => {
      try {
        if (h) await labWithin(180_000, 'down', '--docker-host', host);
      } finally {
        await h?.stop();
        await cleanupPrefix(P);
      }
    }, 300_000);

    it('runs the four containers on the given daemon, recorded in the state file', async () => {
      expect(state).toMatchObject({ mode: 'docker', complete: true, docker: { host } });
      expect(state.docker!.containers.map((c) => c.name).sort()).toEqual(ROLES);
      const running = await docker(
        `inspect --type container -f '{{.Name}} {{.State.Running}}' ${ROLES.join(' ')}`,
      );
      expect(running.split('\n').sort()).toEqual(ROLES.map((r) => `/${r} true`));
      expect((await docker(`ps -a --filter ${LABEL} --format '{{.Names}}'`)).split('\n').sort()).toEqual(
        ROLES,
      );
    });

    it('gives netshoot-a and netshoot-b an eth0 on the lab bridge with the seed addresses', async () => {
      const links = await ipJson<Link[]>(['-d', 'link', 'show']);
      expect(links.find((l) => l.ifname === 'nxlab-br0')?.linkinfo?.info_kind).toBe('bridge');
      expect(ipv4(await ipJson<Addr[]>(['addr', 'show']), 'nxlab-br0')).toEqual(['10.251.17.1/24']);
      const ports = links.filter((l) => l.master === 'nxlab-br0');
      expect(ports).toHaveLength(2);
      for (const [role, cidr] of [
        ['netshoot-a', '10.251.17.4/24'],
        ['netshoot-b', '10.251.17.3/24'],
      ] as const) {
        const ns = await nsOf(role);
        const inner = await ipJson<Link[]>(['link', 'show'], ns);
        expect(inner.map((l) => l.ifname).sort()).toEqual(['eth0', 'lo']);
        const eth0 = inner.find((l) => l.ifname === 'eth0')!;
        expect(eth0.operstate).toBe('UP');
        // Its peer is one of the bridge's two ports in the host namespace.
        const peer = ports.find((p) => p.ifindex === eth0.link_index);
        expect(peer?.link_index).toBe(eth0.ifindex);
        expect(ipv4(await ipJson<Addr[]>(['addr', 'show'], ns), 'eth0')).toEqual([cidr]);
        const routes = await ipJson<Route[]>(['route', 'show'], ns);
        expect(routes).toContainEqual(expect.objectContaining({ dst: 'default', gateway: '10.251.17.1' }));
      }
    });

    it('has the 8.8.8.8 host route in netshoot-a only (Shells 1 and 2)', async () => {
      const a = await ipJson<Route[]>(['route', 'show'], await nsOf('netshoot-a'));
      const b = await ipJson<Route[]>(['route', 'show'], await nsOf('netshoot-b'));
      expect(a).toContainEqual(expect.objectContaining({ dst: '8.8.8.8', dev: 'eth0', scope: 'link' }));
      expect(b.some((r) => r.dst === '8.8.8.8')).toBe(false);
    });

    it('serves a page from the nginx container over the host veth (Shell 4)', async () => {
      const ns = await nsOf('nginx');
      expect((await ipJson<Link[]>(['link', 'show'], ns)).map((l) => l.ifname).sort()).toEqual([
        'lo',
        'veth-cont',
      ]);
      expect(ipv4(await ipJson<Addr[]>(['addr', 'show'], ns), 'veth-cont')).toEqual(['10.251.18.101/24']);
      expect(ipv4(await ipJson<Addr[]>(['addr', 'show']), 'nxlab-vhost')).toEqual(['10.251.18.100/24']);
      const res = await httpGet('http://10.251.18.101/');
      expect(res.status).toBe(200);
      expect(res.body).toContain('Welcome to nginx!');
      expect(await sh('ip -4 -o addr show')).not.toContain('10.251.18.101');
    });

    it('runs netshoot-host in the host namespace', async () => {
      expect(await readlink((await nsOf('netshoot-host')).path)).toBe(await readlink('/proc/self/ns/net'));
    });

    it('refuses a --docker-host that is not a local absolute unix socket', async () => {
      for (const bad of ['tcp://127.0.0.1:2375', 'unix://relative.sock', 'unix:///run/../tmp/d.sock']) {
        const r = await lab('up', '--docker', '--docker-host', bad);
        expect(r.code, r.out).toBe(2);
        expect(r.out).toContain('--docker-host');
      }
    });

    it('down removes exactly what up made, and a second down finds nothing', async () => {
      const images = await docker(`images -q --filter ${LABEL}`);
      expect(images).not.toBe('');
      const down = await labWithin(180_000, 'down', '--docker', '--docker-host', host);
      expect(down.code, down.out).toBe(0);
      expect(await docker(`ps -aq --filter ${LABEL}`)).toBe('');
      expect(await docker(`network ls -q --filter ${LABEL}`)).toBe('');
      expect(await docker(`images -q --filter ${LABEL}`)).toBe('');
      // The daemon's own things and the decoy container survive.
      expect(await docker(`inspect --type container -f '{{.State.Running}}' ${decoyId}`)).toBe('true');
      expect(await docker(`image inspect -f '{{.Id}}' ${h!.image}`)).not.toBe('');
      expect(await sh(`ip -br link show ${h!.bridge}`)).toContain(h!.bridge);
      expect(await sh('ip -br link')).not.toContain('nxlab-');
      expect(await foreignLinks()).toEqual(baseline);
      await expect(readFile(STATE_FILE, 'utf8')).rejects.toThrow();
      const again = await lab('down', '--docker-host', host);
      expect(again.code, again.out).toBe(0);
      expect(again.out).toContain('not up');
    });
  });
