/**
 * The actions API, mounted by the live server at `/api` after its auth, Host/Origin and
 * Content-Type checks. Here: body limits, validation, the work, JSON errors (4xx for anything a
 * user can cause). The routes and their schemas are common/api.ts; README.md describes them.
 */
import express from 'express';
import { z } from 'zod';
import type { NextFunction, Request, Response, Router } from 'express';
import { ACTION_ROUTES } from '../../common/api.js';
import type { ActionName } from '../../common/api.js';
import { Checkpoints } from './checkpoint.js';
import { ActionContext, DEFAULT_CONFIRM_WINDOW_MS } from './context.js';
import type { ActionDepsCore } from './context.js';
import { ActionError } from './errors.js';
import { parseBody } from './validate.js';
import {
  addAddressPlan,
  createBridgePlan,
  deleteInterfacePlan,
  removeAddressPlan,
  setMasterPlan,
  setStatePlan,
} from './iface.js';
import { createNamespacePlan, deleteNamespacePlan } from './namespaces.js';
import type { Plan } from './perform.js';
import { perform, writeAudit } from './perform.js';
import { addRoutePlan, deleteRoutePlan } from './routes.js';
import { vethPlan } from './veth.js';

/** What the live server gives the actions router (the context's own dependencies). */
export type ActionDeps = ActionDepsCore;

const checkpointRequest = z.strictObject({ keep: z.boolean({ error: 'must be true or false' }) });

type PlanFn = (ctx: ActionContext, req: Request) => Plan;

export function actionsRouter(deps: ActionDeps): Router {
  const ctx = new ActionContext(deps);
  const windowMs = deps.confirmWindowMs ?? DEFAULT_CONFIRM_WINDOW_MS;
  const checkpoints = windowMs > 0 ? new Checkpoints(ctx, windowMs, deps.liveConnections ?? null) : null;
  ctx.checkpoints = checkpoints;
  // SIGTERM/SIGINT: nobody is left to confirm, so whatever is pending goes back before we exit.
  if (checkpoints) deps.beforeClose?.(() => checkpoints.rollbackAll('server shutting down'));
  const router = express.Router();
  // Bodies are tiny; express.json skips requests another parser already handled.
  router.use(express.json({ limit: '16kb', strict: true }));

  const body = (req: Request): unknown => req.body;
  // The page is reached over this connection: both its ends must stay routable.
  const reachedBy = (req: Request): string[] =>
    [req.socket.localAddress, req.socket.remoteAddress].filter((a): a is string => !!a);
  const param = (req: Request, name: string): unknown => (req.params as Record<string, unknown>)[name];
  const plans: Record<ActionName, PlanFn> = {
    createVeth: (c, req) => vethPlan(c, body(req), {}, reachedBy(req)),
    deleteInterface: (c, req) => deleteInterfacePlan(c, param(req, 'id')),
    setInterfaceState: (c, req) => setStatePlan(c, param(req, 'id'), body(req)),
    addAddress: (c, req) => addAddressPlan(c, param(req, 'id'), body(req), reachedBy(req)),
    removeAddress: (c, req) => removeAddressPlan(c, param(req, 'id'), body(req)),
    removeAddressByPath: (c, req) => removeAddressPlan(c, param(req, 'id'), { cidr: param(req, 'cidr') }),
    setMaster: (c, req) => setMasterPlan(c, param(req, 'id'), body(req)),
    createBridge: (c, req) => createBridgePlan(c, body(req)),
    addRoute: (c, req) => addRoutePlan(c, body(req), reachedBy(req)),
    removeRoute: (c, req) => deleteRoutePlan(c, body(req)),
    createNamespace: (c, req) => createNamespacePlan(c, body(req)),
    deleteNamespace: (c, req) => deleteNamespacePlan(c, param(req, 'id')),
  };
  // A host change is bound to the live connection the page names (checkpoint.ts).
  const header = (req: Request, name: string): string | null => {
    const v = req.get(name);
    return v && v.length <= 128 ? v : null;
  };
  const bindingOf = (req: Request) => ({ liveConnection: header(req, 'x-live-connection') });
  router.post('/checkpoints/:id', async (req: Request, res: Response) => {
    try {
      const { keep } = parseBody(checkpointRequest, req.body);
      const id = String(req.params.id);
      if (!ctx.checkpoints || !/^cp-[0-9a-f]{8}$/.test(id))
        throw new ActionError(404, 'not_found', `no pending checkpoint ${id.slice(0, 40)}`, 'id');
      const r = await ctx.checkpoints.settle(id, keep, {
        liveConnection: header(req, 'x-live-connection'),
        token: header(req, 'x-checkpoint-token'),
      });
      res.status(200).json({ id, ...r });
    } catch (e) {
      const err = e instanceof ActionError ? e : new ActionError(500, 'internal', 'internal error');
      res.status(err.status).json(err.toBody());
    }
  });

  for (const name of Object.keys(ACTION_ROUTES) as ActionName[]) {
    const route = ACTION_ROUTES[name];
    const plan = plans[name];
    const handler = async (req: Request, res: Response) => {
      const params = { ...(req.params as Record<string, string>), body: req.body as unknown };
      const r = await perform(ctx, route.action, params, () => plan(ctx, req), bindingOf(req));
      // The kernel has changed by now: an answer that breaks the contract is our bug, said loudly.
      if (r.status < 400 && !route.response.safeParse(r.body).success)
        process.stderr.write(`netns-explorer: the answer of ${route.action} does not match common/api.ts\n`);
      res.status(r.status).json(r.body);
    };
    if (route.method === 'POST') router.post(route.path, handler);
    else router.delete(route.path, handler);
  }

  // Body-parser failures (bad JSON, too large, wrong charset) and anything else: JSON, never HTML.
  router.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const status =
      typeof (err as { status?: unknown }).status === 'number' ? (err as { status: number }).status : 500;
    const e =
      err instanceof ActionError
        ? err
        : status === 413
          ? new ActionError(413, 'too_large', 'request body is too large (limit 16 KiB)')
          : status >= 400 && status < 500
            ? new ActionError(status, 'bad_body', `request body is not valid JSON: ${(err as Error).message}`)
            : new ActionError(500, 'internal', 'internal error');
    const final =
      deps.readOnly && e.status < 500
        ? new ActionError(403, 'read_only', 'the server runs with --read-only; changes are refused')
        : e;
    // Exactly one audit line per mutating request, those refused before parsing included.
    writeAudit(ctx, {
      ts: new Date().toISOString(),
      op: 'none',
      action: `${req.method} ${req.path}`.slice(0, 200),
      params: null,
      commands: [],
      status: final.status,
      ok: false,
      error: final.message,
    });
    res.status(final.status).json(final.toBody());
  });
  // No catch-all 404 here: the live server mounts other /api routes beside this router.
  return router;
}
