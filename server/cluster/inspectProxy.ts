/**
 * The hub's side-panel views (`GET /api/namespaces/<host>/ns-<inode>/sockets|firewall`): asked
 * of the agent of that node with the agents' token, its answer passed back as is. Read-only:
 * nothing else is forwarded.
 */
import express from 'express';
import { isNsId, parseQualifiedId } from '../../common/ids.js';

const VIEWS = new Set(['sockets', 'firewall']);

function fail(res: express.Response, status: number, code: string, message: string): void {
  res.status(status).json({ error: { code, message } });
}

export function inspectProxyRouter(
  agentUrlOf: (host: string) => string | null,
  agentToken: string,
): express.Router {
  const router = express.Router();
  router.get('/namespaces/:id/:view', async (req, res) => {
    const id = String(req.params.id ?? '');
    const view = String(req.params.view ?? '');
    const q = parseQualifiedId(id);
    if (!q || !isNsId(q.local))
      return fail(res, 400, 'bad_id', 'namespace id must look like <host>/ns-<inode> on a hub');
    if (!VIEWS.has(view)) return fail(res, 404, 'not_found', `no view ${JSON.stringify(view)}`);
    const base = agentUrlOf(q.host);
    if (base === null) return fail(res, 404, 'unknown_node', `no agent for node ${q.host}`);
    try {
      const answer = await fetch(new URL(`/api/namespaces/${q.local}/${view}`, base), {
        headers: { authorization: `Bearer ${agentToken}` },
        signal: AbortSignal.timeout(15_000),
      });
      res
        .status(answer.status)
        .type('application/json')
        .send(await answer.text());
    } catch (e) {
      fail(res, 502, 'agent_unreachable', `node ${q.host}: ${e instanceof Error ? e.message : String(e)}`);
    }
  });
  return router;
}
