/**
 * Runtime naming cost: a private containerd with N running containers (half alone in their own
 * namespace in `default`, half as Kubernetes pods of a sandbox plus one member in `k8s.io`), a full
 * discovery read with and without asking containerd, and how long a started container takes to
 * reach a WebSocket client of the live server with its name (from containerd's TaskStart stamp). Run as root: `npx tsx bench/runtimes.ts [N]`.
 * Everything it makes is removed at the end (containers, tasks, namespaces, daemon, files).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createDiscovery } from '../server/discovery/index.js';
import { collectRuntimes } from '../server/discovery/runtimes/inventory.js';
import { cmd } from './proc.js';
import { measureNameLatency } from './runtimesLatency.js';
import { percentile } from './stats.js';

const N = Number(process.argv[2] ?? 100);
/** How many containers the start-to-name measure starts (one after another). */
const EVENTS = Number(process.argv[3] ?? 20);
const P = `nxbrt${randomBytes(2).toString('hex').slice(0, 3)}`;
const DIR = `/tmp/${P}-containerd`;
const SOCK = `${DIR}/containerd.sock`;
const ROOTFS = `${DIR}/rootfs`;
/** containerd 1.6 keeps shims and runc state under /run/containerd whatever its config says. */
const RUN_DIR_EXISTED = existsSync('/run/containerd');
/** Above this many namespaces on the host, the two full reads are not compared (see main). */
const COMPARE_MAX_NAMESPACES = 400;
const log = (s: string): void => void process.stderr.write(`${s}\n`);

async function ctr(ns: string, ...args: string[]): Promise<string> {
  const r = await cmd(['/usr/bin/ctr', '-a', SOCK, '-n', ns, ...args], { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`ctr ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout;
}

async function taskPid(ns: string, id: string): Promise<number> {
  const line = (await ctr(ns, 'task', 'ls')).split('\n').find((l) => l.split(/\s+/)[0] === id);
  return Number(line?.split(/\s+/)[1]);
}

function rootfs(): void {
  mkdirSync(`${ROOTFS}/bin`, { recursive: true });
  for (const d of ['proc', 'sys', 'dev', 'etc', 'tmp']) mkdirSync(`${ROOTFS}/${d}`, { recursive: true });
  copyFileSync('/bin/busybox', `${ROOTFS}/bin/busybox`);
  chmodSync(`${ROOTFS}/bin/busybox`, 0o755);
  for (const a of ['sleep', 'sh']) symlinkSync('busybox', `${ROOTFS}/bin/${a}`);
}

async function median(n: number, fn: () => Promise<number>): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < n; i++) xs.push(await fn());
  return percentile(xs, 50);
}

async function main(): Promise<void> {
  mkdirSync(DIR, { recursive: true });
  rootfs();
  writeFileSync(
    `${DIR}/config.toml`,
    `version = 2\nroot = "${DIR}/root"\nstate = "${DIR}/state"\ndisabled_plugins = ["io.containerd.grpc.v1.cri"]\n`,
  );
  const logFd = openSync(`${DIR}/containerd.log`, 'a');
  daemon = spawn('/usr/bin/containerd', ['--config', `${DIR}/config.toml`, '--address', SOCK], {
    stdio: ['ignore', logFd, logFd],
  });
  for (let i = 0; i < 300 && !existsSync(SOCK); i++) await new Promise((r) => setTimeout(r, 50));
  await ctr('default', 'version');

  log(`starting ${N} containers`);
  const pods = Math.floor(N / 4);
  for (let i = 0; i < N - 2 * pods; i++) {
    await ctr(
      'default',
      'run',
      '-d',
      '--label',
      `nerdctl/name=${P}c${i}`,
      '--rootfs',
      ROOTFS,
      `${P}c${i}`,
      '/bin/sleep',
      '3600',
    );
  }
  for (let i = 0; i < pods; i++) {
    const l = [`io.kubernetes.pod.name=p${i}`, `io.kubernetes.pod.namespace=${P}`];
    const flags = (kind: string) => l.concat(`io.cri-containerd.kind=${kind}`).flatMap((x) => ['--label', x]);
    await ctr(
      'k8s.io',
      'run',
      '-d',
      ...flags('sandbox'),
      '--rootfs',
      ROOTFS,
      `${P}s${i}`,
      '/bin/sleep',
      '3600',
    );
    const pid = await taskPid('k8s.io', `${P}s${i}`);
    await ctr(
      'k8s.io',
      'run',
      '-d',
      ...flags('container'),
      '--label',
      'io.kubernetes.container.name=app',
      '--with-ns',
      `network:/proc/${pid}/ns/net`,
      '--rootfs',
      ROOTFS,
      `${P}m${i}`,
      '/bin/sleep',
      '3600',
    );
  }

  const withRuntimes = createDiscovery({ runtimes: { containerdSocket: SOCK } });
  const without = createDiscovery({ runtimes: { containerdSocket: `${DIR}/absent.sock` } });
  const timeFull = (d: ReturnType<typeof createDiscovery>) => async () => {
    const t0 = performance.now();
    await d.full();
    return performance.now() - t0;
  };
  // A full read asks the runtimes after the namespace reads (index.ts: not in parallel), so what
  // naming adds is the ask itself; full reads with and without it are compared only on a host quiet
  // enough for the difference to show (another run's thousand namespaces swamp it, and take minutes).
  const ask = await median(7, async () => {
    const t0 = performance.now();
    await collectRuntimes({ containerdSocket: SOCK }, { podman: false });
    return performance.now() - t0;
  });
  const hostNamespaces = (await without.listInodes()).size;
  const compare = hostNamespaces <= COMPARE_MAX_NAMESPACES;
  await timeFull(withRuntimes)();
  const named = (await withRuntimes.full()).topology.namespaces.filter((n) => n.name.startsWith(P)).length;
  const a = compare ? await median(5, timeFull(without)) : NaN;
  const b = compare ? await median(5, timeFull(withRuntimes)) : NaN;

  // Start to name on a WebSocket client, through the live server (runtimesLatency.ts).
  const latency = await measureNameLatency({
    sock: SOCK,
    discovery: createDiscovery({ runtimes: { containerdSocket: SOCK } }),
    names: Array.from({ length: EVENTS }, (_, i) => `${P}ev${i}`),
    start: async (name) =>
      void (await ctr(
        'default',
        'run',
        '-d',
        '--label',
        `nerdctl/name=${name}`,
        '--rootfs',
        ROOTFS,
        name,
        '/bin/sleep',
        '3600',
      )),
  });
  const r = (x: number) => Math.round(x * 10) / 10;
  console.log(
    JSON.stringify({
      containers: N,
      namedNamespaces: named,
      fullReadWithoutRuntimesMs: r(a),
      fullReadWithContainerdMs: r(b),
      hostNamespaces,
      addedMs: r(b - a),
      askContainerdMs: r(ask),
      targetAddedMs: 100,
      ...latency,
    }),
  );
}

let daemon: ChildProcess | null = null;

async function cleanup(): Promise<void> {
  if (daemon && daemon.exitCode === null) {
    for (const ns of ['default', 'k8s.io']) {
      const ids = (await ctr(ns, 'task', 'ls', '-q').catch(() => '')).split('\n').filter(Boolean);
      await Promise.all(ids.map((id) => ctr(ns, 'task', 'kill', '-s', 'KILL', id).catch(() => '')));
      for (const id of ids) {
        for (let k = 0; k < 100; k++) {
          if (
            await ctr(ns, 'task', 'rm', id).then(
              () => true,
              () => false,
            )
          )
            break;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      for (const id of (await ctr(ns, 'container', 'ls', '-q').catch(() => '')).split('\n').filter(Boolean))
        await ctr(ns, 'container', 'rm', id).catch(() => '');
      await ctr(ns, 'namespaces', 'rm', ns).catch(() => '');
    }
    daemon.kill('SIGTERM');
    await new Promise((r) => daemon!.once('exit', r));
  }
  rmSync(DIR, { recursive: true, force: true });
  if (!RUN_DIR_EXISTED && !existsSync('/run/containerd/containerd.sock'))
    rmSync('/run/containerd', { recursive: true, force: true });
}

// Stopped from outside (a timeout): remove what we made before going.
for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.once(sig, () => {
    log(`${sig}: cleaning up`);
    void cleanup().finally(() => process.exit(1));
  });
}

main()
  .catch((e: unknown) => {
    log(String(e));
    process.exitCode = 1;
  })
  .finally(() => void cleanup());
