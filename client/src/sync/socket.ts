/**
 * The live connection: WebSocket /api/live feeding the live model, resyncing on gaps,
 * reconnecting with jittered exponential backoff (1 s -> 30 s). A reconnect resumes the stream
 * where the model left it (epoch and last seq on the URL), so a short outage costs the missed
 * deltas, not a whole snapshot.
 */
import type { ClientMessage, ServerMessage } from '../../../common/protocol.js';
import type { LiveModel } from './liveModel.js';
import { backoffDelay, liveUrl, resumePoint } from './sequence.js';
import { connectionIdOf, setLiveConnection } from '../actions/checkpoints.js';

/** After this long without a connection the picture is called stale rather than reconnecting. */
const STALE_AFTER_MS = 10_000;

/** What the loop needs of a WebSocket (the browser's satisfies it; tests hand in a fake). */
export interface LiveSocket {
  readonly readyState: number;
  onopen: ((ev: Event) => unknown) | null;
  onmessage: ((ev: MessageEvent<unknown>) => unknown) | null;
  onclose: ((ev: CloseEvent) => unknown) | null;
  onerror: ((ev: Event) => unknown) | null;
  send(data: string): void;
  close(): void;
}

export interface LiveOptions {
  open?: (url: string) => LiveSocket;
  location?: Pick<Location, 'protocol' | 'host'>;
}

const OPEN = 1;

function parseServerMessage(data: unknown): ServerMessage | null {
  if (typeof data !== 'string') return null;
  let msg: unknown;
  try {
    msg = JSON.parse(data);
  } catch {
    return null;
  }
  const ok = typeof msg === 'object' && msg !== null && typeof (msg as { type?: unknown }).type === 'string';
  return ok ? (msg as ServerMessage) : null;
}

/** Starts the connection loop; returns a function that stops it for good. */
export function startLive(model: LiveModel, opts: LiveOptions = {}): () => void {
  const open: (url: string) => LiveSocket = opts.open ?? ((url) => new WebSocket(url));
  const loc = opts.location ?? window.location;
  let ws: LiveSocket | null = null;
  let attempt = 0;
  let stopped = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let staleTimer: ReturnType<typeof setTimeout> | undefined;

  const send = (m: ClientMessage): void => {
    if (ws?.readyState === OPEN) ws.send(JSON.stringify(m));
  };
  const healthy = (): void => {
    attempt = 0;
    clearTimeout(staleTimer);
  };

  const connect = (): void => {
    if (stopped) return;
    const resume = resumePoint(model.store.getState().live);
    const sock = open(liveUrl(loc, resume));
    ws = sock;
    sock.onopen = () => {
      // A resumed stream may bring nothing at all (nothing was missed): being connected is the
      // sign that the copy is current again. A first connection waits for its snapshot.
      if (ws !== sock || !resume) return;
      healthy();
      model.setConn('live');
    };
    sock.onmessage = (ev) => {
      const msg = parseServerMessage(ev.data);
      if (!msg) return;
      const connection = connectionIdOf(msg);
      if (connection) return setLiveConnection(connection);
      if (msg.type === 'snapshot') healthy();
      if (model.receive(msg)) send({ type: 'resync' });
    };
    sock.onclose = () => {
      if (ws !== sock || stopped) return;
      ws = null;
      setLiveConnection(null);
      const { conn } = model.store.getState();
      if (conn === 'live' || conn === 'connecting') {
        model.setConn('reconnecting');
        clearTimeout(staleTimer);
        staleTimer = setTimeout(() => model.setConn('stale'), STALE_AFTER_MS);
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
