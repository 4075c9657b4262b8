/**
 * `netns-explorer lab up|down [--docker] [--docker-host unix:///path]`: builds or removes the seed's
 * scene (Figure 1, Shells 1-5) on this host; `--docker-host` names the daemon (default: the system's).
 * `up` records everything it makes in a state file; `down` removes exactly that plus anything
 * carrying the lab's own names, and nothing else. Both are idempotent.
 */
import { readdir, rm, rmdir } from 'node:fs/promises';
import {
  bridgePorts,
  deleteHostLinks,
  hostLinkNames,
  stopAll,
  strayLabProcesses,
  subnetConflicts,
} from './hostOps.js';
import { BIN_DIR, BRIDGE, HOST_VETH, LAB_DIR, STATE_FILE, WWW_DIR, isLabLink } from './plan.js';
import { processUp } from './processLab.js';
import { isAlive } from './procs.js';
import { emptyState, readState, removeState, writeState } from './state.js';
import type { LabState } from './state.js';
import { dockerAvailable, dockerDown, dockerHealthy, dockerUp } from './dockerLab.js';
import { DEFAULT_DOCKER_HOST, LAB_USAGE, parseLabArgs } from './labArgs.js';

function log(s: string): void {
  process.stdout.write(`netns-explorer lab: ${s}\n`);
}

async function healthy(state: LabState): Promise<boolean> {
  if (!state.complete) return false;
  for (const p of state.processes) if (!(await isAlive(p.pid, p.startTime))) return false;
  const links = new Set(await hostLinkNames());
  if (!state.links.every((l) => links.has(l))) return false;
  return state.mode === 'docker' ? dockerHealthy(state) : true;
}

/**
 * Removes everything of the lab's: recorded in the state file, or found by its names. Docker objects
 * are swept from the daemon the state names and from `dockerHost` (the default daemon when not given).
 */
export async function labDown(dockerHost: string | null = null): Promise<string[]> {
  const state = await readState();
  const removed: string[] = [];
  const recorded = state?.docker?.host ?? null;
  for (const host of new Set([recorded, dockerHost ?? DEFAULT_DOCKER_HOST])) {
    if (host !== null) removed.push(...(await dockerDown(host, host === recorded ? state : null)));
  }
  const procs = new Map<number, { pid: number; startTime: number }>();
  for (const p of [...(state?.processes ?? []), ...(await strayLabProcesses())]) procs.set(p.pid, p);
  const alive = [];
  for (const p of procs.values()) if (await isAlive(p.pid, p.startTime)) alive.push(p);
  await stopAll(alive);
  removed.push(...alive.map((p) => `process ${p.pid}`));
  // Host ends of veths die with their namespaces; the bridge and the nginx veth's host end stay.
  const sweep = (await hostLinkNames()).filter(isLabLink);
  const deleted = await deleteHostLinks([...new Set([...(state?.links ?? []), ...sweep])]);
  removed.push(...deleted.map((l) => `link ${l}`));
  let hadFiles = false;
  for (const path of [BIN_DIR, WWW_DIR]) {
    try {
      await readdir(path);
      hadFiles = true;
    } catch {
      continue;
    }
    await rm(path, { recursive: true, force: true });
  }
  if (state) removed.push(`state ${STATE_FILE}`);
  else if (hadFiles) removed.push(`files in ${LAB_DIR}`);
  await removeState();
  try {
    await rmdir(LAB_DIR); // only when empty: the directory may hold other files of netns-explorer
  } catch {
    // not empty or already gone
  }
  return removed;
}

async function labUp(docker: boolean, dockerHost: string): Promise<number> {
  const mode = docker ? 'docker' : 'process';
  const existing = await readState();
  if (existing && (await healthy(existing))) {
    if (existing.mode !== mode) {
      log(`the lab is already up in ${existing.mode} mode; run 'netns-explorer lab down' first`);
      return 1;
    }
    if (docker && existing.docker?.host !== dockerHost) {
      log(
        `the lab is already up on the Docker daemon ${existing.docker?.host}; run 'netns-explorer lab down' first`,
      );
      return 1;
    }
    log(`already up (${existing.mode} mode, since ${existing.createdAt}); nothing to do`);
    return 0;
  }
  if (docker) {
    const why = await dockerAvailable(dockerHost);
    if (why) {
      log(`no Docker daemon at ${dockerHost}: ${why}`);
      return 1;
    }
  }
  // Leftovers of an interrupted run are ours: clear them so `up` starts from a clean slate.
  const leftovers = await labDown(docker ? dockerHost : null);
  if (leftovers.length > 0) log(`removed leftovers of an earlier lab: ${leftovers.join(', ')}`);
  const conflicts = await subnetConflicts();
  if (conflicts.length > 0) {
    log(`refusing to start: the lab's subnets are in use here (${conflicts.join('; ')})`);
    return 1;
  }

  const state = emptyState(mode);
  await writeState(state);
  try {
    if (docker) await dockerUp(state, dockerHost, log);
    else await processUp(state, log);
    state.complete = true;
    await writeState(state);
  } catch (e) {
    log(`failed: ${e instanceof Error ? e.message : String(e)}; undoing`);
    await labDown(docker ? dockerHost : null);
    return 1;
  }
  const boxes = [
    ...state.processes.map((p) => `${p.role} (pid ${p.pid})`),
    ...(state.docker?.containers ?? []).map((c) => `${c.name} (container ${c.id.slice(0, 12)})`),
  ];
  log(`up (${mode} mode): ${boxes.join(', ')}`);
  log(`bridge ${BRIDGE} with ports ${(await bridgePorts()).join(', ')}; ${HOST_VETH} leads to nginx`);
  log(`state in ${STATE_FILE}; remove with 'netns-explorer lab down'`);
  return 0;
}

export async function main(args: string[]): Promise<number> {
  const parsed = parseLabArgs(args);
  if ('error' in parsed) {
    process.stderr.write(`netns-explorer lab: ${parsed.error}\n${LAB_USAGE}`);
    return 2;
  }
  if (process.getuid?.() !== 0) {
    process.stderr.write('netns-explorer lab: must run as root (it creates namespaces and interfaces)\n');
    return 1;
  }
  if (parsed.action === 'up') return labUp(parsed.docker, parsed.dockerHost ?? DEFAULT_DOCKER_HOST);
  const removed = await labDown(parsed.dockerHost);
  log(removed.length > 0 ? `down: removed ${removed.join(', ')}` : 'not up; nothing to remove');
  return 0;
}
