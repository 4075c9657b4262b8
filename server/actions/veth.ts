/**
 * Veth creation as a saga: one atomic `ip link add name A type veth peer name B netns PATH`
 * (both ends exist or neither does), then tags, addresses and state; any later failure runs the
 * compensation (`ip link del dev A` removes both ends) and reports what, if anything, is left.
 */
import { z } from 'zod';
import { ifId, vethLinkId } from '../../common/model.js';
import type { ActionContext, NsRef, Op } from './context.js';
import { TAG_PREFIX } from './context.js';
import { ActionError, badRequest, conflict, ipFailure } from './errors.js';
import type { Plan, Result } from './perform.js';
import { perform } from './perform.js';
import type { Cidr } from './validate.js';
import { canonicalCidr, cidrText, ifName, nsIdSchema, parseBody } from './validate.js';

const endSchema = z.strictObject({
  namespace: nsIdSchema,
  name: ifName,
  address: cidrText.nullish(),
});
export const vethBody = z.strictObject({
  a: endSchema,
  b: endSchema,
  up: z.boolean({ error: 'must be true or false' }).default(true),
});
export type VethBody = z.input<typeof vethBody>;

interface End {
  key: 'a' | 'b';
  ns: NsRef;
  name: string;
  cidr: Cidr | null;
}

interface Step {
  ns: NsRef;
  args: string[];
  what: string;
  field?: string;
}

export interface VethOptions {
  /** Test hook: pretend the step with this 1-based number failed right after it succeeded. */
  failAfterStep?: number;
  /**
   * Test hook, awaited after each step succeeds: a promise that never settles (and a process that
   * is then SIGKILLed) simulates a crash between steps.
   */
  afterStep?: (step: number) => Promise<void> | void;
}

/** Steps of a plan, all argv computed before the first mutation. Exported for argv tests. */
export function vethSteps(a: End, b: End, up: boolean, opId: string): Step[] {
  const sameNs = a.ns.id === b.ns.id;
  const tag = `${TAG_PREFIX}${opId}`;
  const steps: Step[] = [
    {
      ns: a.ns,
      args: [
        'link',
        'add',
        'name',
        a.name,
        'type',
        'veth',
        'peer',
        'name',
        b.name,
        ...(sameNs ? [] : ['netns', b.ns.path]),
      ],
      what: `creating veth ${a.name}/${b.name}`,
      field: 'a.name',
    },
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

function planEnds(ctx: ActionContext, body: unknown): { a: End; b: End; up: boolean } {
  const v = parseBody(vethBody, body);
  const end = (key: 'a' | 'b'): End => {
    const e = v[key];
    const ns = ctx.ns(e.namespace, `${key}.namespace`);
    // An empty string is an error like any other bad CIDR (omit the field for "no address").
    const cidr = e.address == null ? null : canonicalCidr(e.address, `${key}.address`);
    if (ctx.deps.getTopology().interfaces.some((i) => i.namespace === ns.id && i.name === e.name))
      throw conflict(`${e.name} already exists in that namespace`, `${key}.name`);
    return { key, ns, name: e.name, cidr };
  };
  const a = end('a');
  const b = end('b');
  if (a.ns.id === b.ns.id && a.name === b.name)
    throw badRequest('both ends have the same name in the same namespace', 'b.name');
  return { a, b, up: v.up };
}

/** Removes whatever exists of the pair; returns what could not be removed (`nsId/name`). */
async function compensate(op: Op, a: End, b: End): Promise<string[]> {
  await op.tryIp(a.ns, ['link', 'del', 'dev', a.name]);
  // Only a half that carries this operation's tag is ours to remove by itself.
  const lb = await op.link(b.ns, b.name).catch(() => null);
  if (lb?.ifalias === `${TAG_PREFIX}${op.id}`) await op.tryIp(b.ns, ['link', 'del', 'dev', b.name]);
  const residue: string[] = [];
  for (const e of [a, b]) {
    const l = await op.link(e.ns, e.name).catch(() => null);
    if (l && (e === a || l.ifalias === `${TAG_PREFIX}${op.id}`)) residue.push(`${e.ns.id}/${e.name}`);
  }
  return residue;
}

export function vethPlan(ctx: ActionContext, body: unknown, opts: VethOptions = {}): Plan {
  const { a, b, up } = planEnds(ctx, body);
  return {
    nsIds: [...new Set([a.ns.id, b.ns.id])],
    reserve: [
      { key: `${a.ns.id}/${a.name}`, field: 'a.name' },
      { key: `${b.ns.id}/${b.name}`, field: 'b.name' },
    ],
    async work(op) {
      for (const e of [a, b])
        if (await op.link(e.ns, e.name, `${e.key}.namespace`))
          throw new ActionError(409, 'exists', `${e.name} already exists in that namespace`, `${e.key}.name`);
      const steps = vethSteps(a, b, up, op.id);
      const journal = op.ctx.intents;
      // Durable before the first mutation: if the process dies mid-way, recoverOrphans() finds it.
      try {
        journal.begin(
          op.id,
          'veth.create',
          [a, b].map((e) => ({ nsId: e.ns.id, nsInode: e.ns.inode, name: e.name })),
        );
      } catch (e) {
        throw new ActionError(503, 'journal', `cannot write the intent journal: ${String(e)}`);
      }
      const finish = (state: 'committed' | 'rolledBack' | 'failed', residue?: string[]) => {
        try {
          journal.end(op.id, state, residue);
        } catch (e) {
          // The kernel already changed; the audit line still records the outcome.
          process.stderr.write(`netns-explorer: cannot write intent journal ${journal.path}: ${String(e)}\n`);
        }
      };
      let created = false;
      let failedStep = 0;
      try {
        for (const [i, s] of steps.entries()) {
          failedStep = i + 1;
          const r = await op.tryIp(s.ns, s.args);
          // A timed-out create may still have happened in the kernel: compensate then too.
          if (i === 0 && (r.exitCode === 0 || r.timedOut)) created = true;
          if (r.exitCode !== 0 || r.timedOut) throw ipFailure(r, s.what, s.field);
          await opts.afterStep?.(i + 1);
          if (opts.failAfterStep === i + 1)
            throw new ActionError(500, 'injected', `injected failure after step ${i + 1}`);
        }
      } catch (e) {
        if (!created) {
          finish('rolledBack');
          throw e;
        }
        const err = e instanceof ActionError ? e : new ActionError(500, 'internal', String(e));
        const residue = await compensate(op, a, b);
        const rolledBack = residue.length === 0;
        // `failed` leaves the tagged residue to recoverOrphans() at the next start.
        finish(rolledBack ? 'rolledBack' : 'failed', residue);
        throw new ActionError(
          err.status,
          err.code,
          `${err.message}; ${rolledBack ? 'everything made was removed' : `could not remove ${residue.join(', ')}`}`,
          err.field,
          { rolledBack, residue, failedStep },
        );
      }
      finish('committed');
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
      };
    },
  };
}

/** Creates a veth pair; the only way to inject failures (not reachable over HTTP). */
export function createVeth(ctx: ActionContext, body: unknown, opts: VethOptions = {}): Promise<Result> {
  return perform(ctx, 'veth.create', body, () => vethPlan(ctx, body, opts));
}
