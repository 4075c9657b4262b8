/**
 * `/api/captures` on the hub: the same API as one server (common/capture.ts), each capture run by
 * the agent of the node owning its interfaces, with the agents' token. The hub gives each capture
 * an id of its own (`cap-<12 hex>`, what the page expects) and keeps which node and which agent
 * capture it is. The agent decides and enforces its limits; the hub also holds the single-host
 * count (4 running at once). An agent without `--allow-capture` refuses (403 naming the node).
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
import express from 'express';
import type { Request, Response } from 'express';
import type { WebSocket } from 'ws';
import { CAPTURE_LIMITS } from '../../common/capture.js';
import type { CaptureInfo } from '../../common/capture.js';
import { requester } from '../capture/router.js';
import { askAgent, AgentUnreachable } from './agentClient.js';
import type { AgentAnswer } from './agentClient.js';
import { RelayedCapture } from './captureRelay.js';
import { localiseCaptureRequest, qualifyCapture } from './captureTranslate.js';
import type { Json } from './idTranslate.js';

const ID = /^cap-[0-9a-f]{12}$/;
const KEEP_ENDED = 4;

export interface HubCaptureDeps {
  agentUrlOf(host: string): string | null;
  agentToken: string;
  log(line: string): void;
  maxRunning?: number;
}

export type CaptureUpgradeAnswer =
  { accept(ws: WebSocket): void } | { status: 403 | 404 | 503; reason: string };

type Failure = { status: number; code: string; message: string };

function fail(res: Response, f: Failure, field?: string): void {
  res.status(f.status).json({ error: { code: f.code, message: f.message, ...(field ? { field } : {}) } });
}

function errorOf(body: Json): { code: string; message: string } {
  const e = body !== null && typeof body === 'object' && !Array.isArray(body) ? body.error : null;
  if (e !== null && typeof e === 'object' && !Array.isArray(e) && e !== undefined)
    return { code: String(e.code ?? 'agent_error'), message: String(e.message ?? '') };
  return { code: 'agent_error', message: 'no error message' };
}

export class HubCaptures {
  private readonly captures = new Map<string, RelayedCapture>();
  private starting = 0;

  constructor(private readonly deps: HubCaptureDeps) {}

  private async ask(host: string, method: 'GET' | 'POST' | 'DELETE', path: string, body?: Json) {
    const base = this.deps.agentUrlOf(host);
    if (base === null) return { status: 404, code: 'unknown_node', message: `no agent for node ${host}` };
    try {
      return await askAgent(base, this.deps.agentToken, method, path, body);
    } catch (e) {
      if (!(e instanceof AgentUnreachable)) throw e;
      return { status: 502, code: 'agent_unreachable', message: `node ${host}: ${e.message}` };
    }
  }

  /** An agent's refusal, naming the node (capture off there: the flag that turns it on). */
  private refusal(host: string, a: AgentAnswer): Failure {
    const e = errorOf(a.body);
    // A read-only agent without --allow-capture refuses at its read-only check, before the capture router.
    if (a.status === 403 && (e.code === 'capture_disabled' || e.code === 'read_only'))
      return {
        status: 403,
        code: 'capture_disabled',
        message: `node ${host} does not allow packet capture (its agent runs without --allow-capture)`,
      };
    return { status: a.status, code: e.code, message: `node ${host}: ${e.message}` };
  }

  private runningCount(): number {
    return [...this.captures.values()].filter((c) => c.running).length + this.starting;
  }

  async start(
    body: unknown,
    who: string,
  ): Promise<{ ok: true; capture: CaptureInfo } | ({ ok: false; field?: string } & Failure)> {
    const req = localiseCaptureRequest(body);
    if (!req.ok)
      return { ok: false, status: 400, code: 'bad_request', message: req.message, field: req.field };
    const max = this.deps.maxRunning ?? CAPTURE_LIMITS.maxRunning;
    if (this.runningCount() >= max)
      return {
        ok: false,
        status: 429,
        code: 'too_many_captures',
        message: `at most ${max} captures can run at once; stop one (DELETE /api/captures/<id>) first`,
      };
    const { host } = req;
    this.starting++;
    try {
      const a = await this.ask(host, 'POST', '/api/captures', req.request as unknown as Json);
      if ('code' in a) return { ok: false, ...a };
      if (a.status !== 201) return { ok: false, ...this.refusal(host, a) };
      const answer = a.body as unknown as { id: string; capture: CaptureInfo };
      const hubId = `cap-${randomBytes(6).toString('hex')}`;
      const relay = new RelayedCapture(
        hubId,
        host,
        answer.id,
        qualifyCapture(host, hubId, answer.capture),
        this.deps.log,
      );
      try {
        await relay.open(this.deps.agentUrlOf(host) ?? '', this.deps.agentToken);
      } catch (e) {
        // Without the hub's stream nothing would end it with the hub: stop it now.
        relay.closeAgent();
        await this.ask(host, 'DELETE', `/api/captures/${answer.id}`);
        const why = e instanceof Error ? e.message : String(e);
        return {
          ok: false,
          status: 502,
          code: 'agent_unreachable',
          message: `node ${host}: live stream: ${why}`,
        };
      }
      this.captures.set(hubId, relay);
      this.dropOldEnded();
      this.deps.log(`capture ${hubId} = ${answer.id} on node ${host} started by ${who}`);
      return { ok: true, capture: relay.info };
    } finally {
      this.starting--;
    }
  }

  private dropOldEnded(): void {
    const ended = [...this.captures.values()].filter((c) => !c.running);
    for (const c of ended.slice(0, Math.max(0, ended.length - KEEP_ENDED))) this.captures.delete(c.hubId);
  }

  get(id: string): RelayedCapture | undefined {
    return ID.test(id) ? this.captures.get(id) : undefined;
  }

  list(): CaptureInfo[] {
    return [...this.captures.values()].map((c) => c.info);
  }

  /** The agent's current view of one capture (its last one known if the agent cannot say). */
  async fresh(c: RelayedCapture): Promise<CaptureInfo> {
    const a = await this.ask(c.host, 'GET', `/api/captures/${c.agentId}`);
    if ('code' in a || a.status !== 200) return c.info;
    if (!c.running) return c.info;
    return qualifyCapture(c.host, c.hubId, a.body as unknown as CaptureInfo);
  }

  /** Stops a running capture on its node (kept for download) or forgets an ended one. */
  async delete(c: RelayedCapture): Promise<{ ok: true; info: CaptureInfo } | ({ ok: false } & Failure)> {
    // Asked before the call: the agent's `ended` reaches the relay while the DELETE is answered.
    const wasRunning = c.running;
    const a = await this.ask(c.host, 'DELETE', `/api/captures/${c.agentId}`);
    if (!wasRunning) {
      // Forgotten here whatever the agent says (it may have dropped or lost it already).
      this.captures.delete(c.hubId);
      return { ok: true, info: c.info };
    }
    if ('code' in a) return { ok: false, ...a };
    if (a.status !== 200 && a.status !== 404) return { ok: false, ...this.refusal(c.host, a) };
    c.closeAgent();
    if (a.status === 200) c.info = qualifyCapture(c.host, c.hubId, a.body as unknown as CaptureInfo);
    return { ok: true, info: c.info };
  }

  /** The pcapng from the node's agent, streamed through (the agent's file, named by the hub's id). */
  async download(c: RelayedCapture, res: Response): Promise<void> {
    const base = this.deps.agentUrlOf(c.host);
    if (base === null)
      return fail(res, { status: 404, code: 'unknown_node', message: `no agent for node ${c.host}` });
    let answer: globalThis.Response;
    try {
      answer = await fetch(new URL(`/api/captures/${c.agentId}/pcapng`, base), {
        headers: { authorization: `Bearer ${this.deps.agentToken}` },
        signal: AbortSignal.timeout(120_000),
      });
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      return fail(res, { status: 502, code: 'agent_unreachable', message: `node ${c.host}: ${why}` });
    }
    if (answer.status !== 200 || !answer.body) {
      const text = await answer.text();
      let body: Json = null;
      try {
        body = JSON.parse(text) as Json;
      } catch {
        // not JSON
      }
      return fail(res, this.refusal(c.host, { status: answer.status, body }));
    }
    res.setHeader('Content-Type', 'application/x-pcapng');
    res.setHeader('Content-Disposition', `attachment; filename="${c.hubId}.pcapng"`);
    const length = answer.headers.get('content-length');
    if (length !== null && /^[0-9]+$/.test(length)) res.setHeader('Content-Length', length);
    Readable.fromWeb(answer.body as ReadableStream<Uint8Array>).pipe(res);
  }

  upgrade(pathname: string): CaptureUpgradeAnswer | null {
    const m = /^\/api\/captures\/(cap-[0-9a-f]{12})\/live$/.exec(pathname);
    if (!m && !pathname.startsWith('/api/captures/')) return null;
    const c = m ? this.captures.get(m[1]!) : undefined;
    if (!c) return { status: 404, reason: 'no such capture' };
    const refused = c.refusal();
    if (refused) return { status: 503, reason: refused };
    return { accept: (ws) => c.accept(ws) };
  }

  /** Hub shutdown: every running capture is stopped on its node, its browsers let go. */
  async closeAll(): Promise<void> {
    await Promise.all(
      [...this.captures.values()].map(async (c) => {
        c.closeBrowsers();
        if (c.running) await this.ask(c.host, 'DELETE', `/api/captures/${c.agentId}`).catch(() => null);
        c.closeAgent();
      }),
    );
  }
}

export function hubCaptureRouter(captures: HubCaptures): express.Router {
  const router = express.Router();
  const wrap =
    (fn: (req: Request, res: Response) => Promise<void>) =>
    (req: Request, res: Response, next: express.NextFunction): void => {
      fn(req, res).catch(next);
    };
  const notFound = (res: Response, id: string): void =>
    fail(res, { status: 404, code: 'not_found', message: `no capture ${id}` });

  router.post(
    '/captures',
    wrap(async (req, res) => {
      const r = await captures.start(req.body ?? {}, requester(req, res));
      if (!r.ok) return fail(res, r, r.field);
      res.status(201).json({ id: r.capture.id, capture: r.capture });
    }),
  );
  router.get('/captures', (_req, res) => {
    res.json({ captures: captures.list() });
  });
  router.get(
    '/captures/:id',
    wrap(async (req, res) => {
      const c = captures.get(String(req.params.id));
      if (!c) return notFound(res, String(req.params.id));
      res.json(await captures.fresh(c));
    }),
  );
  router.get(
    '/captures/:id/pcapng',
    wrap(async (req, res) => {
      const c = captures.get(String(req.params.id));
      if (!c) return notFound(res, String(req.params.id));
      await captures.download(c, res);
    }),
  );
  router.delete(
    '/captures/:id',
    wrap(async (req, res) => {
      const c = captures.get(String(req.params.id));
      if (!c) return notFound(res, String(req.params.id));
      const r = await captures.delete(c);
      if (!r.ok) return fail(res, r);
      res.json(r.info);
    }),
  );
  return router;
}
