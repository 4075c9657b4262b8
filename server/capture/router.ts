/**
 * `/api/captures`: start (POST), list (GET), download the pcapng (GET .../pcapng), stop or
 * forget (DELETE). Mounted behind the server's auth and mutation checks like every API router.
 * With `--no-capture` every route answers 403 and nothing is ever started.
 */
import express from 'express';
import type { Request, Response } from 'express';
import { CaptureRequestSchema } from '../../common/capture.js';
import type { CaptureManager } from './manager.js';

export interface CaptureRouterDeps {
  /** null: capturing is turned off (`--no-capture`). */
  manager: CaptureManager | null;
}

const ID = /^cap-[0-9a-f]{12}$/;

function fail(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ error: { code, message } });
}

/** Who asked, for the audit log: how they authenticated and from where (never the credential). */
export function requester(req: Request, res: Response): string {
  const via = typeof res.locals.authVia === 'string' ? res.locals.authVia : 'unknown';
  return `${via} ${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`;
}

export function captureRouter(deps: CaptureRouterDeps): express.Router {
  const router = express.Router();
  router.use('/captures', (_req, res, next) => {
    if (deps.manager) return next();
    fail(res, 403, 'capture_disabled', 'packet capture is turned off on this server (--no-capture)');
  });

  router.post('/captures', async (req: Request, res: Response) => {
    const manager = deps.manager!;
    const parsed = CaptureRequestSchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.join('.') || 'body';
      return fail(res, 400, 'bad_request', `${field}: ${issue.message}`);
    }
    const r = await manager.start(parsed.data, requester(req, res));
    if (!r.ok) return fail(res, r.status, r.code, r.message);
    res.status(201).json({ id: r.capture.id, capture: r.capture });
  });

  router.get('/captures', (_req, res) => {
    res.json({ captures: deps.manager!.list() });
  });

  router.get('/captures/:id', (req, res) => {
    const s = ID.test(req.params.id) ? deps.manager!.get(req.params.id) : undefined;
    if (!s) return fail(res, 404, 'not_found', `no capture ${req.params.id}`);
    res.json(s.info());
  });

  router.get('/captures/:id/pcapng', (req, res) => {
    const s = ID.test(req.params.id) ? deps.manager!.get(req.params.id) : undefined;
    if (!s) return fail(res, 404, 'not_found', `no capture ${req.params.id}`);
    const blocks = s.pcapng();
    res.setHeader('Content-Type', 'application/x-pcapng');
    res.setHeader('Content-Disposition', `attachment; filename="${s.id}.pcapng"`);
    res.setHeader('Content-Length', String(blocks.reduce((n, b) => n + b.length, 0)));
    for (const b of blocks) res.write(b);
    res.end();
  });

  router.delete('/captures/:id', async (req, res) => {
    const info = ID.test(req.params.id) ? await deps.manager!.delete(req.params.id) : null;
    if (!info) return fail(res, 404, 'not_found', `no capture ${req.params.id}`);
    res.json(info);
  });

  return router;
}
