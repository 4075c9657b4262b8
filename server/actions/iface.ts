/**
 * Interface actions: delete, up/down, addresses, bridge membership, new bridges. In the host
 * namespace anything destructive needs the device (or address) to be ours, or --allow-host-changes.
 */
import { z } from 'zod';
import { ifId } from '../../common/model.js';
import type { Interface } from '../../common/model.js';
import type { ActionContext, NsRef, Op } from './context.js';
import { addressKey, isTagged, TAG_PREFIX } from './context.js';
import { ActionError, badRequest, conflict, ipFailure, unprocessable } from './errors.js';
import type { Plan } from './perform.js';
import { canonicalCidr, cidrText, ifIdSchema, ifName, nsIdSchema, parseBody } from './validate.js';

interface Target {
  iface: Interface;
  ns: NsRef;
}

/** Validates the `:id` path parameter and resolves it against the topology. */
export function target(ctx: ActionContext, id: unknown): Target {
  const { id: valid } = parseBody(z.strictObject({ id: ifIdSchema }), { id });
  const iface = ctx.iface(valid, 'id');
  return { iface, ns: ctx.ns(iface.namespace, 'id') };
}

async function ownedFresh(ctx: ActionContext, op: Op, t: Target, what: string) {
  const fresh = await op.freshIface(t.iface, t.ns, 'id');
  ctx.guardHost(t.ns, isTagged(fresh), `${what} ${t.iface.name}`, 'id');
  return fresh;
}

export function deleteInterfacePlan(ctx: ActionContext, id: unknown): Plan {
  const t = target(ctx, id);
  if (t.iface.kind === 'loopback') throw unprocessable('the loopback device cannot be deleted', 'id');
  const peer = t.iface.peer
    ? ctx.deps.getTopology().interfaces.find((i) => i.id === t.iface.peer)
    : undefined;
  const peerNs = peer ? ctx.ns(peer.namespace, 'id') : undefined;
  return {
    nsIds: [t.ns.id, ...(peerNs && peerNs.id !== t.ns.id ? [peerNs.id] : [])],
    async work(op) {
      await ownedFresh(ctx, op, t, 'interface');
      // Deleting one veth end deletes the other: the peer must be deletable as well.
      if (peer && peerNs) {
        const lp = await op.link(peerNs, peer.name);
        if (lp && lp.ifindex === peer.ifindex)
          ctx.guardHost(peerNs, isTagged(lp), `veth peer ${peer.name}`, 'id');
      }
      await op.ip(t.ns, ['link', 'del', 'dev', t.iface.name], `deleting ${t.iface.name}`, 'id');
      return { status: 200, body: { deleted: [t.iface.id, ...(peer ? [peer.id] : [])] } };
    },
  };
}

const stateBody = z.strictObject({ up: z.boolean({ error: 'must be true or false' }) });

export function setStatePlan(ctx: ActionContext, id: unknown, body: unknown): Plan {
  const t = target(ctx, id);
  const { up } = parseBody(stateBody, body);
  return {
    nsIds: [t.ns.id],
    async work(op) {
      await ownedFresh(ctx, op, t, 'interface');
      await op.ip(
        t.ns,
        ['link', 'set', 'dev', t.iface.name, up ? 'up' : 'down'],
        `setting ${t.iface.name} ${up ? 'up' : 'down'}`,
      );
      return { status: 200, body: { interface: t.iface.id, up } };
    },
  };
}

const addrBody = z.strictObject({ cidr: cidrText });

export function addAddressPlan(ctx: ActionContext, id: unknown, body: unknown): Plan {
  const t = target(ctx, id);
  const c = canonicalCidr(parseBody(addrBody, body).cidr, 'cidr');
  return {
    nsIds: [t.ns.id],
    async work(op) {
      // Adding is allowed everywhere, the host included.
      await op.freshIface(t.iface, t.ns, 'id');
      await op.ip(
        t.ns,
        ['address', 'add', 'local', c.cidr, 'dev', t.iface.name],
        `adding ${c.cidr} to ${t.iface.name}`,
        'cidr',
      );
      return {
        status: 201,
        body: { interface: t.iface.id, cidr: c.cidr },
        made: { addresses: [addressKey(t.ns.id, t.iface.name, c.cidr)] },
      };
    },
  };
}

export function removeAddressPlan(ctx: ActionContext, id: unknown, body: unknown): Plan {
  const t = target(ctx, id);
  const c = canonicalCidr(parseBody(addrBody, body).cidr, 'cidr');
  const key = addressKey(t.ns.id, t.iface.name, c.cidr);
  return {
    nsIds: [t.ns.id],
    async work(op) {
      const fresh = await op.freshIface(t.iface, t.ns, 'id');
      ctx.guardHost(
        t.ns,
        isTagged(fresh) || ctx.ledger.addresses.has(key),
        `address ${c.cidr} on ${t.iface.name}`,
        'cidr',
      );
      await op.ip(
        t.ns,
        ['address', 'del', 'local', c.cidr, 'dev', t.iface.name],
        `removing ${c.cidr} from ${t.iface.name}`,
        'cidr',
      );
      return { status: 200, body: { interface: t.iface.id, cidr: c.cidr }, unmade: { addresses: [key] } };
    },
  };
}

const masterBody = z.strictObject({ bridge: ifIdSchema.nullable() });

export function setMasterPlan(ctx: ActionContext, id: unknown, body: unknown): Plan {
  const t = target(ctx, id);
  const { bridge } = parseBody(masterBody, body);
  const br = bridge ? ctx.iface(bridge, 'bridge') : null;
  if (br && br.namespace !== t.iface.namespace)
    throw badRequest('the bridge must be in the same namespace', 'bridge');
  if (br && br.id === t.iface.id) throw badRequest('an interface cannot be its own bridge', 'bridge');
  return {
    nsIds: [t.ns.id],
    async work(op) {
      await ownedFresh(ctx, op, t, 'interface');
      if (br) {
        const fb = await op.freshIface(br, t.ns, 'bridge');
        if (fb.linkinfo?.info_kind !== 'bridge') throw unprocessable(`${br.name} is not a bridge`, 'bridge');
        await op.ip(
          t.ns,
          ['link', 'set', 'dev', t.iface.name, 'master', br.name],
          `attaching ${t.iface.name} to ${br.name}`,
          'bridge',
        );
      } else {
        await op.ip(t.ns, ['link', 'set', 'dev', t.iface.name, 'nomaster'], `detaching ${t.iface.name}`);
      }
      return { status: 200, body: { interface: t.iface.id, bridge: br?.id ?? null } };
    },
  };
}

const bridgeBody = z.strictObject({
  namespace: nsIdSchema,
  name: ifName,
  up: z.boolean({ error: 'must be true or false' }).default(true),
});

export function createBridgePlan(ctx: ActionContext, body: unknown): Plan {
  const v = parseBody(bridgeBody, body);
  const ns = ctx.ns(v.namespace, 'namespace');
  if (ctx.deps.getTopology().interfaces.some((i) => i.namespace === ns.id && i.name === v.name))
    throw conflict(`${v.name} already exists in that namespace`, 'name');
  return {
    nsIds: [ns.id],
    reserve: [{ key: `${ns.id}/${v.name}`, field: 'name' }],
    async work(op) {
      if (await op.link(ns, v.name, 'namespace'))
        throw new ActionError(409, 'exists', `${v.name} already exists in that namespace`, 'name');
      await op.ip(ns, ['link', 'add', 'name', v.name, 'type', 'bridge'], `creating bridge ${v.name}`, 'name');
      const rest = [
        ['link', 'set', 'dev', v.name, 'alias', `${TAG_PREFIX}${op.id}`],
        ...(v.up ? [['link', 'set', 'dev', v.name, 'up']] : []),
      ];
      for (const args of rest) {
        const r = await op.tryIp(ns, args);
        if (r.exitCode !== 0 || r.timedOut) {
          await op.tryIp(ns, ['link', 'del', 'dev', v.name]);
          const residue = (await op.link(ns, v.name).catch(() => null)) ? [`${ns.id}/${v.name}`] : [];
          const e = ipFailure(r, `setting up bridge ${v.name}`, 'name');
          throw new ActionError(e.status, e.code, e.message, e.field, {
            rolledBack: residue.length === 0,
            residue,
          });
        }
      }
      const l = await op.link(ns, v.name);
      return {
        status: 201,
        body: { id: l ? ifId(ns.inode, l.ifindex) : null, namespace: ns.id, name: v.name, up: v.up },
      };
    },
  };
}
