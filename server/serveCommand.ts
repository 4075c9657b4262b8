/**
 * `netns-explorer [serve]`: parses the options, starts the live server (serve.ts) with the real
 * discovery, actions and inspect routers, prints the one line with the URL on stdout and logs on stderr.
 * The token appears only in that stdout line, never in a log or a child's argv/env.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createDiscovery, namespacePath } from './discovery/index.js';
import { DEFAULT_EVENT_SOURCES } from './discovery/runtimes/events.js';
import { parseServeArgs, USAGE } from './serveOptions.js';
import { apiRouters, startServer } from './serve.js';
import { hostPort } from './http/security.js';

function log(line: string): void {
  process.stderr.write(`netns-explorer: ${new Date().toISOString()} ${line}\n`);
}

/** dist/client next to the build (dist/server -> dist/client) or in the repo (tsx). */
function findStaticDir(given: string | null): string | null {
  const candidates = given
    ? [given]
    : [
        fileURLToPath(new URL('../client', import.meta.url)),
        fileURLToPath(new URL('../dist/client', import.meta.url)),
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
      routers: (model) => apiRouters(options, model),
      recoverCrashedOps: true,
      runtimeEvents: DEFAULT_EVENT_SOURCES,
      log,
    },
  );
  log(
    `listening on ${server.origin} (token ${options.tokenSource === 'env' ? 'from NETNS_EXPLORER_TOKEN' : 'generated'}` +
      `${options.readOnly ? ', read-only' : ''}${options.allowHostChanges ? ', host changes allowed' : ''})`,
  );
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
