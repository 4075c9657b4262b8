/**
 * The native trace reader against the process one, question by question, in namespaces built
 * here (no discovery needed): route decisions (forwarded, refused by rp_filter and by forwarding
 * off, unreachable, with a mark), links, neighbours, a bridge's FDB, sysctls, listeners with their
 * processes, legacy iptables tables; and the
 * ruleset cache: `nft` runs again only after the ruleset changed, and a gone namespace's entry goes.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readlinkSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupPrefix, pollUntil, sh, uniquePrefix } from '../../test/kernel.js';
import { FirewallCache } from './firewallCache.js';
import { askStatus } from './nativeAsk.js';
import { nativeTraceReader } from './nativeReader.js';
import type { FirewallRead, RouteQuery } from './reader.js';
import { kernelReader } from './reader.js';
import { NO_LEGACY } from './legacy.js';

const p = uniquePrefix('tn');
const path = (s: string) => `/run/netns/${p}${s}`;
const inNs = (s: string, cmd: string) => sh(`ip netns exec ${p}${s} ${cmd}`);
const processes = kernelReader();
let nftRuns = 0;
const cache = new FirewallCache();
const native = nativeTraceReader({
  cache,
  firewall: (x) => {
    nftRuns++;
    return processes.firewall(x);
  },
});

beforeAll(async () => {
  for (const s of ['a', 'r', 'b']) await sh(`ip netns add ${p}${s} && ip -n ${p}${s} link set lo up`);
  await sh(`ip -n ${p}a link add e0 type veth peer name r0 netns ${p}r`);
  await sh(`ip -n ${p}b link add e0 type veth peer name p1 netns ${p}r`);
  await inNs('r', 'ip link add br0 type bridge');
  await inNs('r', 'ip link set p1 master br0');
  await inNs('r', 'ip addr add 10.71.2.254/24 dev br0');
  await inNs('r', 'ip addr add 10.71.1.254/24 dev r0');
  await inNs('a', 'ip addr add 10.71.1.1/24 dev e0');
  await inNs('b', 'ip addr add 10.71.2.1/24 dev e0');
  await inNs('b', 'ip -6 addr add fd71::1/64 dev e0 nodad');
  for (const [s, d] of [
    ['a', 'e0'],
    ['b', 'e0'],
    ['r', 'r0'],
    ['r', 'p1'],
    ['r', 'br0'],
  ])
    await inNs(s!, `ip link set ${d} up`);
  await inNs('a', 'ip route add default via 10.71.1.254');
  await inNs('b', 'ip route add default via 10.71.2.254');
  await inNs('r', 'sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=1');
  await inNs('r', 'ip rule add fwmark 7 table 70');
  await inNs('r', 'ip route add 10.71.9.0/24 dev br0 table 70');
  // An IPv4 route via an IPv6 gateway (RTA_VIA).
  await inNs('r', 'ip -6 addr add fd71:8::1/64 dev r0 nodad');
  await inNs('r', 'ip route add 10.71.8.0/24 via inet6 fd71:8::2 dev r0');
  await inNs('b', "nft 'add table inet tn; add chain inet tn in { type filter hook input priority 0; }'");
  await pollUntil(
    async () =>
      (await inNs('a', '/bin/busybox ping -c1 -W1 10.71.2.1').catch(() => '')).includes(' 0% packet loss'),
    'a reaches b',
    20_000,
  );
}, 60_000);

afterAll(async () => {
  await pollUntil(
    async () => {
      await cleanupPrefix(p);
      return !(await sh('ip netns list')).includes(p);
    },
    'native reader test namespaces removed',
    60_000,
  );
});

describe('native trace reader equals the process one', () => {
  it('is built', () => {
    expect(askStatus()).toEqual({ available: true, reason: '' });
  });

  it('route decisions, links and neighbours', async () => {
    const qs: RouteQuery[] = [
      { to: '10.71.2.1' },
      { to: '10.71.2.1', from: '10.71.1.1', iif: 'r0' },
      { to: '10.71.1.1', from: '10.71.2.1', iif: 'r0' }, // rp_filter: 10.71.2.1 is not behind r0
      { to: '10.71.9.9' },
      { to: '10.71.9.9', mark: 7 },
      { to: '10.71.1.254' },
      { to: 'fd71::1' },
      { to: '10.71.2.1', iif: 'nosuch' },
      { to: '10.71.8.5' },
    ];
    const [byIp, natively] = [
      await processes.readMany!(path('r'), qs),
      await native.readMany!(path('r'), qs),
    ];
    expect(natively).toEqual(byIp);
    expect(natively.routes.map((r) => r.route.ok)).toEqual([
      true,
      true,
      false,
      false,
      true,
      true,
      false,
      false,
      true,
    ]);
    // `via inet6 ADDR` is the gateway, printed as ip prints it.
    expect(natively.routes[8]!.route).toMatchObject({
      ok: true,
      route: {
        gateway: 'fd71:8::2',
        dev: 'r0',
        text: '10.71.8.5 via inet6 fd71:8::2 dev r0 src 10.71.1.254',
      },
    });
    expect(natively.neigh.some((n) => n.dst === '10.71.2.1' && n.dev === 'br0')).toBe(true);
    await inNs('r', 'sysctl -qw net.ipv4.ip_forward=0');
    try {
      const off = [{ to: '10.71.2.1', from: '10.71.1.1', iif: 'r0' }];
      const [a, b] = [await processes.readMany!(path('r'), off), await native.readMany!(path('r'), off)];
      expect(b.routes).toEqual(a.routes);
      expect(b.routes[0]!.route.ok).toBe(false);
    } finally {
      await inNs('r', 'sysctl -qw net.ipv4.ip_forward=1');
    }
  });

  it('sysctls, the FDB and listeners', async () => {
    expect(await native.sysctls(path('r'))).toEqual(await processes.sysctls(path('r')));
    expect((await native.sysctls(path('r'))).values.get('ipv4/conf/all/rp_filter')).toBe('1');
    expect(await native.fdb(path('r'), 'br0')).toEqual(await processes.fdb(path('r'), 'br0'));
    const listener = spawn(
      '/usr/bin/nsenter',
      [
        `--net=${path('b')}`,
        process.execPath,
        '-e',
        "require('net').createServer().listen(8071); require('dgram').createSocket('udp6').bind(8072)",
      ],
      { stdio: 'ignore' },
    );
    const exited = new Promise((r) => listener.once('exit', r));
    try {
      await pollUntil(async () => (await native.listeners(path('b'))).length >= 2, 'listeners in b');
      const rows = await native.listeners(path('b'));
      // Owners too: ss -p finds them by the fd links, the native reader by sock_diag's inode.
      expect(rows).toEqual(await processes.listeners(path('b')));
      expect(
        rows.map((r) => `${r.proto} ${r.state} ${r.local}:${r.port} ${r.process} ${r.pid}`).sort(),
      ).toEqual([`tcp LISTEN *:8071 node ${listener.pid}`, `udp UNCONN *:8072 node ${listener.pid}`]);
    } finally {
      listener.kill('SIGKILL');
      await exited;
    }
  });

  it('legacy iptables: read only where a table exists, the same by both readers, none created', async () => {
    const tables = async (s: string) =>
      (await inNs(s, 'cat /proc/net/ip_tables_names /proc/net/ip6_tables_names')).trim();
    expect(await native.legacy(path('a'))).toEqual(NO_LEGACY);
    expect(await processes.legacy(path('a'))).toEqual(NO_LEGACY);
    await inNs('b', '/usr/sbin/iptables-legacy -A INPUT -p tcp --dport 9 -j DROP');
    const read = await native.legacy(path('b'));
    expect(read).toEqual(await processes.legacy(path('b')));
    expect(read.v4).toContain('-A INPUT -p tcp -m tcp --dport 9 -j DROP');
    expect(read).toMatchObject({ v6: null, error: null });
    // Reading created no table: a still has none, b only the filter table the rule made.
    expect(await tables('a')).toBe('');
    expect(await tables('b')).toBe('filter');
  });

  it('runs nft again only when the ruleset changed; forgets namespaces that are gone', async () => {
    const before = nftRuns;
    const first = await native.firewall(path('b'));
    expect(first).toEqual(await processes.firewall(path('b')));
    expect(await native.firewall(path('b'))).toBe(first);
    expect(nftRuns).toBe(before + 1);
    await inNs('b', "nft 'add rule inet tn in tcp dport 9 drop'");
    const changed: FirewallRead = await native.firewall(path('b'));
    expect(nftRuns).toBe(before + 2);
    expect(JSON.stringify(changed)).toContain('"dport"');
    // a has no nftables table: an empty ruleset, without running nft.
    const empty = await native.firewall(path('a'));
    expect(nftRuns).toBe(before + 2);
    expect(empty).toEqual(withoutMetainfo(await processes.firewall(path('a'))));
    native.retain!(new Set([statSync(path('a')).ino]));
    expect(cache.size).toBe(1);
    native.retain!(new Set());
    expect(cache.size).toBe(0);
  });

  it('keeps nothing open in a namespace between reads', async () => {
    const open = () =>
      readdirSync('/proc/self/fd').map((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`);
        } catch {
          return '';
        }
      });
    const sockets = () => open().filter((l) => l.startsWith('socket:')).length;
    const before = sockets();
    for (let i = 0; i < 20; i++) {
      await native.readMany!(path('r'), [{ to: '10.71.2.1', from: '10.71.1.1', iif: 'r0' }]);
      await native.listeners(path('b'));
      await native.firewall(path('b'));
      await native.legacy(path('a'));
    }
    expect(open().filter((l) => l.startsWith('net:['))).toEqual([]);
    expect(sockets()).toBe(before);
  });
});

/** `nft -j`'s output without its version line (the native empty ruleset has none). */
function withoutMetainfo(r: FirewallRead): FirewallRead {
  if (r.tool !== 'nft') return r;
  const list = (r.json as { nftables: unknown[] }).nftables;
  return {
    tool: 'nft',
    json: { nftables: list.filter((x) => !(typeof x === 'object' && x !== null && 'metainfo' in x)) },
  };
}
