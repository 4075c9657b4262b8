/**
 * The live WebSocket connections by id. Each connection learns its id in its first message
 * (`{type: 'connection', id}`) and names it in `X-Live-Connection` when it changes the host:
 * the change is then bound to that socket, and rolled back when the socket closes before the
 * page confirmed it (server/actions/checkpoint.ts). Ids are 128-bit random: knowing one is the
 * proof of being that connection.
 */
import { randomBytes } from 'node:crypto';
import type { LiveConnections } from '../actions/checkpoint.js';

export const CONNECTION_HEADER = 'x-live-connection';

export class LiveConnectionRegistry implements LiveConnections {
  private readonly open = new Map<string, Set<() => void>>();

  /** A new id for a connection that just opened. */
  add(): string {
    const id = randomBytes(16).toString('base64url');
    this.open.set(id, new Set());
    return id;
  }

  /** The connection closed: everything waiting on it hears so once. */
  closed(id: string): void {
    const listeners = this.open.get(id);
    this.open.delete(id);
    for (const fn of listeners ?? []) {
      try {
        fn();
      } catch {
        // one listener's failure must not keep the others from hearing
      }
    }
  }

  isOpen(id: string): boolean {
    return this.open.has(id);
  }

  onClose(id: string, fn: () => void): () => void {
    const listeners = this.open.get(id);
    if (!listeners) {
      fn();
      return () => {};
    }
    listeners.add(fn);
    return () => listeners.delete(fn);
  }
}

/** The first message on every live connection. */
export const connectionMessage = (id: string): string => JSON.stringify({ type: 'connection', id });
