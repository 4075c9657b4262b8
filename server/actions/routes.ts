/**
 * Route actions. Routes netns-explorer adds carry `proto 252`; in the host namespace a delete
 * without --allow-host-changes also passes `proto 252`, so the kernel itself refuses to remove
 * anyone else's route even if our pre-check raced.
 */
import { routeByIdRequest, routeRequest } from '../../common/api.js';
import type { Route } from '../../common/model.js';
import type { ActionContext, NsRef, Op } from './context.js';
import { ROUTE_PROTO } from './context.js';
import { badRequest, notFound, unprocessable } from './errors.js';
import { hostOf, ipUndo } from './checkpoint.js';
import { guardHostPrefix } from './hostShield.js';
import type { Plan } from './perform.js';
import type { Family } from './validate.js';
import { canonicalNetwork, parseAddr, parseBody } from './validate.js';

export interface RouteSpec {
  ns: NsRef;
  family: Family;
  /** `default` or a canonical CIDR. */
  dst: string;
  gateway: string | null;
  dev: string | null;
  table: string;
  metric: number | null;
}

function spec(ctx: ActionContext, body: unknown): RouteSpec {
  const v = parseBody(routeRequest, body);
  const ns = ctx.ns(v.namespace, 'namespace');
  const dst = v.dst === 'default' ? null : canonicalNetwork(v.dst, 'dst');
  const gw = v.gateway == null ? null : parseAddr(v.gateway, 'gateway'); // '' is an error, not "none"
  const family: Family = dst?.family ?? gw?.family ?? (v.family === 'inet6' ? 6 : 4);
  if (gw && gw.family !== family)
    throw badRequest('the gateway must be of the same address family as the destination', 'gateway');
  if (v.family && v.family !== (family === 4 ? 'inet' : 'inet6'))
    throw badRequest('family does not match the destination', 'family');
  if (!gw && !v.dev) throw badRequest('a route needs a gateway (via) or a device (dev)', 'dev');
  if (v.dev && !ctx.deps.getTopology().interfaces.some((i) => i.namespace === ns.id && i.name === v.dev))
    throw notFound(`device ${v.dev} does not exist in that namespace`, 'dev');
  return {
    ns,
    family,
    dst: dst ? dst.cidr : 'default',
    gateway: gw?.addr ?? null,
    dev: v.dev ?? null,
    table: String(v.table ?? 'main'),
    metric: v.metric ?? null,
  };
}

/** The selector part of an argv, every value after its keyword. Exported for argv tests. */
export function routeArgs(s: RouteSpec): string[] {
  return [
    'to',
    s.dst,
    ...(s.gateway ? ['via', s.gateway] : []),
    ...(s.dev ? ['dev', s.dev] : []),
    'table',
    s.table,
    ...(s.metric !== null ? ['metric', String(s.metric)] : []),
  ];
}

const fam = (s: RouteSpec) => (s.family === 4 ? '-4' : '-6');

/** `reachedBy`: the addresses of the request's connection (server end, browser end). */
export function addRoutePlan(ctx: ActionContext, body: unknown, reachedBy: readonly string[] = []): Plan {
  const s = spec(ctx, body);
  guardHostPrefix(ctx, s.ns, `a host route to ${s.dst}`, { family: s.family, cidr: s.dst }, 'dst', reachedBy);
  return {
    nsIds: [s.ns.id],
    host: hostOf(s.ns),
    async work(op) {
      await op.ip(
        s.ns,
        [fam(s), 'route', 'add', ...routeArgs(s), 'proto', ROUTE_PROTO],
        `adding route ${s.dst}`,
        'dst',
      );
      const undo = [
        ipUndo(
          s.ns,
          [fam(s), 'route', 'del', ...routeArgs(s), 'proto', ROUTE_PROTO],
          `removing route ${s.dst}`,
        ),
      ];
      return { status: 201, body: { route: describe(s) }, undo };
    },
  };
}

function describe(s: RouteSpec) {
  return {
    namespace: s.ns.id,
    family: s.family === 4 ? 'inet' : 'inet6',
    dst: s.dst,
    gateway: s.gateway,
    dev: s.dev,
    table: s.table,
    metric: s.metric,
  };
}

interface KernelRoute {
  dst: string;
  gateway?: string;
  dev?: string;
  metric?: number;
  protocol?: string;
}

/** Routes the kernel holds that a delete with this selector would match. */
async function matching(op: Op, s: RouteSpec): Promise<KernelRoute[]> {
  const exact = s.dst === 'default' ? (s.family === 4 ? '0.0.0.0/0' : '::/0') : s.dst;
  const out = await op.ip(
    s.ns,
    [fam(s), '-j', 'route', 'show', 'table', s.table, 'to', 'exact', exact],
    'reading routes',
    'dst',
  );
  const rows = JSON.parse(out.trim() || '[]') as KernelRoute[];
  return rows.filter(
    (r) =>
      (s.gateway === null || r.gateway === s.gateway) &&
      (s.dev === null || r.dev === s.dev) &&
      (s.metric === null || (r.metric ?? 0) === s.metric),
  );
}

function fromModel(ctx: ActionContext, r: Route): RouteSpec {
  if (r.type !== 'unicast')
    throw unprocessable(`${r.type} routes are managed by the kernel or others, not here`, 'id');
  if (!/^(main|[1-9][0-9]{0,9})$/.test(r.table))
    throw unprocessable(`routes in table ${r.table} cannot be removed here`, 'id');
  const dst = r.dst === 'default' ? 'default' : canonicalNetwork(r.dst, 'id').cidr;
  return {
    ns: ctx.ns(r.namespace, 'id'),
    family: r.family === 'inet' ? 4 : 6,
    dst,
    gateway: r.gateway,
    dev: r.dev,
    table: r.table,
    metric: r.metric,
  };
}

export function deleteRoutePlan(ctx: ActionContext, body: unknown): Plan {
  let s: RouteSpec;
  if (body && typeof body === 'object' && 'id' in body) {
    const { id } = parseBody(routeByIdRequest, body);
    const r = ctx.deps.getTopology().routes.find((x) => x.id === id);
    if (!r) throw notFound(`route ${id} does not exist`, 'id');
    s = fromModel(ctx, r);
  } else s = spec(ctx, body);
  const hostGuarded = s.ns.kind === 'host' && !ctx.deps.allowHostChanges;
  return {
    nsIds: [s.ns.id],
    host: hostOf(s.ns),
    async work(op) {
      const found = await matching(op, s);
      if (found.length === 0) throw notFound(`no route to ${s.dst} matches`, 'dst');
      if (hostGuarded)
        ctx.guardHost(
          s.ns,
          found.every((r) => r.protocol === ROUTE_PROTO),
          `route to ${s.dst}`,
          'dst',
        );
      await op.ip(
        s.ns,
        [fam(s), 'route', 'del', ...routeArgs(s), ...(hostGuarded ? ['proto', ROUTE_PROTO] : [])],
        `removing route ${s.dst}`,
        'dst',
      );
      // Put back as it was, its protocol included (the kernel's own, or another daemon's).
      const proto = found[0]?.protocol;
      const undo = [
        ipUndo(
          s.ns,
          [fam(s), 'route', 'add', ...routeArgs(s), ...(proto ? ['proto', proto] : [])],
          `adding route ${s.dst} back`,
        ),
      ];
      return { status: 200, body: { route: describe(s) }, undo };
    },
  };
}
