/**
 * The `/api/captures/<id>/live` WebSocket: the capture's summaries and counters as JSON text
 * frames. The upgrade handler has checked Host, Origin and the token before this runs. A client
 * that reads too slowly is sent counters only (what it missed is counted as not shown); the
 * capture ends when its last client goes.
 */
import type { WebSocket } from 'ws';
import type { CaptureServerMessage } from '../../common/capture.js';
import type { CaptureManager } from './manager.js';

/** Above this many unsent bytes a client gets no more summaries until it catches up. */
export const HIGH_WATER = 1 << 20;
const PING_MS = 30_000;
/** Live clients of one capture (a page per person is plenty). */
export const MAX_CLIENTS = 4;

/**
 * Pings a live client every PING_MS and drops it when the last ping went unanswered, so a client
 * that vanished without closing stops counting (its capture ends with the last one); a socket
 * error drops it too. Returns the stopper, for when the socket closes.
 */
export function keepAlive(ws: WebSocket): () => void {
  let alive = true;
  const ping = setInterval(() => {
    if (!alive) return ws.terminate();
    alive = false;
    ws.ping();
  }, PING_MS);
  ws.on('pong', () => (alive = true));
  ws.on('error', () => ws.terminate());
  return () => clearInterval(ping);
}

export type CaptureUpgrade = { accept(ws: WebSocket): void } | { status: 403 | 404 | 503; reason: string };

/** What the upgrade handler does with a path: null if it is not a capture's live path. */
export function captureUpgrade(manager: CaptureManager | null, pathname: string): CaptureUpgrade | null {
  const m = /^\/api\/captures\/(cap-[0-9a-f]{12})\/live$/.exec(pathname);
  if (!m && !pathname.startsWith('/api/captures/')) return null;
  if (!manager) return { status: 403, reason: 'packet capture is turned off on this server (--no-capture)' };
  const session = m ? manager.get(m[1]!) : undefined;
  if (!session) return { status: 404, reason: 'no such capture' };
  if (session.liveClients >= MAX_CLIENTS) return { status: 503, reason: 'too many clients on this capture' };
  return {
    accept(ws: WebSocket) {
      const send = (msg: CaptureServerMessage): void => {
        if (ws.readyState !== ws.OPEN) return;
        if (msg.type === 'packets' && ws.bufferedAmount > HIGH_WATER) {
          session.notSent(msg.packets.length);
          ws.send(JSON.stringify({ type: 'counters', counters: msg.counters }));
          return;
        }
        ws.send(JSON.stringify(msg));
        if (msg.type === 'ended') ws.close(1000, 'capture ended');
      };
      const unsubscribe = session.subscribe(send);
      if (!session.running) ws.close(1000, 'capture ended');
      // Nothing is expected from the client: anything it sends is ignored.
      const stopPings = keepAlive(ws);
      ws.on('close', () => {
        stopPings();
        unsubscribe();
      });
    },
  };
}
