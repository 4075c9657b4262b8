/**
 * `netns-explorer [serve]`: parses the options, starts the live server with the real discovery,
 * actions and inspect routers, prints the one line with the URL on stdout and logs on stderr.
 * The token appears only in that stdout line, never in a log or a child's argv/env.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { recoverOrphans } from '../actions/recovery.js';
import { actionsRouter } from '../actions/router.js';
import { createDiscovery, namespacePath } from '../discovery/index.js';
import { inspectRouter } from '../inspect/router.js';
import { parseServeArgs, USAGE } from './options.js';
import type { Topology } from '../../common/model.js';
import { parseNsId } from '../../common/ids.js';
import { startServer } from './server.js';
import { hostPort } from './security.js';

function log(line: string): void {
  process.stderr.write(`netns-explorer: ${new Date().toISOString()} ${line}\n`);
}

/** dist/client next to the build (dist/server/live -> dist/client) or in the repo (tsx). */
function findStaticDir(given: string | null): string | null {
  const candidates = given
    ? [given]
    : [
        fileURLToPath(new URL('../../client', import.meta.url)),
        fileURLToPath(new URL('../../dist/client', import.meta.url)),
      ];
  return candidates.find((d) => existsSync(`${d}/index.html`)) ?? null;
}

export async function main(args: string[]): Promise<number> {
  const isRoot = process.getuid?.() === 0;
  const parsed = parseServeArgs(args, process.env, isRoot);
  if (parsed.ok === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (!parsed.ok) {
    process.stderr.write(`netns-explorer: ${parsed.error}\n${USAGE}`);
    return 2;
  }
  const { options, warnings } = parsed;
  for (const w of warnings) log(w);
  if (options.readOnly) log(`read-only: ${options.readOnlyReason ?? ''}`);
  const staticDir = findStaticDir(options.staticDir);
  if (!staticDir)
    log('the page is not built (no dist/client/index.html): run `npm run build`; the API works');

  const discovery = createDiscovery();
  const server = await startServer(
    { ...options, staticDir },
    {
      discovery,
      namespacePath,
      routers: (deps) => [
        inspectRouter({ namespacePath: deps.namespacePath }),
        actionsRouter({
          readOnly: options.readOnly,
          allowHostChanges: options.allowHostChanges,
          auditLogPath: options.auditLogPath,
          ...deps,
        }),
      ],
      log,
    },
  );
  log(
    `listening on ${server.origin} (token ${options.tokenSource === 'env' ? 'from NETNS_EXPLORER_TOKEN' : 'generated'}` +
      `${options.readOnly ? ', read-only' : ''}${options.allowHostChanges ? ', host changes allowed' : ''})`,
  );
  if (!options.readOnly) void recoverCrashedOps(options.auditLogPath, server.scheduler);
  const url = `http://${hostPort(options.host, server.port)}/?token=${encodeURIComponent(options.token)}`;
  process.stdout.write(`netns-explorer: open ${url}\n`);

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

/**
 * Removes devices left by a veth creation that a crashed server never finished (tagged, never
 * committed). Safe beside live requests: ops of this running process are never touched.
 */
async function recoverCrashedOps(
  auditLogPath: string,
  scheduler: { readonly topology: Topology; namespaces(inodes: number[]): void },
): Promise<void> {
  try {
    const report = await recoverOrphans({
      auditLogPath,
      getTopology: () => scheduler.topology,
      namespacePath: (id) => {
        const ns = scheduler.topology.namespaces.find((n) => n.id === id);
        return ns ? namespacePath(ns) : null;
      },
      onKernelChanged: (ids) =>
        scheduler.namespaces(ids.map(parseNsId).filter((i): i is number => i !== null)),
    });
    for (const d of report.deleted) log(`recovery: removed ${d.name} in ${d.namespace} (crashed op ${d.op})`);
    for (const d of report.suspects)
      log(
        `recovery: ${d.name} in ${d.namespace} may be left by crashed op ${d.op} (nothing proves it ours: not removed)`,
      );
    for (const d of report.failed) log(`recovery: could not remove ${d.name} in ${d.namespace}: ${d.error}`);
  } catch (e) {
    log(`recovery failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}
