/**
 * Records server/discovery/__fixtures__/docker.json: a small real Docker scene as discovery reads
 * it, for the pure tests (server/discovery/dockerScene.test.ts). A private dockerd (test/docker.ts)
 * runs five busybox containers: `web` and `db` (a compose project `shop`) on the daemon's bridge,
 * `side` in web's namespace (`--net container:web`), `hostnet` in the host's (`--net host`) and
 * `lonely` with `--net none`. Recorded: the `ip -j` batch of every namespace a container process
 * is in (the host's cut down to our bridge, its ports and `lo`), those processes' /proc/PID/cgroup,
 * and the Engine API's answer to GET /containers/json. Everything is removed afterwards.
 * Run as root: `npx tsx test/recordDockerFixture.ts`.
 */
import { request } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { format } from 'prettier';
import { scanNamespaces } from '../server/discovery/enumerate.js';
import type { IpRow } from '../server/discovery/__fixtures__/recordBatch.js';
import { recordBatches } from '../server/discovery/__fixtures__/recordBatch.js';
import { startDocker } from './docker.js';
import type { DockerHarness } from './docker.js';
import { cleanupPrefix, uniquePrefix } from './kernel.js';

const OUT = new URL('../server/discovery/__fixtures__/docker.json', import.meta.url).pathname;

/** The scene: container name -> `docker run` options before the image. */
export const DOCKER_SCENE: Record<string, string> = {
  web: '',
  db: '--label com.docker.compose.project=shop',
  side: '--net container:web',
  hostnet: '--net host',
  lonely: '--net none',
};

/** GET `path` of the Engine API on `socket`, as discovery asks it (docker.ts). */
function engineGet(socket: string, path: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socket, path, method: 'GET', headers: { Host: 'docker' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () =>
        res.statusCode === 200 ? resolve(JSON.parse(body)) : reject(new Error(`${path}: ${res.statusCode}`)),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

async function record(h: DockerHarness, prefix: string): Promise<object> {
  for (const [name, opts] of Object.entries(DOCKER_SCENE)) {
    await h.docker(`run -d --name ${name} ${opts} ${h.image} sleep 3600`);
  }
  const pids = new Map<number, string>();
  for (const name of Object.keys(DOCKER_SCENE)) {
    const pid = Number((await h.docker(`inspect -f {{.State.Pid}} ${name}`)).trim());
    if (!(pid > 0)) throw new Error(`${name} has no process`);
    pids.set(pid, name);
  }
  const scan = scanNamespaces({ fds: false });
  const chosen = [...scan.namespaces.values()].filter((ns) => ns.pids.some((p) => pids.has(p)));
  if (!chosen.some((ns) => ns.inode === scan.hostInode))
    throw new Error('hostnet is not in the host namespace');
  const keepHostDevice = (row: IpRow) =>
    row.ifname === 'lo' ||
    (typeof row.ifname === 'string' && row.ifname.startsWith(prefix)) ||
    row.master === h.bridge;
  const namespaces = await recordBatches(scan, chosen, keepHostDevice);
  // Only our containers' processes: the host namespace holds every process of the machine.
  const cgroups: Record<string, Record<string, string>> = {};
  for (const ns of chosen) {
    cgroups[String(ns.inode)] = Object.fromEntries(
      ns.pids.filter((p) => pids.has(p)).map((p) => [String(p), readFileSync(`/proc/${p}/cgroup`, 'utf8')]),
    );
  }
  return {
    recorded: new Date().toISOString(),
    prefix,
    bridge: h.bridge,
    image: h.image,
    hostInode: scan.hostInode,
    namespaces,
    cgroups,
    containersJson: await engineGet(h.socket, '/containers/json'),
  };
}

const prefix = uniquePrefix('fd');
let harness: DockerHarness | null = null;
try {
  harness = await startDocker(prefix);
  const fixture = await record(harness, prefix);
  // Formatted as the repository's format check wants it.
  writeFileSync(OUT, await format(JSON.stringify(fixture), { parser: 'json' }));
  process.stdout.write(`wrote ${OUT}\n`);
} finally {
  await harness?.stop();
  await cleanupPrefix(prefix);
}
