/**
 * Who uses each namespace: comm and cgroup of its pids, and Docker's names for its containers.
 * Cached between refreshes, because the host namespace holds every host process and reading two
 * /proc files per pid plus a Docker API call on every refresh cost more than reading a namespace.
 */
import type { NamespaceFacts } from './assemble.js';
import { MAX_PROCESSES } from './assemble.js';
import type { DockerContainer } from './docker.js';
import type { FoundNamespace } from './enumerate.js';
import { readCgroup, readComm } from './enumerate.js';
import type { CgroupContainer } from './procParse.js';
import { parseCgroup } from './procParse.js';

/** A cached container list is reused this long when it knows every container seen in cgroups. */
const DOCKER_TTL_MS = 10_000;

interface PidFacts {
  /** undefined: not read yet (only the first MAX_PROCESSES pids of a namespace need it). */
  comm: string | null | undefined;
  cgroup: CgroupContainer | null;
}

export class FactsCache {
  private pids = new Map<number, PidFacts>();
  private docker: { at: number; list: Map<string, DockerContainer> | null } | null = null;

  constructor(private readonly dockerSocket?: string) {}

  /** Forget everything (full reads start from scratch). */
  clear(): void {
    this.pids.clear();
    this.docker = null;
  }

  /**
   * Facts of `found`. Pids of namespaces in `fresh` are read again; other pids are read only when
   * new. A pid reused by another process between two scans in an unchanged namespace keeps its
   * old comm until the namespace changes or the next full read (pids wrap rarely between scans).
   */
  factsOf(found: FoundNamespace, isHost: boolean, fresh: boolean): NamespaceFacts {
    const comms = new Map<number, string>();
    const cgroups = new Map<number, CgroupContainer>();
    found.pids.forEach((pid, i) => {
      let f = fresh ? undefined : this.pids.get(pid);
      if (!f) {
        const text = readCgroup(pid);
        f = { comm: undefined, cgroup: text === null ? null : parseCgroup(text) };
        this.pids.set(pid, f);
      }
      if (i < MAX_PROCESSES && f.comm === undefined) f.comm = readComm(pid);
      if (i < MAX_PROCESSES && f.comm) comms.set(pid, f.comm);
      if (f.cgroup) cgroups.set(pid, f.cgroup);
    });
    return { found, isHost, comms, cgroups };
  }

  /** Docker's list is asked again on the next read (an event said a container changed). */
  invalidateDocker(): void {
    this.docker = null;
  }

  /** Drops pids no longer present anywhere. */
  prune(present: Set<number>): void {
    for (const pid of this.pids.keys()) if (!present.has(pid)) this.pids.delete(pid);
  }

  /**
   * Docker's container list when some process is in a Docker container: cached while it knows
   * every such container and is younger than DOCKER_TTL_MS (names can change with `docker rename`).
   */
  async dockerInfo(
    facts: NamespaceFacts[],
    errors: string[],
    now = Date.now(),
  ): Promise<Map<string, DockerContainer> | null> {
    const ids = new Set<string>();
    for (const f of facts) for (const c of f.cgroups.values()) if (c.runtime === 'docker') ids.add(c.id);
    if (ids.size === 0) return null;
    const d = this.docker;
    if (d && d.list && now - d.at < DOCKER_TTL_MS && [...ids].every((id) => d.list!.has(id))) return d.list;
    try {
      // Loaded only when a container needs it: docker.js brings zod and node:http, which cost a
      // `snapshot` command on a host without Docker a good part of its start.
      const { listDockerContainers } = await import('./docker.js');
      const list = await listDockerContainers(this.dockerSocket);
      this.docker = { at: now, list };
      return list;
    } catch (e) {
      this.docker = null;
      errors.push(`Docker API: ${e instanceof Error ? e.message : String(e)}`);
      return null;
    }
  }
}
