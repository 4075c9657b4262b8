/**
 * `netns-explorer agent`: the live server without the page, for one node of a cluster. The same
 * discovery, live snapshot + deltas over `/api/live`, inspect, plus `/api/cluster/{node,overlay}`
 * for the hub. Read-only unless `--allow-changes`. The token must come from NETNS_EXPLORER_TOKEN
 * (the hub is given the same secret); a generated one would be of no use to anyone.
 */
import { hostname } from 'node:os';
import { isHostName } from '../../common/ids.js';
import { namespacePath } from '../discovery/index.js';
import { createBestDiscovery } from '../native/choose.js';
import { parseServeArgs } from '../serveOptions.js';
import type { ServeOptions } from '../serveOptions.js';
import { apiRouters, startServer } from '../serve.js';
import { defaultEventSources } from '../discovery/runtimes/events.js';
import { clusterAgentRouter } from './overlay.js';

export const AGENT_USAGE =
  'usage: netns-explorer agent [--host IP] [--port N] [--allow-remote] [--node-name NAME]\n' +
  '                            [--allow-changes [--allow-host-changes]] [--allow-capture] [--verbose]\n' +
  'Needs NETNS_EXPLORER_TOKEN (shared with the hub). Node name: --node-name, else NODE_NAME, else the host name.\n';

export const DEFAULT_AGENT_PORT = 7879;

export type AgentParse =
  | { ok: true; options: ServeOptions; nodeName: string; warnings: string[] }
  | { ok: false; error: string }
  | { ok: 'help' };

/** Agent flags on top of serve's: read-only by default, a node name, no page. */
export function parseAgentArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  isRoot: boolean,
  systemHostName: string,
): AgentParse {
  const serveArgs: string[] = [];
  let allowChanges = false;
  let allowCapture = false;
  let nodeName = env.NODE_NAME ?? systemHostName.toLowerCase();
  let port = String(DEFAULT_AGENT_PORT);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--allow-changes') allowChanges = true;
    else if (a === '--allow-capture') allowCapture = true;
    else if (a === '--node-name' || a === '--port') {
      const v = argv[++i];
      if (v === undefined || v === '') return { ok: false, error: `${a} needs a value` };
      if (a === '--port') port = v;
      else nodeName = v;
    } else if (['--read-only', '--static-dir', '--confirm-window', '--no-capture'].includes(a)) {
      return { ok: false, error: `${a} does not apply to an agent` };
    } else serveArgs.push(a);
  }
  if (!isHostName(nodeName))
    return { ok: false, error: `--node-name must be a lower-case DNS name, got ${JSON.stringify(nodeName)}` };
  if (env.NETNS_EXPLORER_TOKEN === undefined)
    return { ok: false, error: 'an agent needs NETNS_EXPLORER_TOKEN (the secret the hub presents)' };
  if (!allowChanges && serveArgs.includes('--allow-host-changes'))
    return { ok: false, error: '--allow-host-changes needs --allow-changes' };
  const parsed = parseServeArgs(
    // No packet capture unless the operator allows it: an agent exposes as little as it can.
    [
      ...serveArgs,
      '--port',
      port,
      '--confirm-window',
      '0',
      ...(allowCapture ? [] : ['--no-capture']),
      ...(allowChanges ? [] : ['--read-only']),
    ],
    env,
    isRoot,
  );
  if (parsed.ok !== true) return parsed;
  const options = { ...parsed.options, staticDir: null, captureWhenReadOnly: allowCapture };
  if (!allowChanges) options.readOnlyReason = 'agent mode is read-only without --allow-changes';
  return { ok: true, options, nodeName, warnings: parsed.warnings };
}

function log(line: string): void {
  process.stderr.write(`netns-explorer agent: ${new Date().toISOString()} ${line}\n`);
}

export async function main(args: string[]): Promise<number> {
  const parsed = parseAgentArgs(args, process.env, process.getuid?.() === 0, hostname());
  if (parsed.ok === 'help') {
    process.stdout.write(AGENT_USAGE);
    return 0;
  }
  if (!parsed.ok) {
    process.stderr.write(`netns-explorer agent: ${parsed.error}\n${AGENT_USAGE}`);
    return 2;
  }
  const { options, nodeName } = parsed;
  for (const w of parsed.warnings) log(w);
  const { discovery } = await createBestDiscovery({}, log);
  const server = await startServer(options, {
    discovery,
    namespacePath,
    routers: (model, live) => [clusterAgentRouter(nodeName, model), ...apiRouters(options, model, live)],
    recoverCrashedOps: true,
    runtimeEvents: defaultEventSources(process.env),
    log,
  });
  log(`node ${nodeName} listening on ${server.origin}${options.readOnly ? ' (read-only)' : ''}`);
  process.stdout.write(`netns-explorer agent: node ${nodeName} on ${server.origin}\n`);
  return new Promise<number>((resolve) => {
    const stop = (signal: string): void => {
      log(`${signal}: shutting down`);
      server.close().then(
        () => resolve(0),
        () => resolve(1),
      );
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}
