/**
 * `lab up --docker`: the same scene with real Docker containers (the seed's own commands, minus the
 * registry: the image is imported from a busybox-static rootfs). Everything Docker makes for us
 * carries the label below, which is how `down` finds it and how we refuse to touch the user's.
 */
import { access, mkdir, mkdtemp, rm, symlink, copyFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, runOk } from '../exec/run.js';
import type { RunResult } from '../exec/run.js';
import {
  BRIDGE,
  BRIDGE_CIDR,
  BRIDGE_NET,
  CONTAINER_ENDS,
  HOST_VETH,
  INDEX_HTML,
  NGINX_PORT,
  containerInnerBatch,
  nginxHostBatch,
  nginxInnerBatch,
} from './plan.js';
import { ipBatch, waitForNginx } from './hostOps.js';
import type { LabState } from './state.js';
import { writeState } from './state.js';
import { parseDockerHost } from './labArgs.js';

const DOCKER = '/usr/bin/docker';
const TAR = '/usr/bin/tar';
export const LAB_LABEL = 'netns-explorer.lab=1';
const IMAGE = 'nxlab-busybox:1';
const NETWORK = 'nxlab-net';
const SLEEP_ARGS = ['sleep', '999999999'];

/*
 * Every docker CLI call names its daemon with `-H` (a validated unix:// URL): run() gives children a
 * fixed environment, so DOCKER_HOST of the caller is deliberately not inherited.
 */
async function docker(host: string, args: string[], timeoutMs = 30_000): Promise<string> {
  return (await runOk(DOCKER, ['-H', host, ...args], { timeoutMs })).trim();
}

function dockerRun(host: string, args: string[], timeoutMs?: number): Promise<RunResult> {
  return run(DOCKER, ['-H', host, ...args], timeoutMs === undefined ? {} : { timeoutMs });
}

/** Why the daemon at `host` cannot be used, or null when it answers. */
export async function dockerAvailable(host: string): Promise<string | null> {
  const parsed = parseDockerHost(host);
  if ('error' in parsed) return parsed.error;
  try {
    await access(DOCKER);
  } catch {
    return `${DOCKER} is not installed`;
  }
  try {
    await access(parsed.socket);
  } catch {
    return `${parsed.socket} does not exist (start dockerd first)`;
  }
  const r = await dockerRun(host, ['version', '--format', '{{.Server.Version}}'], 5000);
  return r.exitCode === 0 ? null : r.stderr.trim() || `docker version exited ${r.exitCode}`;
}

async function containerPid(host: string, name: string): Promise<number> {
  const pid = Number(await docker(host, ['inspect', '--type', 'container', '-f', '{{.State.Pid}}', name]));
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`container ${name} is not running`);
  return pid;
}

/** Builds the lab's image from /bin/busybox (no registry needed) unless it exists. */
async function ensureImage(state: LabState, host: string): Promise<void> {
  if ((await dockerRun(host, ['image', 'inspect', IMAGE])).exitCode === 0) return;
  const dir = await mkdtemp(join(tmpdir(), 'nxlab-rootfs-'));
  try {
    const root = join(dir, 'rootfs');
    await mkdir(join(root, 'bin'), { recursive: true });
    await mkdir(join(root, 'www'));
    await copyFile('/bin/busybox', join(root, 'bin/busybox'));
    for (const applet of ['sh', 'sleep', 'httpd', 'ip', 'ls', 'cat']) {
      await symlink('busybox', join(root, 'bin', applet));
    }
    await writeFile(join(root, 'www/index.html'), INDEX_HTML);
    const tarball = join(dir, 'rootfs.tar');
    await runOk(TAR, ['-C', root, '-cf', tarball, '.'], { timeoutMs: 30_000 });
    await docker(host, ['import', '--change', `LABEL ${LAB_LABEL}`, tarball, IMAGE], 60_000);
    state.docker!.importedImage = IMAGE;
    await writeState(state);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A container name of the user's that we must not replace. */
async function foreignContainer(host: string, name: string): Promise<boolean> {
  const r = await dockerRun(host, ['inspect', '--type', 'container', '-f', '{{json .Config.Labels}}', name]);
  if (r.exitCode !== 0) return false;
  return !r.stdout.includes('"netns-explorer.lab":"1"');
}

async function runContainer(state: LabState, name: string, args: string[]): Promise<void> {
  // The image's vfs copy can take a while on a loaded host.
  const id = await docker(
    state.docker!.host,
    ['run', '-d', '--name', name, '--label', LAB_LABEL, ...args],
    120_000,
  );
  state.docker!.containers.push({ name, id });
  await writeState(state);
}

export async function dockerUp(state: LabState, host: string, log: (s: string) => void): Promise<void> {
  state.docker = { host, containers: [], network: null, importedImage: null };
  await writeState(state);
  for (const name of ['netshoot-a', 'netshoot-b', 'nginx', 'netshoot-host']) {
    if (await foreignContainer(host, name))
      throw new Error(`a container named ${name} exists and is not the lab's`);
  }
  await ensureImage(state, host);
  // A network of our own (bridge named like the process lab's) rather than the user's docker0.
  state.links = [BRIDGE, HOST_VETH];
  state.docker.network = await docker(host, [
    'network',
    'create',
    '--label',
    LAB_LABEL,
    '--driver',
    'bridge',
    '--subnet',
    BRIDGE_NET,
    '--gateway',
    BRIDGE_CIDR.split('/')[0]!,
    '-o',
    `com.docker.network.bridge.name=${BRIDGE}`,
    NETWORK,
  ]);
  await writeState(state);
  for (const end of CONTAINER_ENDS) {
    const ip = end.cidr.split('/')[0]!;
    await runContainer(state, end.role, ['--network', NETWORK, '--ip', ip, IMAGE, ...SLEEP_ARGS]);
    if (end.role === 'netshoot-a') {
      // Shell 1's route; added from the host so the container needs no NET_ADMIN.
      const extra = containerInnerBatch(end)
        .split('\n')
        .filter((l) => l.startsWith('route add 8.8.8.8'));
      await ipBatch(`${extra.join('\n')}\n`, await containerPid(host, end.role));
    }
  }
  await runContainer(state, 'nginx', [
    '--network',
    'none',
    IMAGE,
    'httpd',
    '-f',
    '-p',
    String(NGINX_PORT),
    '-h',
    '/www',
  ]);
  const nginxPid = await containerPid(host, 'nginx');
  await ipBatch(nginxHostBatch(nginxPid));
  await ipBatch(nginxInnerBatch(), nginxPid);
  log(`nginx (busybox httpd in a container) answers on ${await waitForNginx()}`);
  await runContainer(state, 'netshoot-host', ['--network', 'host', IMAGE, ...SLEEP_ARGS]);
  log(`containers ${state.docker.containers.map((c) => c.name).join(', ')} on network ${NETWORK}`);
}

export async function dockerHealthy(state: LabState): Promise<boolean> {
  for (const c of state.docker?.containers ?? []) {
    const r = await dockerRun(state.docker!.host, [
      'inspect',
      '--type',
      'container',
      '-f',
      '{{.State.Running}}',
      c.id,
    ]);
    if (r.stdout.trim() !== 'true') return false;
  }
  return true;
}

/**
 * Removes the lab's containers, network and imported image (found by label) from the daemon at
 * `host`; no-op without a daemon. `state` is the recorded state when it belongs to this daemon.
 */
export async function dockerDown(host: string, state: LabState | null): Promise<string[]> {
  if ((await dockerAvailable(host)) !== null) return [];
  const removed: string[] = [];
  const filter = ['--filter', `label=${LAB_LABEL}`];
  const ids = (await docker(host, ['ps', '-aq', ...filter])).split('\n').filter(Boolean);
  if (ids.length > 0) {
    await docker(host, ['rm', '-f', ...ids], 60_000);
    removed.push(...ids.map((id) => `container ${id.slice(0, 12)}`));
  }
  const nets = (await docker(host, ['network', 'ls', '-q', ...filter])).split('\n').filter(Boolean);
  for (const n of nets) {
    await docker(host, ['network', 'rm', n]);
    removed.push(`network ${NETWORK}`);
  }
  // The labelled image was imported by a `lab up` (this one or an interrupted earlier one).
  const images = (await docker(host, ['images', '-q', ...filter])).split('\n').filter(Boolean);
  if (images.length > 0 || state?.docker?.importedImage) {
    await dockerRun(host, ['rmi', IMAGE]);
    removed.push(`image ${IMAGE}`);
  }
  return removed;
}
