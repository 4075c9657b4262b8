/** `netns-explorer hub`: parses the options, starts the hub server, one line on stdout. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { removeTokenFile, startupLine, writeTokenFile } from '../startupLine.js';
import { HUB_USAGE, parseHubArgs } from './hubOptions.js';
import { startHub } from './hubServer.js';

function log(line: string): void {
  process.stderr.write(`netns-explorer hub: ${new Date().toISOString()} ${line}\n`);
}

/** dist/client: beside the build (dist/server/cluster -> dist/client) or in the repository (tsx). */
function findStaticDir(given: string | null): string | null {
  const candidates = given
    ? [given]
    : [
        // From the sources, ../../client is the page's unbuilt index.html: look for the build first.
        fileURLToPath(new URL('../../dist/client', import.meta.url)),
        fileURLToPath(new URL('../../client', import.meta.url)),
      ];
  return candidates.find((d) => existsSync(`${d}/index.html`) && existsSync(`${d}/assets`)) ?? null;
}

export async function main(args: string[]): Promise<number> {
  const parsed = parseHubArgs(args, process.env);
  if (parsed.ok === 'help') {
    process.stdout.write(HUB_USAGE);
    return 0;
  }
  if (!parsed.ok) {
    process.stderr.write(`netns-explorer hub: ${parsed.error}\n${HUB_USAGE}`);
    return 2;
  }
  const o = parsed.options;
  const staticDir = findStaticDir(o.staticDir);
  if (!staticDir) log('the page is not built (no dist/client/index.html); the API works');
  const hub = await startHub({ ...o, staticDir, log });
  log(
    `listening on ${hub.origin}; agents: ${[...o.agents, ...(o.agentsDns ? [`dns:${o.agentsDns}`] : [])].join(' ')}`,
  );
  const stdoutIsTerminal = process.stdout.isTTY === true;
  let tokenFile: string | null = null;
  if (!stdoutIsTerminal && o.tokenSource === 'generated') tokenFile = writeTokenFile(o.token, hub.port);
  process.stdout.write(
    startupLine({
      origin: hub.origin,
      token: o.token,
      stdoutIsTerminal,
      tokenSource: o.tokenSource,
      tokenFile,
    }),
  );
  return new Promise<number>((resolve) => {
    const stop = (signal: string): void => {
      log(`${signal}: shutting down`);
      removeTokenFile(tokenFile);
      hub.close().then(
        () => resolve(0),
        () => resolve(1),
      );
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}
