/**
 * The one line `serve` prints on stdout. The URL carries the token only when stdout is a
 * terminal: redirected to a file, a journal or a CI log, the token would stay readable there.
 * Otherwise the line says where the token is: the environment variable it came from, or a file
 * only root can read (removed again when the server stops).
 */
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const TOKEN_DIR = '/run/netns-explorer';

export interface StartupLineInput {
  /** `http://HOST:PORT` */
  origin: string;
  token: string;
  stdoutIsTerminal: boolean;
  tokenSource: 'env' | 'generated';
  /** Where the generated token was written (non-terminal stdout only). */
  tokenFile: string | null;
}

export function startupLine(i: StartupLineInput): string {
  if (i.stdoutIsTerminal) return `netns-explorer: open ${i.origin}/?token=${encodeURIComponent(i.token)}\n`;
  const where =
    i.tokenSource === 'env'
      ? 'the token is in NETNS_EXPLORER_TOKEN'
      : i.tokenFile
        ? `the token is in ${i.tokenFile} (readable by root only)`
        : 'the token could not be saved; restart with NETNS_EXPLORER_TOKEN set';
  return `netns-explorer: open ${i.origin}/?token=<token> (${where}; it is not printed because stdout is not a terminal)\n`;
}

/** Writes the token to `<dir>/<port>.token`, mode 0600 in a 0700 folder; returns the path. */
export function writeTokenFile(token: string, port: number, dir = TOKEN_DIR): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const path = join(dir, `${port}.token`);
  // A file left by a crashed server on the same port is replaced, never appended to or followed.
  rmSync(path, { force: true });
  writeFileSync(path, `${token}\n`, { mode: 0o600, flag: 'wx' });
  return path;
}

export function removeTokenFile(path: string | null): void {
  if (path) rmSync(path, { force: true });
}
