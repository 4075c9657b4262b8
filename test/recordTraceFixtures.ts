/**
 * Records the trace's native fixture (server/trace/__fixtures__/native-router.json): in a small
 * scene of its own (a - r with a bridge - b, a listener in b), the raw netlink replies the
 * native reader gets in r and b, next to what the process reader (`ip`, `bridge`, `ss`, grep)
 * answers there. nlReplies.test.ts parses the first and must find the second. Run as root:
 * `npx tsx test/recordTraceFixtures.ts`; removes its namespaces.
 */
import { format } from 'prettier';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { askNamespace, NETLINK_ROUTE, NETLINK_SOCK_DIAG } from '../server/trace/nativeAsk.js';
import {
  addrDump,
  linkDump,
  listenerDumps,
  neighDump,
  routeGet,
  AF_BRIDGE,
} from '../server/trace/nlRequests.js';
import { kernelReader } from '../server/trace/reader.js';
import type { RouteQuery } from '../server/trace/reader.js';
import { cleanupPrefix, ipJson, pollUntil, sh, uniquePrefix } from './kernel.js';

const p = uniquePrefix('tx');
const path = (s: string) => `/run/netns/${p}${s}`;
const inNs = (s: string, cmd: string) => sh(`ip netns exec ${p}${s} ${cmd}`);
const b64 = (b: Buffer) => b.toString('base64');

async function main(): Promise<void> {
  for (const s of ['a', 'r', 'b']) await sh(`ip netns add ${p}${s} && ip -n ${p}${s} link set lo up`);
  await sh(`ip -n ${p}a link add e0 type veth peer name r0 netns ${p}r`);
  await sh(`ip -n ${p}b link add e0 type veth peer name p1 netns ${p}r`);
  await inNs('r', 'ip link add br0 type bridge');
  await inNs('r', 'ip link set p1 master br0');
  await inNs('r', 'ip addr add 10.72.2.254/24 dev br0');
  await inNs('r', 'ip addr add 10.72.1.254/24 dev r0');
  await inNs('a', 'ip addr add 10.72.1.1/24 dev e0');
  await inNs('b', 'ip addr add 10.72.2.1/24 dev e0');
  for (const [s, d] of [
    ['a', 'e0'],
    ['b', 'e0'],
    ['r', 'r0'],
    ['r', 'p1'],
    ['r', 'br0'],
  ])
    await inNs(s!, `ip link set ${d} up`);
  await inNs('a', 'ip route add default via 10.72.1.254');
  await inNs('b', 'ip route add default via 10.72.2.254');
  await inNs('r', 'sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=1');
  const listener = spawn(
    '/usr/bin/nsenter',
    [
      `--net=${path('b')}`,
      process.execPath,
      '-e',
      "require('net').createServer().listen(8071); require('dgram').createSocket('udp4').bind(8072, '10.72.2.1')",
    ],
    { stdio: 'ignore' },
  );
  try {
    await pollUntil(
      async () =>
        (await inNs('a', '/bin/busybox ping -c1 -W1 10.72.2.1').catch(() => '')).includes(' 0% packet loss'),
      'a reaches b',
      20_000,
    );
    await pollUntil(async () => (await inNs('b', 'ss -Hltun')).includes('8072'), 'listener');
    const qs: RouteQuery[] = [
      { to: '10.72.2.1' },
      { to: '10.72.9.9' },
      { to: '10.72.1.254' },
      { to: '10.72.2.1', from: '10.72.1.1', iif: 'r0' },
      { to: '10.72.1.1', from: '10.72.2.1', iif: 'r0' },
    ];
    const [link] = await ipJson<Array<{ ifindex: number }>>(['link', 'show', 'dev', 'r0'], { name: `${p}r` });
    const r0 = link!.ifindex;
    const ip = kernelReader();
    const r = await askNamespace({
      path: path('r'),
      requests: [
        linkDump(),
        addrDump(),
        neighDump(0),
        neighDump(AF_BRIDGE),
        ...qs.map((q) => routeGet(q, q.iif ? r0 : null)),
      ].map((message) => ({ protocol: NETLINK_ROUTE, message })),
      files: [
        '/proc/sys/net/ipv4/ip_forward',
        '/proc/sys/net/ipv4/conf/*/rp_filter',
        '/proc/sys/net/ipv4/conf/*/forwarding',
        '/proc/sys/net/ipv6/conf/*/rp_filter',
        '/proc/sys/net/ipv6/conf/*/forwarding',
      ],
    });
    const b = await askNamespace({
      path: path('b'),
      requests: [linkDump(), addrDump()]
        .map((message) => ({ protocol: NETLINK_ROUTE, message }))
        .concat(listenerDumps().map((message) => ({ protocol: NETLINK_SOCK_DIAG, message }))),
      files: [],
    });
    const fixture = {
      queries: qs,
      r: {
        replies: r.replies.map((x) => ({ bytes: b64(x.bytes), errno: x.errno, message: x.message })),
        files: r.files,
      },
      b: { replies: b.replies.map((x) => ({ bytes: b64(x.bytes), errno: x.errno, message: x.message })) },
      byProcesses: {
        r: await ip.readMany!(path('r'), qs),
        fdb: await ip.fdb(path('r'), 'br0'),
        sysctls: Object.fromEntries((await ip.sysctls(path('r'))).values),
        listeners: (await ip.listeners(path('b'))).map((x) => ({ ...x, process: null, pid: null })),
      },
    };
    // Written as the formatter would, so CI's format check passes on a fresh recording.
    writeFileSync(
      new URL('../server/trace/__fixtures__/native-router.json', import.meta.url),
      await format(JSON.stringify(fixture), { parser: 'json' }),
    );
  } finally {
    listener.kill('SIGKILL');
    await pollUntil(
      async () => {
        await cleanupPrefix(p);
        return !(await sh('ip netns list')).includes(p);
      },
      'removed',
      60_000,
    );
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${String(e)}\n`);
    process.exit(1);
  },
);
