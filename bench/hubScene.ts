/**
 * The hub scene (issue 12), the way an OpenStack network node or a busy Kubernetes node looks:
 * N named namespaces, each with lo up, one veth eth0 whose peer is a port of a bridge in one hub
 * namespace, an address, a default route and a route in table 100. Built with a few `ip -b`
 * batches plus one `ip -n LEAF -b -` per leaf; removed by `remove()` (also after a failure).
 */
import { cmd, IP } from './proc.js';

export interface HubScene {
  prefix: string;
  hub: string;
  leaves: string[];
  octet: number;
}

export function hubScene(prefix: string): HubScene {
  if (!/^[a-z0-9]{3,8}$/.test(prefix)) throw new Error(`unsafe prefix ${prefix}`);
  return { prefix, hub: `${prefix}hub`, leaves: [], octet: 30 + (parseInt(prefix.slice(-3), 36) % 60) };
}

async function batch(argv: string[], lines: string[], what: string): Promise<void> {
  if (lines.length === 0) return;
  const r = await cmd([...argv, '-b', '-'], { input: lines.join('\n') + '\n', timeoutMs: 600_000 });
  if (r.code !== 0) throw new Error(`${what}: ${r.stderr.trim().split('\n').slice(0, 3).join('; ')}`);
}

async function pool<T>(items: T[], n: number, fn: (t: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: n }, async () => {
      for (let t = queue.shift(); t !== undefined; t = queue.shift()) await fn(t);
    }),
  );
}

/** Adds leaves until the scene has `total` of them. */
export async function growHub(s: HubScene, total: number): Promise<void> {
  const start = s.leaves.length;
  const fresh = Array.from({ length: Math.max(0, total - start) }, (_, k) => start + k);
  const hostLines = fresh.map((i) => `netns add ${s.prefix}n${i}`);
  if (start === 0) hostLines.unshift(`netns add ${s.hub}`);
  await batch([IP], hostLines, 'namespaces');
  s.leaves.push(...fresh.map((i) => `${s.prefix}n${i}`));
  await batch(
    [IP],
    fresh.map((i) => `link add eth0 netns ${s.prefix}n${i} type veth peer name h${i} netns ${s.hub}`),
    'veths',
  );
  const hubLines =
    start === 0
      ? ['link add br0 type bridge', 'link set br0 up', `addr add 10.${s.octet}.0.1/16 dev br0`]
      : [];
  for (const i of fresh) hubLines.push(`link set h${i} master br0`, `link set h${i} up`);
  await batch([IP, '-n', s.hub], hubLines, 'hub ports');
  await pool(fresh, 4, (i) =>
    batch(
      [IP, '-n', `${s.prefix}n${i}`],
      [
        'link set lo up',
        'link set eth0 up',
        `addr add 10.${s.octet}.${(i + 2) >> 8}.${(i + 2) & 255}/16 dev eth0`,
        `route add default via 10.${s.octet}.0.1`,
        `route add 10.${s.octet + 1}.0.0/16 via 10.${s.octet}.0.1 table 100`,
      ],
      `leaf ${i}`,
    ),
  );
}

/** Deletes every namespace of the scene (their veths go with them). */
export async function removeHub(s: HubScene): Promise<string[]> {
  const r = await cmd([IP, '-force', '-b', '-'], {
    input: [...s.leaves, s.hub].map((n) => `netns del ${n}`).join('\n') + '\n',
    timeoutMs: 600_000,
  });
  const left = (await cmd([IP, 'netns', 'list'])).stdout.split('\n').filter((l) => l.startsWith(s.prefix));
  return [
    ...(r.code === 0 ? [] : [`netns del: ${r.stderr.trim().split('\n')[0]}`]),
    ...left.map((l) => `left: ${l}`),
  ];
}
