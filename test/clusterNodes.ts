/**
 * Simulated cluster nodes for the cluster kernel test and bench: each node is its own network,
 * mount and PID namespace (unshare), with its own /run/netns (a tmpfs in its private mount
 * namespace, after dropping the nsfs mounts it inherited so it holds no one else's namespace),
 * an underlay veth `eth0` to a test bridge in the test's namespace, a VXLAN `vx0` (VNI 42)
 * meshed to the other nodes through fdb entries, a bridge `cbr0` with a routed pod CIDR, and
 * pod-like named namespaces behind veths. Addresses are 10.A.B.0/24 (underlay), 10.A.(100+i).0/24
 * (pods), 10.A.200.0/24 (overlay) with random A, B. Shell is fine here: tests build the input.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { childEnv, pollUntil, sh } from './kernel.js';

const NSENTER = '/usr/bin/nsenter';
/** The repository root (the nearest package.json above): agents and hub run its server/cli.ts. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}
const REPO = repoRoot();

export interface SimNode {
  index: number;
  name: string;
  /** PID (in our namespace) of the node's init: what nsenter -t takes. */
  pid: number;
  underlayIp: string;
  podCidr: string;
  holder: ChildProcess;
  agent: ChildProcess | null;
  /** The running agent's stderr lines (its log; refresh timings with `verbose`). */
  agentLog: string[];
  agentUrl: string;
}

export interface SimCluster {
  prefix: string;
  bridge: string;
  hostIp: string;
  nodes: SimNode[];
  /** Runs a shell script inside a node (its network, mount and PID namespaces). */
  inNode(node: SimNode, script: string): Promise<string>;
  stop(): Promise<void>;
}

const children: ChildProcess[] = [];

function killAndWait(c: ChildProcess): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return Promise.resolve();
  const done = new Promise<void>((r) => c.once('exit', () => r()));
  c.kill('SIGKILL');
  return done;
}

export async function inNode(node: { pid: number }, script: string): Promise<string> {
  return sh(`${NSENTER} -t ${node.pid} -n -m -p /bin/sh -ec '${script.replace(/'/g, `'\\''`)}'`);
}

function nodeScript(i: number, count: number, a: number, b: number, pods: number): string {
  const me = `10.${a}.${b}.${i + 1}`;
  const others = [...Array(count).keys()].filter((k) => k !== i);
  const lines = [
    `grep " - nsfs " /proc/self/mountinfo | cut -d" " -f5 | while read m; do umount -l "$m" 2>/dev/null || true; done`,
    'mkdir -p /run/netns',
    'mount -t tmpfs -o size=1m,mode=755 tmpfs /run/netns',
    'ip link set lo up',
    `ip addr add ${me}/24 dev eth0`,
    'ip link set eth0 up',
    `ip link add vx0 type vxlan id 42 local ${me} dstport 4789 dev eth0 nolearning`,
    ...others.map((k) => `bridge fdb append 00:00:00:00:00:00 dev vx0 dst 10.${a}.${b}.${k + 1}`),
    `ip addr add 10.${a}.200.${i + 1}/24 dev vx0`,
    'ip link set vx0 up',
    'ip link add cbr0 type bridge',
    `ip addr add 10.${a}.${100 + i}.1/24 dev cbr0`,
    'ip link set cbr0 up',
    ...others.map((k) => `ip route add 10.${a}.${100 + k}.0/24 via 10.${a}.${b}.${k + 1} dev eth0`),
  ];
  for (let j = 1; j <= pods; j++) lines.push(...podScript(i, j, a));
  return lines.join('\n');
}

export function podScript(i: number, j: number, a: number): string[] {
  return [
    `ip netns add pod${j}`,
    `ip link add p${j} type veth peer name eth0 netns pod${j}`,
    `ip link set p${j} master cbr0 up`,
    `ip -n pod${j} addr add 10.${a}.${100 + i}.${10 + j}/24 dev eth0`,
    `ip -n pod${j} link set lo up`,
    `ip -n pod${j} link set eth0 up`,
    `ip -n pod${j} route add default via 10.${a}.${100 + i}.1`,
  ];
}

async function startNode(prefix: string, i: number): Promise<{ holder: ChildProcess; pid: number }> {
  const holder = spawn(
    // pdeathsig on unshare too: if the test process dies, the node (its PID 1, so all in it) goes.
    '/usr/bin/setpriv',
    [
      '--pdeathsig',
      'KILL',
      '/usr/bin/unshare',
      '--net',
      '--mount',
      '--pid',
      '--fork',
      '--mount-proc',
      '--propagation',
      'private',
      '/usr/bin/setpriv',
      '--pdeathsig',
      'KILL',
      '/bin/sleep',
      '86400',
    ],
    { stdio: 'ignore' },
  );
  children.push(holder);
  const up = holder.pid;
  if (up === undefined) throw new Error(`node ${i}: unshare did not start`);
  const pid = await pollUntil(() => {
    const kids = readFileSync(`/proc/${up}/task/${up}/children`, 'utf8').trim();
    if (!kids) return 0;
    const p = Number(kids.split(' ')[0]);
    return readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'sleep' ? p : 0;
  }, `${prefix} node ${i}`);
  return { holder, pid };
}

/** Builds `count` nodes with `pods` pod namespaces each, all under `prefix`. */
export async function buildCluster(prefix: string, count = 3, pods = 2): Promise<SimCluster> {
  if (!/^[a-z0-9]{1,10}$/.test(prefix)) throw new Error(`unsafe prefix ${prefix}`);
  const a = 100 + Math.floor(Math.random() * 100);
  const b = Math.floor(Math.random() * 100);
  const bridge = `${prefix}br`;
  const hostIp = `10.${a}.${b}.254`;
  const nodes: SimNode[] = [];
  const cluster: SimCluster = {
    prefix,
    bridge,
    hostIp,
    nodes,
    inNode,
    async stop() {
      for (const n of nodes) if (n.agent) await killAndWait(n.agent);
      for (const c of children) await killAndWait(c);
      await sh(`ip link del dev ${bridge} 2>/dev/null || true
        for l in $(ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep '^${prefix}' || true); do ip link del dev "$l" 2>/dev/null || true; done`);
    },
  };
  try {
    await sh(`ip link add ${bridge} type bridge
      ip addr add ${hostIp}/24 dev ${bridge}
      ip link set ${bridge} up`);
    for (let i = 0; i < count; i++) {
      const { holder, pid } = await startNode(prefix, i);
      const ip = `10.${a}.${b}.${i + 1}`;
      const node: SimNode = {
        index: i,
        name: `node-${String.fromCharCode(97 + i)}`,
        pid,
        underlayIp: ip,
        podCidr: `10.${a}.${100 + i}.0/24`,
        holder,
        agent: null,
        agentLog: [],
        agentUrl: `http://${ip}:7879`,
      };
      nodes.push(node);
      await sh(`ip link add ${prefix}u${i} type veth peer name eth0 netns ${pid}
        ip link set ${prefix}u${i} master ${bridge} up`);
    }
    for (const n of nodes) await inNode(n, nodeScript(n.index, count, a, b, pods));
    return cluster;
  } catch (e) {
    await cluster.stop();
    throw e;
  }
}

/** Starts a process and resolves with its first stdout line matching `ready`. */
function startCli(
  argv: string[],
  env: Record<string, string>,
  ready: RegExp,
  what: string,
): Promise<{ child: ChildProcess; line: string; stderr: string[] }> {
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd: REPO,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const stderr: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (l) => stderr.push(l));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (l) => {
      if (ready.test(l)) resolve({ child, line: l, stderr });
    });
    child.once('exit', (code) =>
      reject(new Error(`${what} exited ${code}: ${stderr.slice(-5).join(' | ')}`)),
    );
  });
}

export interface AgentFlags {
  /** `--allow-changes`, with the audit log (and its intent journal) at this path of the test's own. */
  allowChanges?: { auditLog: string };
  /** `--verbose`: one log line per refresh with where its time went. */
  verbose?: boolean;
  /** `--allow-capture`, its audit journal at this path of the test's own. */
  allowCapture?: { auditLog: string };
}

/** The agent in a node: nsenter into it, killed with nsenter (pdeathsig). */
export async function startAgent(node: SimNode, token: string, flags: AgentFlags = {}): Promise<void> {
  const argv = [
    NSENTER,
    '-t',
    String(node.pid),
    '-n',
    '-m',
    '-p',
    `--wd=${REPO}`,
    '/usr/bin/setpriv',
    '--pdeathsig',
    'KILL',
  ];
  argv.push(process.execPath, '--import', 'tsx', 'server/cli.ts', 'agent', '--host', node.underlayIp);
  argv.push('--allow-remote', '--node-name', node.name);
  if (flags.allowChanges) argv.push('--allow-changes');
  if (flags.allowCapture) argv.push('--allow-capture');
  const auditLog = flags.allowChanges?.auditLog ?? flags.allowCapture?.auditLog;
  if (auditLog) argv.push('--audit-log', auditLog);
  if (flags.verbose) argv.push('--verbose');
  const { child, stderr } = await startCli(
    argv,
    { NETNS_EXPLORER_TOKEN: token },
    /^netns-explorer agent: node /,
    node.name,
  );
  node.agent = child;
  node.agentLog = stderr;
}

export async function stopAgent(node: SimNode): Promise<void> {
  if (node.agent) await killAndWait(node.agent);
  node.agent = null;
}

/** The hub outside the nodes, on loopback; resolves with its origin. */
export async function startHubCli(
  agentUrls: string[],
  token: string,
  agentToken: string,
): Promise<{ child: ChildProcess; origin: string; stderr: string[] }> {
  const argv = [
    '/usr/bin/setpriv',
    '--pdeathsig',
    'KILL',
    process.execPath,
    '--import',
    'tsx',
    'server/cli.ts',
  ];
  argv.push('hub', '--port', '0');
  for (const u of agentUrls) argv.push('--agent', u);
  const { child, line, stderr } = await startCli(
    argv,
    { NETNS_EXPLORER_TOKEN: token, NETNS_EXPLORER_AGENT_TOKEN: agentToken },
    /http:\/\/127\.0\.0\.1:\d+/,
    'hub',
  );
  return { child, origin: /http:\/\/127\.0\.0\.1:\d+/.exec(line)![0], stderr };
}
