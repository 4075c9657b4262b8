/**
 * Test harnesses for containerd and podman: a private containerd (own socket, root, state and
 * config; never the host's daemon), podman with its own storage and a containers.conf that works
 * on hosts where the default ulimits cannot be set, and a busybox-static rootfs both can run.
 * Every harness removes what it made: tasks, containers, images, namespaces, files.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { pollUntil, sh, unmountUnder } from './kernel.js';

export const CONTAINERD = '/usr/bin/containerd';
export const CTR = '/usr/bin/ctr';
export const PODMAN = '/usr/bin/podman';
const BUSYBOX = '/bin/busybox';
export const LXC_START = '/usr/bin/lxc-start';

/** Why these harnesses cannot run here, or null (the tests fail with it rather than skip). */
export function runtimesMissing(): string | null {
  const missing = [CONTAINERD, CTR, PODMAN, BUSYBOX, '/usr/sbin/runc', LXC_START].filter(
    (p) => !existsSync(p),
  );
  if (missing.length > 0)
    return `missing ${missing.join(', ')} (install containerd, podman, runc, busybox-static)`;
  return process.getuid?.() === 0 ? null : 'not running as root';
}

/** A directory with /bin/busybox and its applets as relative symlinks (an image without a registry). */
export async function busyboxRootfs(dir: string): Promise<string> {
  mkdirSync(`${dir}/bin`, { recursive: true });
  for (const d of ['proc', 'sys', 'dev', 'etc', 'tmp']) mkdirSync(`${dir}/${d}`, { recursive: true });
  copyFileSync(BUSYBOX, `${dir}/bin/busybox`);
  chmodSync(`${dir}/bin/busybox`, 0o755);
  for (const applet of (await sh(`${BUSYBOX} --list`)).split('\n').filter((a) => /^[a-z0-9_.[-]+$/.test(a))) {
    if (applet !== 'busybox' && !existsSync(`${dir}/bin/${applet}`))
      symlinkSync('busybox', `${dir}/bin/${applet}`);
  }
  return dir;
}

export interface ContainerdHarness {
  socket: string;
  /** `ctr -a SOCKET -n NS ARGS` (shell words; tests build their input with it). */
  ctr(ns: string, args: string): Promise<string>;
  /** The pid of a running task. */
  taskPid(ns: string, id: string): Promise<number>;
  /** Kills and deletes a task and its container. */
  remove(ns: string, id: string): Promise<void>;
  /** SIGKILLs the daemon (its tasks' shims live on: stop() still cleans them up after a restart). */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export async function startContainerd(prefix: string): Promise<ContainerdHarness> {
  if (!/^[a-z0-9]+$/.test(prefix)) throw new Error(`unsafe prefix ${prefix}`);
  const dir = `/tmp/${prefix}-containerd`;
  const socket = `${dir}/containerd.sock`;
  // containerd 1.6's shims, runc state and ctr's fifos live under /run/containerd whatever the
  // config says: if it was not there before, it goes with us (unless a host daemon came meanwhile).
  const runDirExisted = existsSync('/run/containerd');
  mkdirSync(dir, { recursive: true });
  // No CRI plugin: it would want CNI configuration and its own directories on the host.
  writeFileSync(
    `${dir}/config.toml`,
    `version = 2\nroot = "${dir}/root"\nstate = "${dir}/state"\ndisabled_plugins = ["io.containerd.grpc.v1.cri"]\n`,
  );
  let daemon: ChildProcess | null = null;
  const ctr = (ns: string, args: string) => sh(`${CTR} -a ${socket} -n ${ns} ${args}`);
  const launch = async (): Promise<void> => {
    const log = openSync(`${dir}/containerd.log`, 'a');
    daemon = spawn(CONTAINERD, ['--config', `${dir}/config.toml`, '--address', socket], {
      stdio: ['ignore', log, log],
    });
    await pollUntil(
      async () => (await ctr('default', 'version')).includes('Server'),
      'containerd ready',
      30_000,
    );
  };
  const killDaemon = async (): Promise<void> => {
    const d = daemon as ChildProcess | null;
    if (!d || d.exitCode !== null || d.signalCode !== null) return;
    const exited = new Promise((r) => d.once('exit', r));
    d.kill('SIGKILL');
    await exited;
  };
  const remove = async (ns: string, id: string): Promise<void> => {
    await ctr(ns, `task kill -s KILL ${id}`).catch(() => '');
    await pollUntil(
      async () =>
        !(await ctr(ns, 'task ls')).split('\n').some((l) => l.split(/\s+/)[0] === id && /RUNNING/.test(l)),
      `task ${id} stopped`,
      10_000,
    ).catch(() => false);
    await ctr(ns, `task rm -f ${id}`).catch(() => '');
    await ctr(ns, `container rm ${id}`).catch(() => '');
  };
  const stop = async (): Promise<void> => {
    const d = daemon as ChildProcess | null;
    if (!d || d.exitCode !== null || d.signalCode !== null) await launch().catch(() => undefined);
    for (const ns of (await ctr('default', 'namespaces ls -q').catch(() => '')).split('\n').filter(Boolean)) {
      for (const id of (await ctr(ns, 'container ls -q').catch(() => '')).split('\n').filter(Boolean))
        await remove(ns, id);
      await ctr(ns, 'namespaces rm ' + ns).catch(() => '');
    }
    await killDaemon();
    await unmountUnder(dir);
    rmSync(dir, { recursive: true, force: true });
    if (!runDirExisted && !existsSync('/run/containerd/containerd.sock')) {
      // Our shims clean up after themselves there: wait until the last one is gone.
      await pollUntil(
        async () => (await sh(`pgrep -f 'containerd-shim.*${socket}' || true`)).trim() === '',
        'our containerd shims gone',
        20_000,
      ).catch(() => false);
      rmSync('/run/containerd', { recursive: true, force: true });
    }
  };
  try {
    await launch();
  } catch (e) {
    const log = existsSync(`${dir}/containerd.log`)
      ? readFileSync(`${dir}/containerd.log`, 'utf8').slice(-2000)
      : '';
    await stop();
    throw new Error(`${String(e)}\n${log}`);
  }
  return {
    socket,
    ctr,
    async taskPid(ns, id) {
      const line = (await ctr(ns, 'task ls')).split('\n').find((l) => l.split(/\s+/)[0] === id);
      const pid = Number(line?.split(/\s+/)[1]);
      if (!pid) throw new Error(`no task ${id} in ${ns}`);
      return pid;
    },
    remove,
    kill: killDaemon,
    stop,
  };
}

export interface PodmanHarness {
  /** Global arguments that point podman at this harness's storage (discovery's CLI needs them too). */
  globalArgs: string[];
  podman(args: string): Promise<string>;
  stop(): Promise<void>;
}

/**
 * podman 4.3 applies default ulimits (RLIMIT_NOFILE/NPROC) that runc cannot set inside this kind of
 * sandboxed host ("error setting rlimit type 7"); `default_ulimits = []` keeps the host's. crun
 * refuses hybrid cgroup hosts, so runc it is; cgroupfs because there is no systemd; a file events
 * log because there is no journald. Applied through CONTAINERS_CONF for our commands only.
 */
export const PODMAN_TEST_CONF = `[containers]
default_ulimits = []

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
`;

export async function startPodman(prefix: string): Promise<PodmanHarness> {
  if (!/^[a-z0-9]+$/.test(prefix)) throw new Error(`unsafe prefix ${prefix}`);
  const dir = `/tmp/${prefix}-podman`;
  // podman import writes a blob cache to /var/lib/containers, and podman keeps locks in /run/libpod
  // and /run/containers, whatever --root, --runroot and --tmpdir say.
  const leftovers = ['/var/lib/containers', '/run/libpod', '/run/containers'].filter((d) => !existsSync(d));
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/containers.conf`, PODMAN_TEST_CONF);
  const globalArgs = ['--root', `${dir}/root`, '--runroot', `${dir}/runroot`, '--tmpdir', `${dir}/tmp`];
  const podman = (args: string) =>
    sh(`CONTAINERS_CONF=${dir}/containers.conf ${PODMAN} ${globalArgs.join(' ')} ${args}`);
  return {
    globalArgs,
    podman,
    async stop() {
      await podman('pod rm -af -t 0').catch(() => '');
      await podman('rm -af -t 0').catch(() => '');
      await podman('rmi -af').catch(() => '');
      await unmountUnder(dir);
      rmSync(dir, { recursive: true, force: true });
      for (const d of leftovers) rmSync(d, { recursive: true, force: true });
    },
  };
}

export interface LxcHarness {
  /** Creates (busybox template, no network: a namespace with lo only) and starts a container; its init pid. */
  start(name: string): Promise<number>;
  /** Names of running containers, as lxc-ls lists them. */
  running(): Promise<string[]>;
  stopOne(name: string): Promise<void>;
  stop(): Promise<void>;
}

/** LXC with its own lxcpath, so nothing of the host's containers is listed or touched. */
export function lxcHarness(prefix: string): LxcHarness {
  if (!/^[a-z0-9]+$/.test(prefix)) throw new Error(`unsafe prefix ${prefix}`);
  const dir = `/tmp/${prefix}-lxc`;
  const lockExisted = existsSync('/run/lxc');
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/default.conf`, 'lxc.net.0.type = empty\n');
  const names = new Set<string>();
  return {
    async start(name) {
      names.add(name);
      await sh(`lxc-create -P ${dir} -n ${name} -t busybox -f ${dir}/default.conf >/dev/null`);
      await sh(`lxc-start -P ${dir} -n ${name} -d`);
      return Number((await sh(`lxc-info -P ${dir} -n ${name} -p -H`)).trim());
    },
    async running() {
      return (await sh(`lxc-ls -P ${dir} --running -1`)).split(/\s+/).filter(Boolean);
    },
    async stopOne(name) {
      await sh(`lxc-stop -P ${dir} -n ${name} -k`).catch(() => '');
    },
    async stop() {
      for (const n of names) {
        await sh(`lxc-stop -P ${dir} -n ${n} -k`).catch(() => '');
        await sh(`lxc-destroy -P ${dir} -n ${n}`).catch(() => '');
      }
      rmSync(dir, { recursive: true, force: true });
      // LXC's lock directory for our lxcpath.
      rmSync(lockExisted ? `/run/lxc/lock${dir}` : '/run/lxc', { recursive: true, force: true });
    },
  };
}

/** `ctr run` label flags that make a task look like a CRI (Kubernetes) pod sandbox or pod member. */
export function podLabelFlags(
  pod: Record<string, string>,
  kind: 'sandbox' | 'container',
  container?: string,
): string {
  return [
    ...Object.entries(pod).map(([k, v]) => `io.kubernetes.pod.${k}=${v}`),
    `io.cri-containerd.kind=${kind}`,
    ...(container ? [`io.kubernetes.container.name=${container}`] : []),
  ]
    .map((l) => `--label ${l}`)
    .join(' ');
}
