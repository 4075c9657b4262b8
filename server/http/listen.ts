/**
 * Listening, shared by the live server and the cluster hub: only once the port is known can the
 * Host and Origin checks name the address the page is reached at (port 0 picks one).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { allowedHosts, allowedOrigins } from './security.js';

/** Listens, then fills in the checks' allowed hosts and origins; on failure runs `onFail` first. */
export async function listenChecked(
  server: Server,
  host: string,
  port: number,
  checks: { hosts: Set<string>; origins: Set<string> },
  onFail: () => void,
): Promise<number> {
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    onFail();
    throw e;
  }
  const bound = (server.address() as AddressInfo).port;
  checks.hosts = allowedHosts(host, bound);
  checks.origins = allowedOrigins(checks.hosts);
  return bound;
}
