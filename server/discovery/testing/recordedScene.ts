/**
 * Turns a scene recorded in `../__fixtures__/` into what discovery would have made of it, with the
 * same pure steps as a live read (parseBatch, parseCgroup, parseContainerList, describeNamespace,
 * assemble) and none of the shells. Fixtures from `record.ts` hold the `ip -j` batches only;
 * Docker ones (test/recordDockerFixture.ts) add the containers' /proc/PID/cgroup and the Engine
 * API's container list.
 */
import { readFileSync } from 'node:fs';
import type { Topology } from '../../../common/model.js';
import { assemble, describeNamespace } from '../assemble.js';
import { parseContainerList } from '../docker.js';
import type { NamespaceRead } from '../ipParse.js';
import { parseBatch } from '../ipParse.js';
import type { CgroupContainer } from '../procParse.js';
import { parseCgroup } from '../procParse.js';

export interface RecordedFixture {
  hostInode: number;
  namespaces: Record<string, { names: string[]; stdout: string }>;
  /** inode -> pid -> text of /proc/PID/cgroup (only the processes the recorder chose). */
  cgroups?: Record<string, Record<string, string>>;
  /** The Engine API's answer to GET /containers/json. */
  containersJson?: unknown;
}

export function loadFixture<T extends RecordedFixture = RecordedFixture>(file: string): T {
  return JSON.parse(readFileSync(new URL(`../__fixtures__/${file}`, import.meta.url), 'utf8')) as T;
}

/**
 * The batches of a fixture, parsed (throws on the first one that does not parse); without
 * `withNsids` their nsid lists are left out, as a read without the nsid helper has none.
 */
export function recordedReads(fixture: RecordedFixture, withNsids = true): Map<number, NamespaceRead> {
  const reads = new Map<number, NamespaceRead>();
  for (const [ino, { stdout }] of Object.entries(fixture.namespaces)) {
    const p = parseBatch(Number(ino), stdout, withNsids);
    if (!p.read) throw new Error(String(p.error));
    reads.set(Number(ino), p.read);
  }
  return reads;
}

/** The topology discovery makes of a recorded scene, and the problems it reports. */
export function recordedScene(fixture: RecordedFixture): { topology: Topology; errors: string[] } {
  const docker = fixture.containersJson === undefined ? null : parseContainerList(fixture.containersJson);
  const namespaces = Object.entries(fixture.namespaces).map(([ino, v]) => {
    const cgroups = new Map<number, CgroupContainer>();
    for (const [pid, text] of Object.entries(fixture.cgroups?.[ino] ?? {})) {
      const c = parseCgroup(text);
      if (c) cgroups.set(Number(pid), c);
    }
    return describeNamespace(
      {
        found: { inode: Number(ino), pids: [...cgroups.keys()], netnsNames: v.names, mounts: [], fds: [] },
        isHost: Number(ino) === fixture.hostInode,
        comms: new Map(),
        cgroups,
      },
      docker,
    );
  });
  return assemble({ namespaces, reads: recordedReads(fixture), unreadable: new Map() });
}
