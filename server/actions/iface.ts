/**
 * Interface actions: delete, up/down, addresses, bridge membership, new bridges. In the host
 * namespace anything destructive needs the device (or address) to be ours, or --allow-host-changes.
 */
import {
  addressRequest,
  bridgeRequest,
  ifIdParam,
  interfaceStateRequest,
  masterRequest,
} from '../../common/api.js';
import { ifId } from '../../common/ids.js';
import type { Interface } from '../../common/model.js';
import type { ActionContext, NsRef, Op } from './context.js';
import { addressKey, deviceTag, isTagged } from './context.js';
import { ActionError, badRequest, conflict, unprocessable } from './errors.js';
import { guardHostPrefix } from './hostShield.js';
import { randomMac } from './mac.js';
import type { Plan, Result } from './perform.js';
import { perform } from './perform.js';
import type { SagaOptions, SagaStep } from './saga.js';
import { runSaga } from './saga.js';
import { compensationUndo, hostOf, ipUndo } from './checkpoint.js';
import { canonicalCidr, parseBody } from './validate.js';

interface Target {
  iface: Interface;
  ns: NsRef;
}

/** Validates the `:id` path parameter and resolves it against the topology. */
export function target(ctx: ActionContext, id: unknown): Target {
  const { id: valid } = parseBody(ifIdParam, { id });
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

export function setStatePlan(ctx: ActionContext, id: unknown, body: unknown): Plan {
  const t = target(ctx, id);
  const { up } = parseBody(interfaceStateRequest, body);
  return {
    nsIds: [t.ns.id],
    host: hostOf(t.ns),
    async work(op) {
      const fresh = await ownedFresh(ctx, op, t, 'interface');
      await op.ip(
        t.ns,
        ['link', 'set', 'dev', t.iface.name, up ? 'up' : 'down'],
        `setting ${t.iface.name} ${up ? 'up' : 'down'}`,
      );
      const was = fresh.flags?.includes('UP') ? 'up' : 'down';
      const undo = [
        ipUndo(t.ns, ['link', 'set', 'dev', t.iface.name, was], `setting ${t.iface.name} ${was}`),
      ];
      return { status: 200, body: { interface: t.iface.id, up }, undo };
    },
  };
}

export function addAddressPlan(
  ctx: ActionContext,
  id: unknown,
  body: unknown,
  reachedBy: readonly string[] = [],
): Plan {
  const t = target(ctx, id);
  const c = canonicalCidr(parseBody(addressRequest, body).cidr, 'cidr');
  // The address brings a connected route to its subnet: judged like a route to that subnet.
  guardHostPrefix(ctx, t.ns, `address ${c.cidr}`, { family: c.family, cidr: c.cidr }, 'cidr', reachedBy);
  return {
    nsIds: [t.ns.id],
    host: hostOf(t.ns),
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
        undo: [ipUndo(t.ns, ['address', 'del', 'local', c.cidr, 'dev', t.iface.name], `removing ${c.cidr}`)],
      };
    },
  };
}

export function removeAddressPlan(ctx: ActionContext, id: unknown, body: unknown): Plan {
  const t = target(ctx, id);
  const c = canonicalCidr(parseBody(addressRequest, body).cidr, 'cidr');
  const key = addressKey(t.ns.id, t.iface.name, c.cidr);
  return {
    nsIds: [t.ns.id],
    host: hostOf(t.ns),
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
      return {
        status: 200,
        body: { interface: t.iface.id, cidr: c.cidr },
        unmade: { addresses: [key] },
        undo: [
          ipUndo(t.ns, ['address', 'add', 'local', c.cidr, 'dev', t.iface.name], `adding ${c.cidr} back`),
        ],
      };
    },
  };
}

export function setMasterPlan(ctx: ActionContext, id: unknown, body: unknown): Plan {
  const t = target(ctx, id);
  const { bridge } = parseBody(masterRequest, body);
  const br = bridge ? ctx.iface(bridge, 'bridge') : null;
  if (br && br.namespace !== t.iface.namespace)
    throw badRequest('the bridge must be in the same namespace', 'bridge');
  if (br && br.id === t.iface.id) throw badRequest('an interface cannot be its own bridge', 'bridge');
  return {
    nsIds: [t.ns.id],
    host: hostOf(t.ns),
    async work(op) {
      const fresh = await ownedFresh(ctx, op, t, 'interface');
      const back = fresh.master ? ['master', fresh.master] : ['nomaster'];
      const undo = [
        ipUndo(t.ns, ['link', 'set', 'dev', t.iface.name, ...back], `restoring ${t.iface.name}'s bridge`),
      ];
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
      return { status: 200, body: { interface: t.iface.id, bridge: br?.id ?? null }, undo };
    },
  };
}

/**
 * A bridge is made like a veth pair (saga.ts): intent with the MAC first, `ip link add name BR
 * address MAC type bridge`, then the tag and `up`. The fixed MAC also means the bridge keeps its
 * address as ports come and go instead of taking its lowest port's (systemd-networkd does the same).
 */
export function createBridgePlan(ctx: ActionContext, body: unknown, opts: SagaOptions = {}): Plan {
  const v = parseBody(bridgeRequest, body);
  const ns = ctx.ns(v.namespace, 'namespace');
  if (ctx.deps.getTopology().interfaces.some((i) => i.namespace === ns.id && i.name === v.name))
    throw conflict(`${v.name} already exists in that namespace`, 'name');
  const dev = { ns, name: v.name, mac: randomMac() };
  return {
    nsIds: [ns.id],
    reserve: [{ key: `${ns.id}/${v.name}`, field: 'name' }],
    host: hostOf(ns),
    async work(op) {
      if (await op.link(ns, v.name, 'namespace'))
        throw new ActionError(409, 'exists', `${v.name} already exists in that namespace`, 'name');
      const steps: SagaStep[] = [
        {
          ns,
          args: ['link', 'add', 'name', v.name, 'address', dev.mac, 'type', 'bridge'],
          what: `creating bridge ${v.name}`,
          field: 'name',
        },
        // The kernel ignores an alias given to `ip link add`; the tag stays the primary marker.
        {
          ns,
          args: ['link', 'set', 'dev', v.name, 'alias', deviceTag(op.id)],
          what: `tagging ${v.name}`,
          field: 'name',
        },
        ...(v.up
          ? [{ ns, args: ['link', 'set', 'dev', v.name, 'up'], what: `bringing ${v.name} up`, field: 'name' }]
          : []),
      ];
      await runSaga(op, 'bridge.create', [dev], steps, opts);
      const l = await op.link(ns, v.name);
      return {
        status: 201,
        body: { id: l ? ifId(ns.inode, l.ifindex) : null, namespace: ns.id, name: v.name, up: v.up },
        undo: [compensationUndo([dev], `removing bridge ${v.name}`)],
      };
    },
  };
}

/** Creates a bridge with test hooks (crash and failure injection); not reachable over HTTP. */
export function createBridge(ctx: ActionContext, body: unknown, opts: SagaOptions = {}): Promise<Result> {
  return perform(ctx, 'bridge.create', body, () => createBridgePlan(ctx, body, opts));
}
