/**
 * The hub asking one agent: the agents' token as bearer (no Origin: a program, not a page), a
 * JSON body, a deadline. The answer comes back as status + parsed JSON, whatever the status.
 */
import type { Json } from './idTranslate.js';

export interface AgentAnswer {
  status: number;
  body: Json;
}

export class AgentUnreachable extends Error {}

export async function askAgent(
  base: string,
  token: string,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body: Json | undefined,
  timeoutMs = 30_000,
): Promise<AgentAnswer> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(new URL(path, base), {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    throw new AgentUnreachable(e instanceof Error ? e.message : String(e));
  }
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) as Json };
  } catch {
    return {
      status: 502,
      body: { error: { code: 'agent_bad_answer', message: `HTTP ${res.status}, not JSON` } },
    };
  }
}
