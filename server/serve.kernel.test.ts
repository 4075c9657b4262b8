/**
 * The real server, the real discovery and kernel events: after heavy churn made from outside
 * (namespaces named and process-held, veths, addresses, routes, added and removed), every
 * client's snapshot + deltas equals a fresh discovery. The periodic resync is switched off, so
 * only events can get the clients there. (More of the same server: serveEvents.kernel.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { pollUntil, sh, spawnNetnsHolder } from '../test/kernel.js';
import { LiveClient } from './testing/liveServer.js';
import { rng, useLiveKernelServer } from './testing/liveKernelServer.js';

const live = useLiveKernelServer('lv');
const { prefix, bearer, holders, clients, comparable, converged, connected, liveUrl } = live;

describe('live server on the real kernel', () => {
  it('the snapshot over WebSocket equals a fresh discovery', { timeout: 200_000 }, async () => {
    const c = await connected();
    const ours = comparable(c.topology);
    expect(ours.namespaces).toHaveLength(3);
    expect(ours.links).toHaveLength(2);
    await pollUntil(() => converged(c), 'snapshot equals discovery', 120_000);
  });

  it(
    'after 200 random kernel changes every client equals a fresh discovery, with no seq gaps',
    { timeout: 400_000 },
    async () => {
      const a = await LiveClient.open(liveUrl(), bearer);
      const b = await LiveClient.open(liveUrl(), { Cookie: 'x=y', ...bearer });
      clients.push(a, b);
      await pollUntil(() => a.snapshots === 1 && b.snapshots === 1, 'snapshots');
      const seed = Date.now() % 100_000;
      console.log(`churn seed ${seed}`);
      const rand = rng(seed);
      const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
      const named: string[] = [];
      const veths: Array<{ name: string; ns: string }> = [];
      const addrs: Array<{ dev: string; ns: string; cidr: string }> = [];
      const routes: Array<{ ns: string; dst: string }> = [];
      let k = 0;
      const nsArg = (ns: string) =>
        ns === 'host' ? '' : /^\d+$/.test(ns) ? `-n /proc/${ns}/ns/net` : `-n ${ns}`;
      const target = (ns: string) => (ns === 'host' ? '' : `netns ${/^\d+$/.test(ns) ? ns : ns}`);
      for (let step = 0; step < 200; step++) {
        const spaces = [...named, ...holders.map((h) => String(h.pid))];
        const r = rand();
        k++;
        let cmd = '';
        if (spaces.length < 2 || (r < 0.12 && named.length < 8)) {
          const n = `${prefix}n${k}`;
          named.push(n);
          cmd = `ip netns add ${n} && ip -n ${n} link set lo up`;
        } else if (r < 0.17 && holders.length < 3) {
          holders.push(await spawnNetnsHolder());
          continue;
        } else if (r < 0.22 && named.length > 2) {
          const n = named.splice(Math.floor(rand() * named.length), 1)[0]!;
          cmd = `ip netns del ${n}`;
        } else if (r < 0.45) {
          const ns = pick([...spaces, 'host']);
          const other = pick(spaces);
          const name = `${prefix}v${k}`;
          veths.push({ name, ns });
          const into = ns === 'host' ? '' : /^\d+$/.test(ns) ? `netns ${ns}` : `netns ${ns}`;
          cmd = `ip ${nsArg(other)} link add ${name}p type veth peer name ${name} ${into}`;
          void target;
        } else if (r < 0.55 && veths.length > 0) {
          const v = veths.splice(Math.floor(rand() * veths.length), 1)[0]!;
          cmd = `ip ${nsArg(v.ns)} link del dev ${v.name}`;
        } else if (r < 0.65 && veths.length > 0) {
          const v = pick(veths);
          cmd = `ip ${nsArg(v.ns)} link set dev ${v.name} ${rand() < 0.5 ? 'up' : 'down'}`;
        } else if (r < 0.78 && veths.length > 0) {
          const v = pick(veths);
          const cidr = `10.${100 + (k % 50)}.${k % 250}.${1 + (k % 200)}/24`;
          addrs.push({ dev: v.name, ns: v.ns, cidr });
          cmd = `ip ${nsArg(v.ns)} addr add ${cidr} dev ${v.name}`;
        } else if (r < 0.85 && addrs.length > 0) {
          const x = addrs.splice(Math.floor(rand() * addrs.length), 1)[0]!;
          cmd = `ip ${nsArg(x.ns)} addr del ${x.cidr} dev ${x.dev}`;
        } else if (r < 0.95) {
          const ns = pick(spaces);
          const dst = `10.${200 + (k % 50)}.${k % 250}.0/24`;
          routes.push({ ns, dst });
          cmd = `ip ${nsArg(ns)} route add blackhole ${dst}`;
        } else if (routes.length > 0) {
          const x = routes.splice(Math.floor(rand() * routes.length), 1)[0]!;
          cmd = `ip ${nsArg(x.ns)} route del blackhole ${x.dst}`;
        } else if (holders.length > 0) {
          await holders.splice(Math.floor(rand() * holders.length), 1)[0]!.stop();
          continue;
        }
        // Some random steps are impossible (the device went with its namespace): that is churn too.
        await sh(`${cmd} 2>/dev/null || true`);
      }
      for (const c of [a, b]) await pollUntil(() => converged(c), 'client equals discovery', 240_000);
      expect(a.gaps).toEqual([]);
      expect(b.gaps).toEqual([]);
      // Bursts coalesce (more so on a loaded machine), so fewer deltas than changes.
      expect(a.deltas).toBeGreaterThan(0);
      // (A second snapshot would only come from an epoch change: lost events under heavy load.)
      expect(a.snapshots).toBe(b.snapshots);
      // Every delta is small: one change never ships a whole snapshot.
      const sizes = a.messages.filter((m) => m.type === 'delta').map((m) => JSON.stringify(m).length);
      console.log(`deltas: ${sizes.length}, median ${sizes.sort((x, y) => x - y)[sizes.length >> 1]} bytes`);
    },
  );

  it(
    'reconnecting resyncs: a new connection gets a snapshot with what changed while away',
    { timeout: 300_000 },
    async () => {
      const c = await connected();
      await c.close();
      expect(comparable(c.topology).routes.some((r) => r.dst === '10.93.0.0/16')).toBe(false);
      // A change in a namespace the server already watches, made while the client is away.
      await sh(`ip -n ${prefix}s1 route add blackhole 10.93.0.0/16`);
      await pollUntil(
        () => live.srv.hub.state.topology.routes.some((r) => r.dst === '10.93.0.0/16'),
        'server saw the change',
        120_000,
      );
      const fresh = await LiveClient.open(liveUrl(), bearer);
      clients.push(fresh);
      await pollUntil(() => converged(fresh), 'reconnected client equals discovery', 120_000);
      expect(fresh.topology.routes.some((r) => r.dst === '10.93.0.0/16')).toBe(true);
    },
  );
});
