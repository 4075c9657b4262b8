/**
 * Test harness for Docker: a private dockerd (own socket, data-root, exec-root and bridge, so it
 * never disturbs another daemon on this host), a busybox image built with `docker import`, and a
 * teardown that removes everything it made (containers, daemon, nsfs mounts, bridge, files).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import { pollUntil, sh, unmountUnder } from './kernel.js';
import { busyboxRootfs } from './runtimes.js';

export const DOCKERD = '/usr/sbin/dockerd';
export const BUSYBOX = '/bin/busybox';

export interface DockerHarness {
  socket: string;
  /** Bridge (in the host namespace) that the daemon's default network uses. */
  bridge: string;
  image: string;
  /** Runs the docker CLI against this daemon (tests build their input with it). */
  docker(args: string): Promise<string>;
  stop(): Promise<void>;
}

export function dockerAvailable(): boolean {
  return existsSync(DOCKERD) && existsSync(BUSYBOX) && process.getuid?.() === 0;
}

/** Why startDocker() cannot work here (for a test's failure or skip message), or null. */
export function dockerMissing(): string | null {
  const missing = [DOCKERD, BUSYBOX, '/usr/bin/docker'].filter((p) => !existsSync(p));
  if (missing.length > 0) return `missing ${missing.join(', ')} (install docker.io and busybox-static)`;
  return process.getuid?.() === 0 ? null : 'not running as root';
}

function dockerCli(): string {
  for (const p of ['/usr/bin/docker', '/usr/local/bin/docker']) if (existsSync(p)) return p;
  throw new Error('docker CLI not found');
}

export async function startDocker(prefix: string): Promise<DockerHarness> {
  if (!/^[a-z0-9]+$/.test(prefix)) throw new Error(`unsafe prefix ${prefix}`);
  const dir = `/tmp/${prefix}-docker`;
  const socket = `${dir}/docker.sock`;
  const bridge = `${prefix}br`;
  const image = `${prefix}-busybox:latest`;
  const cli = dockerCli();
  mkdirSync(dir, { recursive: true });
  let daemon: ChildProcess | null = null;

  const docker = (args: string) => sh(`${cli} -H unix://${socket} ${args}`);

  const stop = async (): Promise<void> => {
    if (daemon && daemon.exitCode === null && daemon.signalCode === null) {
      await docker('ps -aq')
        .then((ids) => (ids.trim() ? docker(`rm -f ${ids.trim().split('\n').join(' ')}`) : ''))
        .catch(() => '');
      const exited = new Promise((r) => daemon!.once('exit', r));
      daemon.kill('SIGTERM');
      const t = setTimeout(() => daemon?.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(t);
    }
    // Whatever the daemon left mounted under our directory (container netns bind mounts, shm).
    await unmountUnder(dir);
    await sh(`ip link del dev ${bridge} 2>/dev/null || true`);
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    // The default network sits on our own bridge, with an address in 10/8.
    await sh(
      `ip link add name ${bridge} type bridge && ip addr add 10.213.${randomInt(1, 250)}.1/24 dev ${bridge} && ip link set ${bridge} up`,
    );
    const log = openSync(`${dir}/dockerd.log`, 'a');
    daemon = spawn(
      DOCKERD,
      [
        `--host=unix://${socket}`,
        `--data-root=${dir}/data`,
        `--exec-root=${dir}/exec`,
        `--pidfile=${dir}/docker.pid`,
        `--bridge=${bridge}`,
        '--iptables=false',
        '--ip6tables=false',
        '--ip-forward=false',
        '--ip-masq=false',
        '--storage-driver=vfs',
      ],
      { stdio: ['ignore', log, log] },
    );
    await pollUntil(
      async () => (await docker('version --format {{.Server.Version}}')).trim() !== '',
      'dockerd ready',
      60_000,
    );
    // Image: a busybox-static rootfs with its applet symlinks.
    await busyboxRootfs(`${dir}/rootfs`);
    await sh(`tar -C ${dir}/rootfs -c . | ${cli} -H unix://${socket} import - ${image}`);
    return { socket, bridge, image, docker, stop };
  } catch (e) {
    const log = existsSync(`${dir}/dockerd.log`)
      ? readFileSync(`${dir}/dockerd.log`, 'utf8').slice(-2000)
      : '';
    await stop();
    throw new Error(`${String(e)}\n${log}`);
  }
}
