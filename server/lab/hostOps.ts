/**
 * Thin shells over `ip` and /proc shared by both lab modes: create links from a plan batch,
 * list and delete the lab's host links, find the lab's stray processes, wait for nginx.
 */
import { readdir } from 'node:fs/promises';
import http from 'node:http';
import ipaddr from 'ipaddr.js';
import { IP, NSENTER, run, runOk } from '../exec/run.js';
import {
  BRIDGE,
  BRIDGE_NET,
  LAB_DIR,
  LAB_ROLES,
  NGINX_IP,
  NGINX_NET,
  NGINX_PORT,
  isLabLink,
} from './plan.js';
import { pollUntil } from './procs.js';
import { procCmdline, procInfo, stopProcess } from './procs.js';

/** Runs an `ip -b -` batch in the host namespace, or inside the namespace of `pid`. */
export async function ipBatch(batch: string, pid?: number): Promise<void> {
  if (pid === undefined) await runOk(IP, ['-b', '-'], { input: batch });
  else await runOk(NSENTER, [`--net=/proc/${pid}/ns/net`, IP, '-b', '-'], { input: batch });
}

interface IpLink {
  ifname: string;
  master?: string;
}
interface IpAddr {
  ifname: string;
  addr_info?: Array<{ family: string; local: string; prefixlen: number }>;
}
interface IpRoute {
  dst: string;
  dev?: string;
}

export async function hostLinkNames(): Promise<string[]> {
  const links = JSON.parse((await runOk(IP, ['-j', 'link', 'show'])).trim() || '[]') as IpLink[];
  return links.map((l) => l.ifname);
}

/** Deletes the given host links that still exist (a veth dies with its namespace; that is fine). */
export async function deleteHostLinks(names: readonly string[]): Promise<string[]> {
  const present = new Set(await hostLinkNames());
  const deleted: string[] = [];
  for (const name of names) {
    if (!isLabLink(name) || !present.has(name)) continue;
    const r = await run(IP, ['link', 'del', 'dev', name]);
    if (r.exitCode === 0) deleted.push(name);
    else if (!r.stderr.includes('Cannot find device'))
      throw new Error(`ip link del ${name}: ${r.stderr.trim()}`);
  }
  return deleted;
}

/** True when two IPv4 CIDRs share any address. */
export function cidrsOverlap(a: string, b: string): boolean {
  const [na, la] = ipaddr.parseCIDR(a);
  const [nb, lb] = ipaddr.parseCIDR(b);
  if (na.kind() !== nb.kind()) return false;
  return la <= lb ? nb.match(na, la) : na.match(nb, lb);
}

/**
 * Addresses or routes outside the lab's own links that would collide with the lab's subnets:
 * the lab refuses to start rather than shadow the user's network.
 */
export async function subnetConflicts(): Promise<string[]> {
  const addrs = JSON.parse((await runOk(IP, ['-j', 'addr', 'show'])).trim() || '[]') as IpAddr[];
  const routes = JSON.parse((await runOk(IP, ['-j', 'route', 'show'])).trim() || '[]') as IpRoute[];
  const nets = [BRIDGE_NET, NGINX_NET];
  const out: string[] = [];
  for (const a of addrs) {
    if (isLabLink(a.ifname)) continue;
    for (const ai of a.addr_info ?? []) {
      if (ai.family !== 'inet') continue;
      const cidr = `${ai.local}/${ai.prefixlen}`;
      if (nets.some((n) => cidrsOverlap(n, cidr))) out.push(`address ${cidr} on ${a.ifname}`);
    }
  }
  for (const r of routes) {
    if (r.dst === 'default' || (r.dev && isLabLink(r.dev))) continue;
    const dst = r.dst.includes('/') ? r.dst : `${r.dst}/32`;
    if (ipaddr.isValidCIDR(dst) && nets.some((n) => cidrsOverlap(n, dst))) out.push(`route ${r.dst}`);
  }
  return out;
}

/**
 * Lab processes not (or no longer) in the state file: comm is a lab role and the command line
 * points into the lab directory, which no process of the user's does.
 */
export async function strayLabProcesses(): Promise<Array<{ pid: number; startTime: number }>> {
  const out: Array<{ pid: number; startTime: number }> = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    const info = await procInfo(pid);
    if (!info || info.state === 'Z' || !(LAB_ROLES as readonly string[]).includes(info.comm)) continue;
    const argv = await procCmdline(pid);
    if (argv.some((a) => a.startsWith(`${LAB_DIR}/`))) out.push({ pid, startTime: info.startTime });
  }
  return out;
}

export async function stopAll(procs: ReadonlyArray<{ pid: number; startTime: number }>): Promise<void> {
  await Promise.all(procs.map((p) => stopProcess(p.pid, p.startTime)));
}

/** One HTTP GET with a short timeout; resolves with the status and body, rejects on any error. */
export function httpGet(url: string, timeoutMs = 1000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: timeoutMs, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** Ports of the lab's bridge (Docker names its veths itself, so ask the kernel). */
export async function bridgePorts(): Promise<string[]> {
  const links = JSON.parse((await runOk(IP, ['-j', 'link', 'show'])).trim() || '[]') as IpLink[];
  return links.filter((l) => l.master === BRIDGE).map((l) => l.ifname);
}

/** Waits until nginx answers over the host veth (Shell 4's `curl 193.168.0.101`). */
export async function waitForNginx(): Promise<string> {
  const url = `http://${NGINX_IP}:${NGINX_PORT}/`;
  await pollUntil(async () => (await httpGet(url)).status === 200, `nginx to answer on ${url}`, 10_000);
  return url;
}
