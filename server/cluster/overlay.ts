/**
 * Agent side of the cluster API, mounted at /api after auth:
 * - `GET /api/cluster/node`: the node's host name (what the hub qualifies ids with);
 * - `GET /api/cluster/overlay`: the VXLAN facts of every namespace whose model holds a vxlan
 *   device (read on demand, one `ip` and one `bridge` run per such namespace, nothing kept open),
 *   and the Geneve facts of every namespace holding a geneve device (one `ip` run each).
 */
import express from 'express';
import { parseNsId } from '../../common/ids.js';
import type { GeneveFact, VxlanFact } from '../../common/cluster.js';
import type { ModelAccess } from '../modelAccess.js';
import { IP, NSENTER, runOk } from '../exec/run.js';
import { parseGeneveFacts, parseVxlanFacts } from './overlayParse.js';

const BRIDGE = '/usr/sbin/bridge';

export async function readVxlanFacts(model: Pick<ModelAccess, 'getTopology' | 'namespacePath'>): Promise<{
  facts: VxlanFact[];
  geneve: GeneveFact[];
  errors: string[];
}> {
  const nsIds = new Set(
    model
      .getTopology()
      .interfaces.filter((i) => i.kind === 'vxlan')
      .map((i) => i.namespace),
  );
  const facts: VxlanFact[] = [];
  const geneve: GeneveFact[] = [];
  const errors: string[] = [];
  const geneveNs = new Set(
    model
      .getTopology()
      .interfaces.filter((i) => i.kind === 'geneve')
      .map((i) => i.namespace),
  );
  for (const id of [...geneveNs].sort()) {
    const path = model.namespacePath(id);
    const inode = parseNsId(id);
    if (path === null || inode === null) continue;
    try {
      const links = await runOk(
        NSENTER,
        [`--net=${path}`, IP, '-j', '-d', 'link', 'show', 'type', 'geneve'],
        {
          timeoutMs: 5000,
        },
      );
      geneve.push(...parseGeneveFacts(inode, links));
    } catch (e) {
      errors.push(`${id}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  for (const id of [...nsIds].sort()) {
    const path = model.namespacePath(id);
    const inode = parseNsId(id);
    if (path === null || inode === null) continue;
    try {
      const links = await runOk(NSENTER, [`--net=${path}`, IP, '-j', '-d', 'link', 'show', 'type', 'vxlan'], {
        timeoutMs: 5000,
      });
      const fdb = await runOk(NSENTER, [`--net=${path}`, BRIDGE, '-j', 'fdb', 'show'], { timeoutMs: 5000 });
      facts.push(...parseVxlanFacts(inode, links, fdb));
    } catch (e) {
      errors.push(`${id}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return { facts, geneve, errors };
}

export function clusterAgentRouter(
  nodeName: string,
  model: Pick<ModelAccess, 'getTopology' | 'namespacePath'>,
): express.Router {
  const router = express.Router();
  router.get('/cluster/node', (_req, res) => {
    res.json({ host: nodeName });
  });
  router.get('/cluster/overlay', (_req, res, next) => {
    readVxlanFacts(model).then((r) => res.json(r), next);
  });
  return router;
}
