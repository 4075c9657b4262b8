/**
 * Snapshot files: the model as JSON (what the page exports and `netns-explorer snapshot` prints)
 * plus, from the page, when it was taken and on which host. Reading one checks it whole, so a
 * wrong file gets an error naming what is wrong instead of a broken page.
 */
import { z } from 'zod';
import { MODEL_VERSION, normalizeTopology } from './model.js';
import type { Topology } from './model.js';

export interface SnapshotFile extends Topology {
  /** ISO 8601 UTC; absent in `netns-explorer snapshot` output. */
  takenAt?: string;
  /** The machine's hostname. */
  host?: string;
}

export interface ParsedSnapshot {
  topology: Topology;
  takenAt: string | null;
  host: string | null;
}

const str = z.string();
const nullableStr = z.string().nullable();
const namespaceSchema = z.looseObject({
  id: str,
  inode: z.number(),
  kind: z.enum(['host', 'named', 'process', 'container']),
  name: str,
  netnsNames: z.array(str),
  pids: z.array(z.number()),
  processes: z.array(z.looseObject({ pid: z.number(), command: str })),
  containers: z.array(
    z.looseObject({
      runtime: str,
      id: str,
      name: nullableStr,
      image: nullableStr,
      // Files written before pods and groups were read have neither.
      pod: nullableStr.default(null),
      group: z
        .object({ kind: z.enum(['compose', 'kubernetes', 'pod']), name: str })
        .nullable()
        .default(null),
      sharedNamespace: z.boolean(),
    }),
  ),
  mounts: z.array(str),
  error: nullableStr,
});
const interfaceSchema = z.looseObject({
  id: str,
  namespace: str,
  ifindex: z.number(),
  name: str,
  kind: str,
  state: str,
  flags: z.array(str),
  mtu: z.number(),
  mac: nullableStr,
  addresses: z.array(
    z.looseObject({ family: z.enum(['inet', 'inet6']), cidr: str, scope: str, broadcast: nullableStr }),
  ),
  master: nullableStr,
  peer: nullableStr,
  peerUnresolved: nullableStr,
  lower: nullableStr,
  alias: nullableStr,
  bridgePortState: nullableStr,
});
const routeSchema = z.looseObject({
  id: str,
  namespace: str,
  family: z.enum(['inet', 'inet6']),
  table: str,
  type: str,
  dst: str,
  gateway: nullableStr,
  dev: nullableStr,
  protocol: nullableStr,
  scope: nullableStr,
  metric: z.number().nullable(),
  prefsrc: nullableStr,
  flags: z.array(str),
});
const linkSchema = z.looseObject({ id: str, kind: z.literal('veth'), a: str, b: str });
const snapshotSchema = z.looseObject({
  version: z.literal(MODEL_VERSION),
  namespaces: z.array(namespaceSchema),
  interfaces: z.array(interfaceSchema),
  routes: z.array(routeSchema),
  links: z.array(linkSchema),
  takenAt: z.iso.datetime({ offset: true }).optional(),
  host: z.string().max(255).optional(),
});

function pathText(path: ReadonlyArray<PropertyKey>): string {
  return path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    .join('')
    .replace(/^\./, '');
}

/** Parses a snapshot file's text; `name` (the file name) starts every error. */
export function parseSnapshotFile(
  text: string,
  name: string,
): { ok: true; snapshot: ParsedSnapshot } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `${name} is not JSON (${e instanceof Error ? e.message : String(e)})` };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json) || !('version' in json)) {
    return { ok: false, error: `${name} is not a netns-explorer snapshot: no "version" field at the top` };
  }
  const version = (json as { version: unknown }).version;
  if (typeof version !== 'number' || !Number.isInteger(version)) {
    return { ok: false, error: `${name} is not a netns-explorer snapshot: "version" is not a number` };
  }
  if (version > MODEL_VERSION) {
    return {
      ok: false,
      error: `${name} has model version ${version}, newer than this netns-explorer reads (${MODEL_VERSION}): open it with a newer netns-explorer`,
    };
  }
  const parsed = snapshotSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return {
      ok: false,
      error: `${name} is not a valid netns-explorer snapshot: ${pathText(issue.path) || 'top level'}: ${issue.message}`,
    };
  }
  const { takenAt, host, version: v, namespaces, interfaces, routes, links } = parsed.data;
  return {
    ok: true,
    snapshot: {
      topology: normalizeTopology({ version: v, namespaces, interfaces, routes, links } as Topology),
      takenAt: takenAt === undefined ? null : new Date(takenAt).toISOString(),
      host: host ?? null,
    },
  };
}

/** The file the page exports: the model first (so it stays a valid model), then when and where. */
export function toSnapshotFile(t: Topology, takenAt: Date, host: string | null): SnapshotFile {
  return { ...t, takenAt: takenAt.toISOString(), ...(host ? { host } : {}) };
}
