/**
 * The hub serves the same API as a single server: an action or a trace asked of the hub for a
 * host-qualified id is forwarded to the agent of that node (ids localised on the way in,
 * qualified on the way out, idTranslate.ts), with the agents' token. The agent decides: a
 * read-only agent refuses a change before anything runs, and the hub says which node refused.
 * A trace that leaves its node toward another is continued there (traceAcross.ts).
 */
import express from 'express';
import type { Request, Response, Router } from 'express';
import { ACTION_ROUTES, actionPath } from '../../common/api.js';
import type { ActionName } from '../../common/api.js';
import { isHostName } from '../../common/ids.js';
import { askAgent, AgentUnreachable } from './agentClient.js';
import type { AgentAnswer } from './agentClient.js';
import { localiseParam, localiseRequest, qualifyAnswer } from './idTranslate.js';
import type { Json } from './idTranslate.js';

export interface AgentDirectory {
  /** The URL of the agent serving `host`, or null. */
  agentUrlOf(host: string): string | null;
}

export interface HubProxyDeps extends AgentDirectory {
  agentToken: string;
  log(line: string): void;
  /** Continues a trace on other nodes (traceAcross.ts); absent: the node's answer as is. */
  continueTrace?(host: string, request: Json, answer: Json): Promise<Json>;
}

function fail(res: Response, status: number, code: string, message: string, field?: string): void {
  res.status(status).json({ error: { code, message, ...(field ? { field } : {}) } });
}

/** Path parameters that hold model ids (the rest, e.g. `cidr`, are passed as they are). */
const ID_PARAMS = new Set(['id']);

/** Asks `host`'s agent; the answer's ids qualified, a read-only refusal naming the node. */
export async function askNode(
  deps: HubProxyDeps,
  host: string,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body: Json | undefined,
): Promise<AgentAnswer> {
  const base = deps.agentUrlOf(host);
  if (base === null)
    return { status: 404, body: { error: { code: 'unknown_node', message: `no agent for node ${host}` } } };
  let answer: AgentAnswer;
  try {
    answer = await askAgent(base, deps.agentToken, method, path, body);
  } catch (e) {
    if (!(e instanceof AgentUnreachable)) throw e;
    return {
      status: 502,
      body: { error: { code: 'agent_unreachable', message: `node ${host}: ${e.message}` } },
    };
  }
  const err = errorOf(answer.body);
  if (answer.status === 403 && err?.code === 'read_only')
    return {
      status: 403,
      body: {
        error: {
          code: 'read_only',
          message: `node ${host} is read-only (its agent runs without --allow-changes)`,
        },
      },
    };
  return { status: answer.status, body: qualifyAnswer(host, answer.body) };
}

function errorOf(body: Json): { code: string; message: string } | null {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return null;
  const e = body.error;
  if (e === null || typeof e !== 'object' || Array.isArray(e)) return null;
  return typeof e.code === 'string' && typeof e.message === 'string'
    ? { code: e.code, message: e.message }
    : null;
}

/** `{node: "node-b", ...}`: which node a request that holds no id is for (namespace creation). */
function takeNode(body: Json): { node: string | null; rest: Json } {
  if (body === null || typeof body !== 'object' || Array.isArray(body) || !('node' in body))
    return { node: null, rest: body };
  const { node, ...rest } = body;
  return { node: typeof node === 'string' ? node : '', rest };
}

async function forwardAction(
  deps: HubProxyDeps,
  name: ActionName,
  req: Request,
  res: Response,
): Promise<void> {
  const route = ACTION_ROUTES[name];
  let host: string | null = null;
  const params: Record<string, string> = {};
  for (const [key, raw] of Object.entries(req.params as Record<string, string>)) {
    if (!ID_PARAMS.has(key)) {
      params[key] = raw;
      continue;
    }
    const p = localiseParam(raw, key);
    if (!p.ok) return fail(res, 400, 'invalid', p.message, p.field);
    host = p.host;
    params[key] = p.value as string;
  }
  const { node, rest } = takeNode((req.body as Json | undefined) ?? {});
  if (node !== null) {
    if (!isHostName(node)) return fail(res, 400, 'invalid', 'node: must be a node name', 'node');
    if (host !== null && host !== node)
      return fail(res, 400, 'invalid', `node: ${node}, but the id names node ${host}`, 'node');
    host = node;
  }
  const body = localiseRequest(rest, host);
  if (!body.ok) return fail(res, 400, 'invalid', body.message, body.field);
  if (body.host === null)
    return fail(res, 400, 'invalid', 'node: the hub needs to know which node (give "node")', 'node');
  const answer = await askNode(deps, body.host, route.method, `/api${actionPath(name, params)}`, body.value);
  deps.log(`${route.action} on node ${body.host}: ${answer.status}`);
  res.status(answer.status).json(answer.body);
}

export function hubProxyRouter(deps: HubProxyDeps): Router {
  const router = express.Router();
  for (const name of Object.keys(ACTION_ROUTES) as ActionName[]) {
    const route = ACTION_ROUTES[name];
    const handler = (req: Request, res: Response, next: express.NextFunction): void => {
      forwardAction(deps, name, req, res).catch(next);
    };
    if (route.method === 'POST') router.post(route.path, handler);
    else router.delete(route.path, handler);
  }
  router.post('/trace', (req: Request, res: Response, next: express.NextFunction) => {
    const ask = async (): Promise<void> => {
      const body = localiseRequest((req.body as Json | undefined) ?? {}, null);
      if (!body.ok) return fail(res, 400, 'invalid', body.message, body.field);
      if (body.host === null)
        return fail(res, 400, 'invalid', 'from: must be a host-qualified namespace id', 'from');
      const answer = await askNode(deps, body.host, 'POST', '/api/trace', body.value);
      if (answer.status !== 200 || !deps.continueTrace)
        return void res.status(answer.status).json(answer.body);
      res.json(await deps.continueTrace(body.host, body.value, answer.body));
    };
    ask().catch(next);
  });
  return router;
}
