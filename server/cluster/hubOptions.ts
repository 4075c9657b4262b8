/**
 * Options of `netns-explorer hub`, parsed into a plain value (no side effects). Agents come from
 * `--agent URL` (repeatable) and/or `--agents-dns NAME` (a headless Service: every A record is an
 * agent at `--agent-port`). Browsers use NETNS_EXPLORER_TOKEN (else a generated one); agents
 * are given NETNS_EXPLORER_AGENT_TOKEN, which is required.
 */
import { isIP } from 'node:net';
import { generateToken, isLoopback } from '../serveOptions.js';

export interface HubOptions {
  host: string;
  port: number;
  agents: string[];
  agentsDns: string | null;
  agentPort: number;
  token: string;
  tokenSource: 'env' | 'generated';
  agentToken: string;
  staticDir: string | null;
}

export const HUB_USAGE =
  'usage: netns-explorer hub (--agent URL ... | --agents-dns NAME [--agent-port N]) [--host IP] [--port N]\n' +
  '                          [--allow-remote] [--static-dir DIR]\n' +
  'Agents are reached with NETNS_EXPLORER_AGENT_TOKEN; browsers with NETNS_EXPLORER_TOKEN (else generated).\n';

export type HubParse = { ok: true; options: HubOptions } | { ok: false; error: string } | { ok: 'help' };

const DNS_NAME_RE = /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/;

/** An agent URL: http(s), an IP or name, a port, nothing else (no credentials, path or query). */
export function checkAgentUrl(text: string): string | null {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return `--agent: not a URL: ${JSON.stringify(text)}`;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return `--agent: must be http(s), got ${u.protocol}`;
  if (u.username || u.password || u.search || u.hash || (u.pathname !== '/' && u.pathname !== ''))
    return `--agent: only scheme, host and port, got ${JSON.stringify(text)}`;
  return null;
}

function portOf(name: string, text: string): number | string {
  if (!/^[0-9]{1,5}$/.test(text) || Number(text) > 65535)
    return `${name} must be 0-65535, got ${JSON.stringify(text)}`;
  return Number(text);
}

export function parseHubArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): HubParse {
  const agents: string[] = [];
  const values = new Map<string, string>();
  let allowRemote = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h') return { ok: 'help' };
    if (a === '--allow-remote') {
      allowRemote = true;
      continue;
    }
    if (!['--agent', '--agents-dns', '--agent-port', '--host', '--port', '--static-dir'].includes(a))
      return { ok: false, error: `unknown argument ${JSON.stringify(a)}` };
    const v = argv[++i];
    if (v === undefined || v === '') return { ok: false, error: `${a} needs a value` };
    if (a === '--agent') {
      const bad = checkAgentUrl(v);
      if (bad) return { ok: false, error: bad };
      agents.push(new URL(v).origin);
    } else values.set(a, v);
  }
  const agentsDns = values.get('--agents-dns') ?? null;
  if (agentsDns !== null && !DNS_NAME_RE.test(agentsDns))
    return { ok: false, error: `--agents-dns must be a DNS name, got ${JSON.stringify(agentsDns)}` };
  if (agents.length === 0 && agentsDns === null)
    return { ok: false, error: 'give --agent URL or --agents-dns NAME' };
  const host = values.get('--host') ?? '127.0.0.1';
  if (isIP(host) === 0)
    return { ok: false, error: `--host must be an IP address, got ${JSON.stringify(host)}` };
  if (!isLoopback(host) && !allowRemote)
    return { ok: false, error: `refusing to listen on non-loopback ${host} without --allow-remote` };
  const port = portOf('--port', values.get('--port') ?? '7878');
  const agentPort = portOf('--agent-port', values.get('--agent-port') ?? '7879');
  if (typeof port === 'string') return { ok: false, error: port };
  if (typeof agentPort === 'string') return { ok: false, error: agentPort };
  const agentToken = env.NETNS_EXPLORER_AGENT_TOKEN;
  if (agentToken === undefined || agentToken.length < 16)
    return { ok: false, error: 'NETNS_EXPLORER_AGENT_TOKEN must be set (16+ characters): the agents token' };
  const envToken = env.NETNS_EXPLORER_TOKEN;
  if (envToken !== undefined && envToken.length < 16)
    return { ok: false, error: 'NETNS_EXPLORER_TOKEN must be at least 16 characters' };
  return {
    ok: true,
    options: {
      host,
      port,
      agents: [...new Set(agents)],
      agentsDns,
      agentPort,
      token: envToken ?? generateToken(),
      tokenSource: envToken !== undefined ? 'env' : 'generated',
      agentToken,
      staticDir: values.get('--static-dir') ?? null,
    },
  };
}
