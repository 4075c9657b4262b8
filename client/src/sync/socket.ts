/**
 * The live connection: same-origin WebSocket /api/live (the auth cookie rides along), feeding the
 * store, resyncing on gaps, reconnecting with jittered exponential backoff (1 s -> 30 s).
 */
import type { ClientMessage, ServerMessage } from '../../../common/protocol.js';
import { useStore } from '../store/store.js';
import { backoffDelay } from './sequence.js';

/** After this long without a connection the picture is called stale rather than reconnecting. */
const STALE_AFTER_MS = 10_000;

export function liveUrl(loc: Location = window.location): string {
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}/api/live`;
}

function isServerMessage(v: unknown): v is ServerMessage {
  return typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string';
}

/** Starts the connection loop; returns a function that stops it for good. */
export function startLive(): () => void {
  let ws: WebSocket | null = null;
  let attempt = 0;
  let stopped = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let staleTimer: ReturnType<typeof setTimeout> | undefined;

  const send = (m: ClientMessage): void => {
    if (ws?.readyState === WebSocket.OPEN) ws.send(JSON.stringify(m));
  };

  const connect = (): void => {
    if (stopped) return;
    const sock = new WebSocket(liveUrl());
    ws = sock;
    sock.onmessage = (ev: MessageEvent<unknown>) => {
      if (typeof ev.data !== 'string') return;
      let msg: unknown;
      try {
        msg = JSON.parse(ev.data);
      } catch {
        return;
      }
      if (!isServerMessage(msg)) return;
      if (msg.type === 'snapshot') {
        attempt = 0;
        clearTimeout(staleTimer);
      }
      if (useStore.getState().receive(msg)) send({ type: 'resync' });
    };
    sock.onclose = () => {
      if (ws !== sock || stopped) return;
      ws = null;
      const { conn, setConn } = useStore.getState();
      if (conn === 'live' || conn === 'connecting') {
        setConn('reconnecting');
        clearTimeout(staleTimer);
        staleTimer = setTimeout(() => setConn('stale'), STALE_AFTER_MS);
      }
      retryTimer = setTimeout(connect, backoffDelay(attempt++));
    };
    // Errors are always followed by close, which schedules the retry.
    sock.onerror = () => undefined;
  };

  connect();
  return () => {
    stopped = true;
    clearTimeout(retryTimer);
    clearTimeout(staleTimer);
    ws?.close();
  };
}
