/**
 * `netns-explorer [serve]`: parses the options, starts the live server (serve.ts) with the real
 * discovery, actions and inspect routers, prints the one line with the URL on stdout and logs on stderr.
 * The token appears only in that stdout line when stdout is a terminal (else in a root-only file
 * or the caller's environment), never in a log or a child's argv/env.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { namespacePath } from './discovery/index.js';
import { createBestDiscovery } from './native/choose.js';
import { defaultEventSources } from './discovery/runtimes/events.js';
import { parseServeArgs, USAGE } from './serveOptions.js';
import { apiRouters, listenServer } from './serve.js';
import { hostPort } from './http/security.js';
import { removeTokenFile, startupLine, writeTokenFile } from './startupLine.js';
import { extractHistoryArgs, HISTORY_USAGE } from './history/options.js';
import { openHistory } from './history/open.js';
import { historyRouter } from './history/router.js';

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
  const historyArgs = extractHistoryArgs(args);
  if (!historyArgs.ok) {
    process.stderr.write(`netns-explorer: ${historyArgs.error}\n${USAGE}${HISTORY_USAGE}`);
    return 2;
  }
  const parsed = parseServeArgs(historyArgs.rest, process.env, isRoot);
  if (parsed.ok === 'help') {
    process.stdout.write(USAGE + HISTORY_USAGE);
    return 0;
  }
  if (!parsed.ok) {
    process.stderr.write(`netns-explorer: ${parsed.error}\n${USAGE}${HISTORY_USAGE}`);
    return 2;
  }
  const { options, warnings } = parsed;
  for (const w of warnings) log(w);
  if (options.readOnly) log(`read-only: ${options.readOnlyReason ?? ''}`);
  const staticDir = findStaticDir(options.staticDir);
  if (!staticDir)
    log('the page is not built (no dist/client/index.html): run `npm run build`; the API works');

  const history = openHistory(historyArgs.options, log);
  // The native reader (no process per read) when it was built, else ip: said in one log line.
  const { discovery } = await createBestDiscovery({}, log);
  // Listens before the first read: the page shows its progress (seconds at 1,000 namespaces).
  const server = await listenServer(
    { ...options, staticDir },
    {
      discovery,
      namespacePath,
      routers: (model, live, beforeClose) => [
        historyRouter({ query: history?.query ?? null }),
        ...apiRouters(options, model, live, beforeClose),
      ],
      history: history?.recorder ?? null,
      recoverCrashedOps: true,
      runtimeEvents: defaultEventSources(process.env),
      log,
    },
  );
  log(
    `listening on ${server.origin} (token ${options.tokenSource === 'env' ? 'from NETNS_EXPLORER_TOKEN' : 'generated'}` +
      `${options.readOnly ? ', read-only' : ''}${options.allowHostChanges ? ', host changes allowed' : ''})`,
  );
  const stdoutIsTerminal = process.stdout.isTTY === true;
  let tokenFile: string | null = null;
  if (!stdoutIsTerminal && options.tokenSource === 'generated') {
    try {
      tokenFile = writeTokenFile(options.token, server.port);
    } catch (e) {
      log(`cannot write the token file: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  process.stdout.write(
    startupLine({
      origin: `http://${hostPort(options.host, server.port)}`,
      token: options.token,
      stdoutIsTerminal,
      tokenSource: options.tokenSource,
      tokenFile,
    }),
  );

  return new Promise<number>((resolve) => {
    server.ready.catch((e: unknown) => {
      log(`first discovery failed: ${e instanceof Error ? e.message : String(e)}`);
      removeTokenFile(tokenFile);
      void server.close().finally(() => resolve(1));
    });
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      log(`${signal}: shutting down`);
      removeTokenFile(tokenFile);
      server
        .close()
        .finally(() => history?.recorder.close())
        .then(
          () => resolve(0),
          () => resolve(1),
        );
    };
    // `on`, not `once`: execa's exit hook (registered at the first child, which now comes after
    // these, since the server listens before its first read) re-raises a signal that no other
    // listener is left to handle, and a `once` listener is gone by the time it looks.
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });
}
