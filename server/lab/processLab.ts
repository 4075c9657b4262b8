/**
 * The process-held demo lab: the seed's scene built from plain processes in new network
 * namespaces (`unshare -n`), so it works on any host without Docker.
 */
import { access, constants, mkdir, symlink, writeFile, rm } from 'node:fs/promises';
import { run } from '../exec/run.js';
import {
  BIN_DIR,
  CONTAINER_ENDS,
  HOST_LINKS,
  INDEX_HTML,
  LAB_DIR,
  NGINX_PORT,
  WWW_DIR,
  bridgeBatch,
  containerHostBatch,
  containerInnerBatch,
  nginxHostBatch,
  nginxInnerBatch,
} from './plan.js';
import type { LabRole } from './plan.js';
import { ipBatch, waitForNginx } from './hostOps.js';
import { netnsOf, pollUntil, procInfo, spawnDetached } from './procs.js';
import type { LabProcess, LabState } from './state.js';
import { writeState } from './state.js';

const UNSHARE = '/usr/bin/unshare';
const SLEEP = '/bin/sleep';
const BUSYBOX = '/bin/busybox';
const PYTHON = '/usr/bin/python3';

async function exists(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** How nginx's web server is started: whichever of busybox httpd, python3, node exists. */
interface WebServer {
  target: string;
  /** argv after `unshare -n`. */
  argv: string[];
  label: string;
}

async function chooseWebServer(): Promise<WebServer> {
  const link = `${BIN_DIR}/nginx`;
  if (await exists(BUSYBOX)) {
    const list = await run(BUSYBOX, ['--list']);
    if (list.stdout.split('\n').includes('httpd')) {
      // busybox picks the applet from argv[0] while the kernel takes comm from the file name:
      // `exec -a httpd <symlink named nginx>` gives comm `nginx` and runs httpd. The script is constant.
      return {
        target: BUSYBOX,
        argv: [BUSYBOX, 'sh', '-c', `exec -a httpd ${link} -f -p ${NGINX_PORT} -h ${WWW_DIR}`],
        label: 'busybox httpd',
      };
    }
  }
  if (await exists(PYTHON)) {
    const args = ['-m', 'http.server', String(NGINX_PORT), '--bind', '0.0.0.0', '--directory', WWW_DIR];
    return { target: PYTHON, argv: [link, ...args], label: 'python3 http.server' };
  }
  const script =
    "const fs=require('fs'),p=require('path'),d=process.argv[1];" +
    "require('http').createServer((q,s)=>{s.setHeader('content-type','text/html');" +
    "s.end(fs.readFileSync(p.join(d,'index.html')))}).listen(" +
    String(NGINX_PORT) +
    ');';
  return { target: process.execPath, argv: [link, '-e', script, WWW_DIR], label: 'node http' };
}

/** Symlinks named after the roles, so each process's comm names its box (`pid N (netshoot-a)`). */
async function prepareFiles(state: LabState, web: WebServer): Promise<void> {
  if (!/^\/[\w./-]+$/.test(LAB_DIR)) throw new Error(`unsafe lab directory ${LAB_DIR}`);
  await mkdir(BIN_DIR, { recursive: true });
  await mkdir(WWW_DIR, { recursive: true });
  state.paths.push(BIN_DIR, WWW_DIR);
  for (const role of ['netshoot-a', 'netshoot-b', 'netshoot-host'] as const) {
    await rm(`${BIN_DIR}/${role}`, { force: true });
    await symlink(SLEEP, `${BIN_DIR}/${role}`);
  }
  await rm(`${BIN_DIR}/nginx`, { force: true });
  await symlink(web.target, `${BIN_DIR}/nginx`);
  await writeFile(`${WWW_DIR}/index.html`, INDEX_HTML);
  await writeState(state);
}

/** Starts one holder and waits until it runs as `role` (and, unless shared, in a new namespace). */
async function startHolder(
  state: LabState,
  role: LabRole,
  argv: readonly string[],
  ownNamespace: boolean,
): Promise<LabProcess> {
  const [file, ...args] = ownNamespace ? [UNSHARE, '-n', ...argv] : argv;
  const pid = await spawnDetached(file!, args);
  const mine = await netnsOf('self');
  const info = await pollUntil(
    async () => {
      const i = await procInfo(pid);
      if (!i || i.state === 'Z') throw new Error(`${role} (pid ${pid}) exited`);
      const ns = await netnsOf(pid);
      return i.comm === role && (ownNamespace ? ns !== mine : ns === mine) ? i : null;
    },
    `${role} to start`,
    10_000,
  );
  const p = { role, pid, startTime: info.startTime };
  state.processes.push(p);
  await writeState(state);
  return p;
}

export async function processUp(state: LabState, log: (s: string) => void): Promise<void> {
  const web = await chooseWebServer();
  await prepareFiles(state, web);

  const holders = new Map<string, LabProcess>();
  for (const end of CONTAINER_ENDS) {
    holders.set(end.role, await startHolder(state, end.role, [`${BIN_DIR}/${end.role}`, 'infinity'], true));
  }
  const nginx = await startHolder(state, 'nginx', web.argv, true);
  // Shell 5: a process sharing the host's namespace.
  await startHolder(state, 'netshoot-host', [`${BIN_DIR}/netshoot-host`, 'infinity'], false);

  // Record the links before creating them: if a step fails, `down` still knows to remove them.
  state.links = [...HOST_LINKS];
  await writeState(state);
  await ipBatch(bridgeBatch());
  for (const end of CONTAINER_ENDS) {
    const holder = holders.get(end.role)!;
    await ipBatch(containerHostBatch(end, holder.pid));
    await ipBatch(containerInnerBatch(end), holder.pid);
  }
  await ipBatch(nginxHostBatch(nginx.pid));
  await ipBatch(nginxInnerBatch(), nginx.pid);

  log(`nginx (${web.label}) answers on ${await waitForNginx()}`);
}
