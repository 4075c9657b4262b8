/**
 * Named namespaces: `ip netns add NAME` / `ip netns del NAME`, run in the server's own namespaces
 * (they only bind-mount under /run/netns). Only namespaces made here may be deleted unless
 * --allow-host-changes, and never one whose deletion would take a foreign host veth with it.
 */
import { lstatSync } from 'node:fs';
import { namespaceRequest, NETNS_NAME_RE, nsIdParam } from '../../common/api.js';
import { nsId } from '../../common/ids.js';
import type { ActionContext } from './context.js';
import { isTagged } from './context.js';
import { ActionError, conflict, forbidden, ipFailure, notFound, unprocessable } from './errors.js';
import type { Plan } from './perform.js';
import { openIntent } from './saga.js';
import { parseBody } from './validate.js';

export const RUN_NETNS = '/run/netns';
const ledgerKey = (name: string, inode: number) => `${name}@${inode}`;

function lstatOrNull(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

export function createNamespacePlan(ctx: ActionContext, body: unknown): Plan {
  const { name } = parseBody(namespaceRequest, body);
  if (lstatOrNull(`${RUN_NETNS}/${name}`)) throw conflict(`a namespace named ${name} already exists`, 'name');
  return {
    nsIds: [],
    reserve: [{ key: `netns/${name}`, field: 'name' }],
    async work(op) {
      // `ip netns add` takes nothing but the name: unlike a device, a namespace cannot carry a
      // marker from its creation on, so one left by a crash here cannot be told from one a user
      // made later under the same name. The intent lets recovery report it (never delete it).
      const finish = openIntent(ctx.intents, op.id, 'namespace.create', [], name);
      const r = await op.tryIp(null, ['netns', 'add', name]);
      if (r.exitCode !== 0 || r.timedOut) {
        // ip removes its half-made file itself on failure; a timeout leaves us unsure.
        finish(r.timedOut ? 'failed' : 'rolledBack');
        throw ipFailure(r, `creating namespace ${name}`, 'name');
      }
      finish('committed');
      const st = lstatOrNull(`${RUN_NETNS}/${name}`);
      const id = st ? nsId(st.ino) : null;
      if (id) ctx.deps.onKernelChanged([id]);
      return { status: 201, body: { id, name }, made: { namespaces: st ? [ledgerKey(name, st.ino)] : [] } };
    },
  };
}

export function deleteNamespacePlan(ctx: ActionContext, id: unknown): Plan {
  const { id: valid } = parseBody(nsIdParam, { id });
  const ns = ctx.ns(valid, 'id');
  if (ns.kind === 'host') throw forbidden('host_protected', 'the host namespace cannot be deleted', 'id');
  const names = ns.netnsNames.filter((n) => NETNS_NAME_RE.test(n));
  if (names.length === 0) throw unprocessable('only named namespaces (ip netns) can be deleted', 'id');
  const name =
    names.find((n) => ctx.ledger.namespaces.has(ledgerKey(n, ns.inode))) ??
    (ctx.deps.allowHostChanges ? names[0] : undefined);
  if (!name)
    throw forbidden(
      'not_owned',
      `namespace ${names[0]} was not created by netns-explorer; start with --allow-host-changes to delete it`,
      'id',
    );
  const topo = ctx.deps.getTopology();
  const hostPeers = topo.interfaces
    .filter((i) => i.namespace === ns.id && i.peer)
    .map((i) => topo.interfaces.find((p) => p.id === i.peer))
    .filter((p) => p !== undefined && topo.namespaces.find((n) => n.id === p.namespace)?.kind === 'host');
  return {
    nsIds: [ns.id, ...new Set(hostPeers.map((p) => p!.namespace))],
    async work(op) {
      const st = lstatOrNull(`${RUN_NETNS}/${name}`);
      if (!st) throw notFound(`namespace ${name} no longer exists`, 'id');
      if (!st.isFile() || st.ino !== ns.inode)
        throw new ActionError(409, 'stale', `${RUN_NETNS}/${name} now denotes another namespace`, 'id');
      for (const p of hostPeers) {
        const hostNs = ctx.ns(p!.namespace, 'id');
        const l = await op.link(hostNs, p!.name);
        if (l && l.ifindex === p!.ifindex)
          ctx.guardHost(
            hostNs,
            isTagged(l),
            `host veth ${p!.name} (peer of a device in this namespace)`,
            'id',
          );
      }
      await op.ip(null, ['netns', 'del', name], `deleting namespace ${name}`, 'id');
      return {
        status: 200,
        body: { deleted: ns.id, name },
        unmade: { namespaces: [ledgerKey(name, ns.inode)] },
      };
    },
  };
}
