/**
 * `POST /api/trace` (see README.md in this folder). Mounted by the server under /api after auth
 * and the Origin/Content-Type checks; it only reads the kernel, so it is allowed when the server
 * is read-only, except the probe, which sends traffic (needs --allow-probe then).
 */
import express from 'express';
import type { NextFunction, Request, Response, Router } from 'express';
import type { Topology } from '../../common/model.js';
import type { TraceResponse } from '../../common/trace.js';
import { ActionError } from '../actions/errors.js';
import { TraceContext } from './context.js';
import { sendProbe } from './probe.js';
import type { TraceReader } from './reader.js';
import { chooseTraceReader } from './nativeReader.js';
import { trace } from './trace.js';
import type { TracePolicy } from './validate.js';
import { validateTrace } from './validate.js';

export interface TraceDeps extends TracePolicy {
  getTopology(): Topology;
  namespacePath(id: string): string | null;
  reader?: TraceReader;
  sendProbe?: typeof sendProbe;
}

let chosen: TraceReader | null = null;
/** One reader for the server's life: the native one keeps rulesets between traces. */
const defaultReader = (): TraceReader => (chosen ??= chooseTraceReader());

/** Validates, traces and (when asked) probes; throws ActionError for what a caller got wrong. */
export async function runTrace(deps: TraceDeps, body: unknown): Promise<TraceResponse> {
  const topology = deps.getTopology();
  const { req, target } = validateTrace(body, topology, deps);
  const reader = deps.reader ?? defaultReader();
  reader.retain?.(new Set(topology.namespaces.map((n) => n.inode)));
  const ctx = new TraceContext(topology, deps.namespacePath, reader);
  const path = ctx.path(req.from);
  const [result, probe] = await Promise.all([
    trace(ctx, req, target),
    req.probe
      ? (deps.sendProbe ?? sendProbe)(path, req.protocol, target.addr, req.port ?? null)
      : Promise.resolve(null),
  ]);
  let disagreement: string | null = null;
  if (probe && result.verdict !== 'unknown' && probe.ok !== (result.verdict === 'reachable'))
    disagreement = `the trace predicts ${result.verdict}, but the probe ${probe.ok ? 'got through' : `failed (${probe.error ?? 'no answer'})`}`;
  return { ...result, probe, disagreement };
}

export function traceRouter(deps: TraceDeps): Router {
  const router = express.Router();
  router.use('/trace', express.json({ limit: '4kb', strict: true }));
  router.post('/trace', async (req: Request, res: Response) => {
    res.json(await runTrace(deps, req.body as unknown));
  });
  router.use('/trace', (err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    if (err instanceof ActionError) return void res.status(err.status).json(err.toBody());
    const status = (err as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500)
      return void res.status(status).json({
        error: { code: 'bad_body', message: `request body is not valid JSON: ${(err as Error).message}` },
      });
    const message = err instanceof Error ? err.message : String(err);
    res.status(502).json({ error: { code: 'trace_failed', message } });
  });
  return router;
}
