/**
 * WebSocket upgrades for /api/live. Express middleware does not run for 'upgrade', so Host,
 * Origin, auth and the connection limit are checked here, before handleUpgrade: a refused
 * upgrade gets a plain HTTP error and the socket is destroyed (no 101, no topology bytes).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { authorize } from './auth.js';
import type { AuthContext } from './auth.js';
import type { Hub } from '../hub/hub.js';
import { connectionMessage } from './liveConnections.js';
import type { LiveConnectionRegistry } from './liveConnections.js';
import { checkHost, checkOrigin } from './security.js';

/** Another WebSocket path (packet capture): accept once the checks passed, or refuse. */
export type ExtraUpgrade = { accept(ws: WebSocket): void } | { status: 403 | 404 | 503; reason: string };

export interface UpgradeContext extends AuthContext {
  hosts: Set<string>;
  origins: Set<string>;
  wss: WebSocketServer;
  hub: Hub;
  maxConnections: number;
  /** Ids of open connections, for host changes bound to one (checkpoints). */
  liveConnections?: LiveConnectionRegistry;
  /** Paths other than /api/live: null when the path is none of theirs. */
  extraPaths?(pathname: string): ExtraUpgrade | null;
  log(line: string): void;
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  429: 'Too Many Requests',
  503: 'Service Unavailable',
};

function refuse(socket: Duplex, status: number, reason: string, retryAfterS?: number): void {
  const body = `${reason}\n`;
  const extra = retryAfterS !== undefined ? `Retry-After: ${retryAfterS}\r\n` : '';
  socket.end(
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}\r\nConnection: close\r\nContent-Type: text/plain\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`,
  );
  // Destroy even if the peer never reads our answer.
  setTimeout(() => socket.destroy(), 1000).unref();
}

/** `?epoch=E&lastSeq=N` on the URL resumes a stream instead of starting with a snapshot. */
function resumeOf(url: URL): { epoch: string; lastSeq: number } | undefined {
  const epoch = url.searchParams.get('epoch');
  const lastSeq = url.searchParams.get('lastSeq');
  if (!epoch || lastSeq === null || !/^(0|[1-9][0-9]{0,15})$/.test(lastSeq)) return undefined;
  return { epoch, lastSeq: Number(lastSeq) };
}

export function createUpgradeHandler(ctx: UpgradeContext) {
  let connections = 0;
  return (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy());
    const host = checkHost(req.rawHeaders, ctx.hosts);
    if (!host.ok) return refuse(socket, host.status, host.reason);
    const url = new URL(req.url ?? '/', 'http://upgrade.invalid');
    const extra = url.pathname === '/api/live' ? null : (ctx.extraPaths?.(url.pathname) ?? null);
    if (url.pathname !== '/api/live' && !extra) return refuse(socket, 404, 'no WebSocket here');
    const origin = req.headers.origin;
    const originOk = checkOrigin(origin, ctx.origins);
    if (!originOk.ok) return refuse(socket, originOk.status, originOk.reason);
    const peer = { address: req.socket.remoteAddress, port: req.socket.remotePort };
    const auth = authorize(req.headers, peer, ctx);
    if (!auth.ok) return refuse(socket, auth.status, auth.reason, auth.retryAfterS);
    // A browser always sends Origin; without one, only a script holding the token may connect.
    if (origin === undefined && auth.via !== 'bearer') return refuse(socket, 403, 'Origin header required');
    if (extra) {
      // Same checks as /api/live above; the capture counts its own clients.
      if (!('accept' in extra)) return refuse(socket, extra.status, extra.reason);
      ctx.wss.handleUpgrade(req, socket, head, (ws: WebSocket) => extra.accept(ws));
      return;
    }
    if (connections >= ctx.maxConnections) return refuse(socket, 503, 'too many live connections');
    // ws completes the handshake synchronously (no verifyClient), so counting in the callback is
    // race-free, and a handshake ws aborts (bad key, closed socket) is never counted.
    ctx.wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      connections++;
      const client = ctx.hub.add(ws, resumeOf(url));
      // After the snapshot: the stream's first message stays the snapshot (or the replay).
      const connectionId = ctx.liveConnections?.add();
      if (connectionId) ws.send(connectionMessage(connectionId));
      ws.on('message', (data, isBinary) => {
        if (isBinary) return ws.close(1003, 'text frames only');
        // A fault while handling one client's message ends that connection, never the process.
        try {
          client.message(data.toString());
        } catch (e) {
          ctx.log(`live message handler failed: ${e instanceof Error ? e.message : String(e)}`);
          ws.close(1011, 'internal error');
        }
      });
      ws.on('pong', () => client.pong());
      ws.on('error', (e) => ctx.log(`live connection error: ${e.message}`));
      ws.on('close', () => {
        connections--;
        client.closed();
        if (connectionId) ctx.liveConnections?.closed(connectionId);
      });
    });
  };
}
