/**
 * Veth creation as a saga (saga.ts): one atomic `ip link add name A address MAC_A type veth peer
 * name B address MAC_B netns PATH` (both ends exist or neither does), then tags, addresses and
 * state; any later failure runs the compensation (`ip link del dev A` removes both ends) and
 * reports what, if anything, is left.
 */
import { vethRequest } from '../../common/api.js';
import { ifId, vethLinkId } from '../../common/ids.js';
import type { ActionContext, NsRef } from './context.js';
import { deviceTag } from './context.js';
import { ActionError, badRequest, conflict } from './errors.js';
import { compensationUndo, hostOf } from './checkpoint.js';
import { guardHostPrefix } from './hostShield.js';
import { randomMac } from './mac.js';
import type { Plan, Result } from './perform.js';
import { perform } from './perform.js';
import type { SagaOptions, SagaStep } from './saga.js';
import { runSaga } from './saga.js';
import type { Cidr } from './validate.js';
import { canonicalCidr, parseBody } from './validate.js';

interface End {
  key: 'a' | 'b';
  ns: NsRef;
  name: string;
  cidr: Cidr | null;
  /** Chosen here and given in the create, so the end is ours before it is tagged (mac.ts). */
  mac: string;
}

export type VethOptions = SagaOptions;

/** Steps of a plan, all argv computed before the first mutation. Exported for argv tests. */
export function vethSteps(a: End, b: End, up: boolean, opId: string): SagaStep[] {
  const sameNs = a.ns.id === b.ns.id;
  const tag = deviceTag(opId);
  const steps: SagaStep[] = [
    {
      ns: a.ns,
      args: [
        'link',
        'add',
        'name',
        a.name,
        'address',
        a.mac,
        'type',
        'veth',
        'peer',
        'name',
        b.name,
        'address',
        b.mac,
        ...(sameNs ? [] : ['netns', b.ns.path]),
      ],
      what: `creating veth ${a.name}/${b.name}`,
      field: 'a.name',
    },
    // The kernel ignores an alias given to `ip link add`: the tag, still the primary marker of
    // what we made, needs its own commands.
    { ns: a.ns, args: ['link', 'set', 'dev', a.name, 'alias', tag], what: `tagging ${a.name}` },
    { ns: b.ns, args: ['link', 'set', 'dev', b.name, 'alias', tag], what: `tagging ${b.name}` },
  ];
  for (const e of [a, b]) {
    if (e.cidr)
      steps.push({
        ns: e.ns,
        args: ['address', 'add', 'local', e.cidr.cidr, 'dev', e.name],
        what: `adding ${e.cidr.cidr} to ${e.name}`,
        field: `${e.key}.address`,
      });
  }
  if (up)
    for (const e of [a, b])
      steps.push({ ns: e.ns, args: ['link', 'set', 'dev', e.name, 'up'], what: `bringing ${e.name} up` });
  return steps;
}

function planEnds(
  ctx: ActionContext,
  body: unknown,
  reachedBy: readonly string[],
): { a: End; b: End; up: boolean } {
  const v = parseBody(vethRequest, body);
  const end = (key: 'a' | 'b'): End => {
    const e = v[key];
    const ns = ctx.ns(e.namespace, `${key}.namespace`);
    // An empty string is an error like any other bad CIDR (omit the field for "no address").
    const cidr = e.address == null ? null : canonicalCidr(e.address, `${key}.address`);
    if (cidr) guardHostPrefix(ctx, ns, `address ${cidr.cidr}`, cidr, `${key}.address`, reachedBy);
    if (ctx.deps.getTopology().interfaces.some((i) => i.namespace === ns.id && i.name === e.name))
      throw conflict(`${e.name} already exists in that namespace`, `${key}.name`);
    return { key, ns, name: e.name, cidr, mac: randomMac() };
  };
  const a = end('a');
  const b = end('b');
  if (a.ns.id === b.ns.id && a.name === b.name)
    throw badRequest('both ends have the same name in the same namespace', 'b.name');
  return { a, b, up: v.up };
}

export function vethPlan(
  ctx: ActionContext,
  body: unknown,
  opts: VethOptions = {},
  reachedBy: readonly string[] = [],
): Plan {
  const { a, b, up } = planEnds(ctx, body, reachedBy);
  return {
    nsIds: [...new Set([a.ns.id, b.ns.id])],
    reserve: [
      { key: `${a.ns.id}/${a.name}`, field: 'a.name' },
      { key: `${b.ns.id}/${b.name}`, field: 'b.name' },
    ],
    host: hostOf(a.ns, b.ns),
    async work(op) {
      for (const e of [a, b])
        if (await op.link(e.ns, e.name, `${e.key}.namespace`))
          throw new ActionError(409, 'exists', `${e.name} already exists in that namespace`, `${e.key}.name`);
      await runSaga(op, 'veth.create', [a, b], vethSteps(a, b, up, op.id), opts);
      const ids: string[] = [];
      for (const e of [a, b]) {
        const l = await op.link(e.ns, e.name);
        ids.push(l ? ifId(e.ns.inode, l.ifindex) : '');
      }
      const end = (e: End, id: string) => ({
        id,
        namespace: e.ns.id,
        name: e.name,
        address: e.cidr?.cidr ?? null,
      });
      return {
        status: 201,
        body: {
          link: ids[0] && ids[1] ? vethLinkId(ids[0], ids[1]) : null,
          a: end(a, ids[0] ?? ''),
          b: end(b, ids[1] ?? ''),
          up,
          rolledBack: false,
        },
        undo: [compensationUndo([a, b], `removing veth ${a.name}/${b.name}`)],
      };
    },
  };
}

/** Creates a veth pair; the only way to inject failures (not reachable over HTTP). */
export function createVeth(ctx: ActionContext, body: unknown, opts: VethOptions = {}): Promise<Result> {
  return perform(ctx, 'veth.create', body, () => vethPlan(ctx, body, opts));
}
