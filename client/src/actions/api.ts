/**
 * Same-origin calls to the actions API (the auth cookie rides along), typed from the shared
 * contract (common/api.ts): the request body and the answer of each route are the contract's,
 * so a renamed field fails the type check here as on the server. Errors surface the server's
 * message and the field it names; nothing here changes the picture, which only follows the stream.
 */
import { ACTION_ROUTES, actionPath } from '../../../common/api.js';
import type { ActionName, ActionRequest, ActionResponse, HubActionRequest } from '../../../common/api.js';
import { liveConnectionHeaders, noteCheckpoint } from './checkpoints.js';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly field?: string,
    readonly rolledBack?: boolean,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The parts of an error answer the page shows; read defensively (a proxy may answer instead). */
function errorOf(json: unknown, status: number): ApiError {
  const body = typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {};
  const err =
    typeof body.error === 'object' && body.error !== null ? (body.error as Record<string, unknown>) : {};
  const message = typeof err.message === 'string' ? err.message : `request failed with HTTP ${status}`;
  const field = typeof err.field === 'string' ? err.field : undefined;
  const rolledBack = typeof body.rolledBack === 'boolean' ? body.rolledBack : undefined;
  return new ApiError(message, status, field, rolledBack);
}

/**
 * Calls one action (on a hub page, a request that holds no id also names its `node`). `params` fills the route's `:name` path segments (e.g. `{ id }` for
 * `/interfaces/:id/state`); a missing one throws before anything is sent.
 */
export async function callAction<N extends ActionName>(
  name: N,
  body: ActionRequest<N> | HubActionRequest<N>,
  params: Readonly<Record<string, string>> = {},
): Promise<ActionResponse<N>> {
  const path = actionPath(name, params);
  let res: Response;
  try {
    res = await fetch(`/api${path}`, {
      method: ACTION_ROUTES[name].method,
      headers: { 'Content-Type': 'application/json', ...liveConnectionHeaders() },
      credentials: 'same-origin',
      body: JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(`could not reach the server: ${e instanceof Error ? e.message : String(e)}`, 0);
  }
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // a proxy or auth page answered with non-JSON
  }
  if (!res.ok) throw errorOf(json, res.status);
  noteCheckpoint(json, `${ACTION_ROUTES[name].action}`);
  // The server checks its answers against the same contract before sending them.
  return (json ?? {}) as ActionResponse<N>;
}
