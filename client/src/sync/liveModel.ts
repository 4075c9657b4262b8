/**
 * The live model: the page's copy of the server's topology, its place in the stream (epoch, seq)
 * and the connection state. Only the socket writes it (through `receive`/`setConn`); the picture
 * and the panels read it. It imports nothing of the page, so data flows one way: socket -> here ->
 * picture and panels.
 */
import { createStore } from 'zustand/vanilla';
import type { StoreApi } from 'zustand/vanilla';
import type { ServerMessage } from '../../../common/protocol.js';
import { changedDrawIds } from '../model/changes.js';
import { step } from './sequence.js';
import type { LiveState } from './sequence.js';

export type ConnState = 'connecting' | 'live' | 'reconnecting' | 'stale';

export interface LiveModelState {
  live: LiveState | null;
  conn: ConnState;
  /** Discovery problems as the server last reported them. */
  errors: string[];
  /** The server's first read, while it runs (null once a snapshot arrived). */
  progress: { done: number; total: number; attempt: number } | null;
  /** Drawn ids the last applied message changed (empty after a snapshot), for a short highlight. */
  changed: readonly string[];
}

export interface LiveModel {
  store: StoreApi<LiveModelState>;
  /** Applies a server message; returns true when the client must send `resync`. */
  receive(msg: ServerMessage): boolean;
  setConn(conn: ConnState): void;
}

export function createLiveModel(): LiveModel {
  const store = createStore<LiveModelState>()(() => ({
    live: null,
    conn: 'connecting',
    errors: [],
    progress: null,
    changed: [],
  }));
  return {
    store,
    receive(msg) {
      const r = step(store.getState().live, msg);
      switch (r.kind) {
        case 'resync':
          return true;
        case 'status':
          store.setState({ errors: r.errors });
          return false;
        case 'progress':
          store.setState({ progress: { done: r.done, total: r.total, attempt: r.attempt } });
          return false;
        case 'snapshot':
          store.setState({ live: r.state, conn: 'live', changed: [], progress: null });
          return false;
        case 'delta':
          store.setState({ live: r.state, changed: msg.type === 'delta' ? changedDrawIds(msg.ops) : [] });
          return false;
        default:
          return false;
      }
    },
    setConn(conn) {
      store.setState({ conn });
    },
  };
}
