/**
 * What the demo lab builds: names, addresses and the `ip` batches that make the seed's scene.
 * Pure data and pure functions, so the exact topology is reviewable in one place and testable
 * without a kernel.
 *
 * Everything in the host namespace is called `nxlab-*` (no user names clash with that prefix);
 * inside the lab's own namespaces the seed's names (`eth0`, `veth-cont`) are safe to use.
 */

/** Prefix of every host-side interface the lab creates; `lab down` sweeps it. */
export const LAB_PREFIX = 'nxlab-';

/** Directory for the state file, the holder binaries' symlinks and the web root. */
export const LAB_DIR = process.env.NETNS_EXPLORER_LAB_DIR ?? '/run/netns-explorer';
export const STATE_FILE = `${LAB_DIR}/lab.json`;
export const BIN_DIR = `${LAB_DIR}/bin`;
export const WWW_DIR = `${LAB_DIR}/www`;

/** Process names: `comm` is the executed file's basename, so symlinks named like this name the boxes. */
export type LabRole = 'netshoot-a' | 'netshoot-b' | 'nginx' | 'netshoot-host';
export const LAB_ROLES: readonly LabRole[] = ['netshoot-a', 'netshoot-b', 'nginx', 'netshoot-host'];

export const BRIDGE = 'nxlab-br0';
export const BRIDGE_CIDR = '10.251.17.1/24';
export const BRIDGE_NET = '10.251.17.0/24';
export const NGINX_NET = '10.251.18.0/24';
export const HOST_VETH = 'nxlab-vhost';
export const HOST_VETH_CIDR = '10.251.18.100/24';
export const NGINX_VETH = 'veth-cont';
export const NGINX_IP = '10.251.18.101';
export const NGINX_CIDR = `${NGINX_IP}/24`;
export const NGINX_PORT = 80;
/** The seed's Shell 1 route: only a route, the lab never sends traffic to it. */
export const EXTRA_ROUTE = '8.8.8.8';

export interface ContainerEnd {
  role: 'netshoot-a' | 'netshoot-b';
  /** Host end of the veth, a port of BRIDGE. */
  hostVeth: string;
  /** Address of eth0 inside the namespace. */
  cidr: string;
}

/** The seed's netshoot-a is .4 and netshoot-b .3 on docker0; keep that. */
export const CONTAINER_ENDS: readonly ContainerEnd[] = [
  { role: 'netshoot-a', hostVeth: 'nxlab-veth-a', cidr: '10.251.17.4/24' },
  { role: 'netshoot-b', hostVeth: 'nxlab-veth-b', cidr: '10.251.17.3/24' },
];

/** Host links the lab creates, in creation order (deleting the bridge last is not required). */
export const HOST_LINKS: readonly string[] = [BRIDGE, ...CONTAINER_ENDS.map((c) => c.hostVeth), HOST_VETH];

const gateway = BRIDGE_CIDR.split('/')[0]!;

/** `ip -b -` batch run in the host namespace to create the bridge. */
export function bridgeBatch(): string {
  return [`link add ${BRIDGE} type bridge`, `addr add ${BRIDGE_CIDR} dev ${BRIDGE}`, `link set ${BRIDGE} up`]
    .map((l) => `${l}\n`)
    .join('');
}

/** Host-side batch for one container-like namespace held by `pid`. */
export function containerHostBatch(end: ContainerEnd, pid: number): string {
  return [
    `link add ${end.hostVeth} type veth peer name eth0 netns ${pid}`,
    `link set ${end.hostVeth} master ${BRIDGE}`,
    `link set ${end.hostVeth} up`,
  ]
    .map((l) => `${l}\n`)
    .join('');
}

/** Batch run inside a container-like namespace (through nsenter). */
export function containerInnerBatch(end: ContainerEnd): string {
  const lines = [
    'link set lo up',
    `addr add ${end.cidr} dev eth0`,
    'link set eth0 up',
    `route add default via ${gateway} dev eth0`,
  ];
  // Shell 1: `route add -host 8.8.8.8 dev eth0` in netshoot-a only.
  if (end.role === 'netshoot-a') lines.push(`route add ${EXTRA_ROUTE}/32 dev eth0 scope link`);
  return lines.map((l) => `${l}\n`).join('');
}

/** Shell 4, host side: the veth to nginx with an address on the host end. */
export function nginxHostBatch(pid: number): string {
  return [
    `link add ${HOST_VETH} type veth peer name ${NGINX_VETH} netns ${pid}`,
    `addr add ${HOST_VETH_CIDR} dev ${HOST_VETH}`,
    `link set ${HOST_VETH} up`,
  ]
    .map((l) => `${l}\n`)
    .join('');
}

/** Shell 4, inside nginx. */
export function nginxInnerBatch(): string {
  return ['link set lo up', `addr add ${NGINX_CIDR} dev ${NGINX_VETH}`, `link set ${NGINX_VETH} up`]
    .map((l) => `${l}\n`)
    .join('');
}

/** True when `name` is a host interface of ours (the sweep must never match anything else). */
export function isLabLink(name: string): boolean {
  return name.startsWith(LAB_PREFIX) && name.length <= 15;
}

/** The page nginx serves. */
export const INDEX_HTML =
  '<!DOCTYPE html>\n<html><head><title>Welcome to nginx!</title></head>\n' +
  '<body><h1>Welcome to nginx!</h1><p>netns-explorer demo lab: served from the nginx namespace.</p></body></html>\n';
