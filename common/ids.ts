/**
 * Model ids: the only place that builds or reads one. Ids derive from kernel identity, never
 * from a counter, so an entity keeps its id across every refresh while it lives:
 *
 * - namespace: `ns-<inode>` (inode of the nsfs file; unique among living namespaces)
 * - interface: `if-<ns inode>-<ifindex>` (ifindexes repeat across namespaces, never inside one)
 * - veth link: `veth:<a id>:<b id>` with the two ends in sorted order
 * - route: `rt-<ns inode>:<family>:<table>:<type>:<dst>:<dev>:<gateway>:<metric>`, plus `#N` for
 *   the Nth route that differs only in attributes outside the id (tos, pref, ...)
 *
 * A route id can only be read back as far as its namespace: `dst` and `gateway` may be IPv6 text,
 * whose colons make the rest ambiguous. Nothing should need more: a route carries its fields.
 *
 * Trap: an inode is reused once its namespace is gone, so an id names "the namespace with this
 * inode now", not one namespace forever.
 */

/** What every namespace id starts with (for selectors over ids, e.g. `[data-id^="ns-"]`). */
export const NS_PREFIX = 'ns-';
const IF_PREFIX = 'if-';
const ROUTE_PREFIX = 'rt-';
const VETH_PREFIX = 'veth:';

/** Digit counts the parsers accept: an inode is a u64 (20 digits), an ifindex an i32 (10). */
const NS_ID_RE = /^ns-([0-9]{1,20})$/;
const IF_ID_RE = /^if-([0-9]{1,20})-([0-9]{1,10})$/;
const ROUTE_NS_RE = /^rt-([0-9]{1,20}):/;

export function nsId(inode: number): string {
  return `${NS_PREFIX}${inode}`;
}

export function ifId(nsInode: number, ifindex: number): string {
  return `${IF_PREFIX}${nsInode}-${ifindex}`;
}

/** One id per veth pair, whichever end it is built from. */
export function vethLinkId(a: string, b: string): string {
  const [x, y] = a < b ? [a, b] : [b, a];
  return `${VETH_PREFIX}${x}:${y}`;
}

/** The fields of a route that make its id (the rest may change while the route stays). */
export interface RouteKey {
  family: string;
  table: string;
  type: string;
  dst: string;
  dev: string | null;
  gateway: string | null;
  metric: number | null;
}

/** `ordinal` > 1 marks the Nth route of a namespace with the same key. */
export function routeId(nsInode: number, r: RouteKey, ordinal = 1): string {
  const id = `${ROUTE_PREFIX}${nsInode}:${r.family}:${r.table}:${r.type}:${r.dst}:${r.dev ?? ''}:${r.gateway ?? ''}:${r.metric ?? ''}`;
  return ordinal > 1 ? `${id}#${ordinal}` : id;
}

/** The inode in a namespace id, or null when `id` is not one. */
export function parseNsId(id: string): number | null {
  const m = NS_ID_RE.exec(id);
  return m ? Number(m[1]) : null;
}

export function isNsId(id: string): boolean {
  return NS_ID_RE.test(id);
}

export interface IfIdParts {
  nsInode: number;
  ifindex: number;
}

/** The namespace inode and ifindex in an interface id, or null when `id` is not one. */
export function parseIfId(id: string): IfIdParts | null {
  const m = IF_ID_RE.exec(id);
  return m ? { nsInode: Number(m[1]), ifindex: Number(m[2]) } : null;
}

export function isIfId(id: string): boolean {
  return IF_ID_RE.test(id);
}

/** The two interface ids of a veth link id (sorted), or null when `id` is not one. */
export function parseVethLinkId(id: string): { a: string; b: string } | null {
  if (!id.startsWith(VETH_PREFIX)) return null;
  const rest = id.slice(VETH_PREFIX.length);
  const colon = rest.indexOf(':');
  if (colon < 0) return null;
  const a = rest.slice(0, colon);
  const b = rest.slice(colon + 1);
  return isIfId(a) && isIfId(b) ? { a, b } : null;
}

/** The namespace id an interface id belongs to, or null when `id` is not an interface id. */
export function namespaceOfInterface(id: string): string | null {
  const p = parseIfId(id);
  return p ? nsId(p.nsInode) : null;
}

/** The namespace id a route id belongs to, or null when `id` is not a route id. */
export function namespaceOfRoute(id: string): string | null {
  const m = ROUTE_NS_RE.exec(id);
  return m ? nsId(Number(m[1])) : null;
}

/**
 * The namespace any model id concerns: itself for a namespace, its own for an interface or
 * route, the first end's for a veth link (whose ends may sit in two namespaces). Null otherwise.
 */
export function namespaceOfId(id: string): string | null {
  if (isNsId(id)) return id;
  const link = parseVethLinkId(id);
  if (link) return namespaceOfInterface(link.a);
  return namespaceOfInterface(id) ?? namespaceOfRoute(id);
}

/**
 * Hub mode (several nodes on one page): every id an agent sends is prefixed with its node's
 * host name, `<host>/ns-<inode>`, `<host>/if-<inode>-<ifindex>`, ... Single-host mode never
 * builds one, so today's ids stay as they are. A host name is a DNS label or dotted name
 * (what Kubernetes calls a node): lower-case letters, digits, `-` and `.`, never `/`.
 */
const HOST_RE = /^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$/;

export function isHostName(host: string): boolean {
  return HOST_RE.test(host);
}

/** `<host>/<id>`; throws on a host name that could make ids ambiguous. */
export function qualifiedId(host: string, id: string): string {
  if (!isHostName(host)) throw new Error(`invalid host name ${JSON.stringify(host)}`);
  return `${host}/${id}`;
}

export interface QualifiedIdParts {
  host: string;
  /** The id as the node's own agent knows it. */
  local: string;
}

/** The host and the agent's own id in a host-qualified id, or null when `id` is not one. */
export function parseQualifiedId(id: string): QualifiedIdParts | null {
  const slash = id.indexOf('/');
  if (slash <= 0) return null;
  const host = id.slice(0, slash);
  const local = id.slice(slash + 1);
  return isHostName(host) && local.length > 0 ? { host, local } : null;
}

/**
 * Whether `id` is one of an agent's own model ids (namespace, interface, veth link or route):
 * what the hub qualifies in an agent's answers.
 */
export function isLocalModelId(id: string): boolean {
  return isNsId(id) || isIfId(id) || parseVethLinkId(id) !== null || ROUTE_NS_RE.test(id);
}

/** Whether `id` names an edge between two nodes (hub only). */
export function isCrossLinkId(id: string): boolean {
  return id.startsWith('vxlan:') || id.startsWith('geneve:') || id.startsWith('route:');
}

/** The host part of a host-qualified id, or null in single-host mode. */
export function hostOfId(id: string): string | null {
  return parseQualifiedId(id)?.host ?? null;
}

/** The id of an edge between two nodes (hub only): tunnel pairs are unordered, routes point from a to b. */
export function crossLinkId(kind: 'vxlan' | 'geneve' | 'route', a: string, b: string, detail = ''): string {
  const [x, y] = kind !== 'route' && b < a ? [b, a] : [a, b];
  return `${kind}:${x}:${y}${detail ? `:${detail}` : ''}`;
}
