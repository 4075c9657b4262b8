/**
 * The live hub: one snapshot per new client, then numbered deltas; replay from a ring buffer on
 * `hello`, a fresh snapshot on `resync`, a new epoch when continuity is lost. It depends on a
 * minimal socket interface, not on `ws`, so it is tested with in-memory fakes.
 */
import { randomBytes } from 'node:crypto';
import type { Topology } from '../../common/model.js';
import { PROTOCOL_VERSION, clientMessageSchema } from '../../common/protocol.js';
import type {
  DeltaMessage,
  DeltaOp,
  ProgressMessage,
  ServerMessage,
  SnapshotMessage,
} from '../../common/protocol.js';

/** What the hub needs of a WebSocket (the `ws` WebSocket satisfies it). */
export interface MinimalSocket {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
  ping(): void;
  readonly bufferedAmount: number;
  readonly readyState: number;
}

const OPEN = 1;

export interface HubOptions {
  readOnly: boolean;
  /** Deltas kept for replay after a reconnect. */
  ringSize?: number;
  /** Above this many queued bytes a client gets no more deltas and is marked needs-snapshot. */
  highWaterBytes?: number;
  /** A needs-snapshot client gets its snapshot once its queue drains below this. */
  lowWaterBytes?: number;
  heartbeatMs?: number;
  /**
   * No model yet (the first full read runs): clients are kept and get progress messages, and
   * their snapshot once `ready` publishes the first model.
   */
  pending?: boolean;
  log?: (line: string) => void;
}

/** The hub's handle on one connection; the transport forwards socket events to it. */
export interface ClientHandle {
  message(text: string): void;
  pong(): void;
  closed(): void;
}

interface Client {
  sock: MinimalSocket;
  alive: boolean;
  needsSnapshot: boolean;
}

export function newEpoch(): string {
  return randomBytes(6).toString('hex');
}

export class Hub {
  private epoch = newEpoch();
  private seq = 0;
  private ring: Array<{ seq: number; text: string }> = [];
  private readonly clients = new Set<Client>();
  private snapshotText: string | null = null;
  private errors: string[] = [];
  private timers: NodeJS.Timeout[] = [];
  private readonly ringSize: number;
  private readonly high: number;
  private readonly low: number;
  private readonly log: (line: string) => void;
  private pending: boolean;
  private progressText: string | null = null;

  constructor(
    private topology: Topology,
    private readonly opts: HubOptions,
  ) {
    this.ringSize = opts.ringSize ?? 1024;
    this.high = opts.highWaterBytes ?? 1024 * 1024;
    this.low = opts.lowWaterBytes ?? 256 * 1024;
    this.log = opts.log ?? (() => {});
    this.pending = opts.pending ?? false;
  }

  /** Whether the first model is published (false while a pending hub waits for it). */
  get isReady(): boolean {
    return !this.pending;
  }

  /** Progress of the first read, to every client and to those that connect before it ends. */
  progress(msg: ProgressMessage): void {
    if (!this.pending) return;
    this.progressText = JSON.stringify(msg);
    for (const c of this.clients) this.sendRaw(c, this.progressText);
  }

  /** The first model: a pending hub sends it as a snapshot to every client it kept. */
  ready(first: Topology): void {
    if (!this.pending) return;
    this.pending = false;
    this.progressText = null;
    this.topology = first;
    this.snapshotText = null;
    for (const c of this.clients) this.sendSnapshot(c);
  }

  get size(): number {
    return this.clients.size;
  }
  /** Per-connection queue sizes (for tests and diagnostics). */
  stats(): Array<{ bufferedAmount: number; needsSnapshot: boolean }> {
    return [...this.clients].map((c) => ({
      bufferedAmount: c.sock.bufferedAmount,
      needsSnapshot: c.needsSnapshot,
    }));
  }
  get state(): { epoch: string; seq: number; topology: Topology } {
    return { epoch: this.epoch, seq: this.seq, topology: this.topology };
  }

  /** Starts the heartbeat (ping every heartbeatMs, terminate without pong by 2x) and drain checks. */
  start(): void {
    const hb = setInterval(() => this.heartbeat(), this.opts.heartbeatMs ?? 30_000);
    const drain = setInterval(() => this.recover(), 250);
    hb.unref();
    drain.unref();
    this.timers.push(hb, drain);
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    for (const c of this.clients) c.sock.close(1001, 'server shutting down');
    this.clients.clear();
  }

  /**
   * A new connection gets a snapshot first; one that resumes (`/api/live?epoch=E&lastSeq=N`)
   * gets only the deltas it missed when the ring still holds them, else a snapshot.
   */
  add(sock: MinimalSocket, resume?: { epoch: string; lastSeq: number }): ClientHandle {
    const client: Client = { sock, alive: true, needsSnapshot: false };
    this.clients.add(client);
    if (this.pending) {
      if (this.progressText !== null) this.sendRaw(client, this.progressText);
    } else if (resume) this.replay(client, resume.epoch, resume.lastSeq);
    else this.sendSnapshot(client);
    if (this.errors.length > 0) this.sendRaw(client, JSON.stringify(this.statusMessage()));
    return {
      message: (text) => this.onMessage(client, text),
      pong: () => {
        client.alive = true;
      },
      closed: () => {
        this.clients.delete(client);
      },
    };
  }

  /** One kernel change: a numbered delta to every client (stringified once). */
  publish(ops: readonly DeltaOp[], next: Topology): void {
    if (ops.length === 0 || this.pending) return;
    this.topology = next;
    this.snapshotText = null;
    this.seq++;
    const msg: DeltaMessage = { type: 'delta', epoch: this.epoch, seq: this.seq, ops: [...ops] };
    const text = JSON.stringify(msg);
    this.ring.push({ seq: this.seq, text });
    if (this.ring.length > this.ringSize) this.ring.shift();
    for (const c of this.clients) this.deliver(c, text);
  }

  /** Continuity lost (event source died, events dropped): new epoch, everyone gets a snapshot. */
  reset(next: Topology, reason: string): void {
    if (this.pending) return this.ready(next);
    this.topology = next;
    this.epoch = newEpoch();
    this.seq = 0;
    this.ring = [];
    this.snapshotText = null;
    this.log(`new epoch ${this.epoch} (${reason}); sending snapshots to ${this.clients.size} client(s)`);
    for (const c of this.clients) this.sendSnapshot(c);
  }

  setErrors(errors: readonly string[]): void {
    if (errors.length === this.errors.length && errors.every((e, i) => e === this.errors[i])) return;
    this.errors = [...errors];
    const text = JSON.stringify(this.statusMessage());
    for (const c of this.clients) if (!c.needsSnapshot) this.sendRaw(c, text);
  }

  private statusMessage(): ServerMessage {
    return { type: 'status', errors: this.errors };
  }

  private snapshot(): string {
    if (this.snapshotText === null) {
      const msg: SnapshotMessage = {
        type: 'snapshot',
        protocol: PROTOCOL_VERSION,
        epoch: this.epoch,
        seq: this.seq,
        topology: this.topology,
        readOnly: this.opts.readOnly,
      };
      this.snapshotText = JSON.stringify(msg);
    }
    return this.snapshotText;
  }

  private sendRaw(c: Client, text: string): void {
    if (c.sock.readyState !== OPEN) return;
    try {
      c.sock.send(text);
    } catch (e) {
      this.log(`send failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private deliver(c: Client, text: string): void {
    if (c.needsSnapshot || c.sock.readyState !== OPEN) return;
    // Bounded memory per client: a consumer that stops reading loses its deltas and later gets
    // one snapshot instead of an ever-growing queue.
    if (c.sock.bufferedAmount + text.length > this.high) {
      c.needsSnapshot = true;
      this.log(`slow client (${c.sock.bufferedAmount} bytes queued): deltas dropped, snapshot pending`);
      return;
    }
    this.sendRaw(c, text);
  }

  private sendSnapshot(c: Client): void {
    if (this.pending) return;
    if (c.sock.bufferedAmount > this.low) {
      c.needsSnapshot = true;
      return;
    }
    c.needsSnapshot = false;
    this.sendRaw(c, this.snapshot());
  }

  /** Sends the pending snapshot to clients whose queue has drained. */
  recover(): void {
    for (const c of this.clients) {
      if (c.needsSnapshot && c.sock.readyState === OPEN && c.sock.bufferedAmount <= this.low) {
        this.sendSnapshot(c);
      }
    }
  }

  heartbeat(): void {
    for (const c of this.clients) {
      if (!c.alive) {
        this.log('client missed its heartbeat: terminated');
        this.clients.delete(c);
        c.sock.terminate();
        continue;
      }
      c.alive = false;
      try {
        c.sock.ping();
      } catch {
        // A socket that cannot even ping will miss the next heartbeat and be terminated.
      }
    }
  }

  private onMessage(c: Client, text: string): void {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      c.sock.close(1007, 'invalid JSON');
      return;
    }
    // Any JSON value can arrive (null, a number, an array): the schema decides, never a property read.
    const parsed = clientMessageSchema.safeParse(json);
    if (!parsed.success) {
      c.sock.close(1008, 'unknown message');
      return;
    }
    const m = parsed.data;
    // Before the first model there is nothing to resync to: the snapshot comes with `ready`.
    if (this.pending) return;
    if (m.type === 'resync') this.sendSnapshot(c);
    else this.replay(c, m.epoch, m.lastSeq);
  }

  /** Replays the deltas after lastSeq if the ring still has them, else a snapshot (k8s "410 Gone"). */
  private replay(c: Client, epoch: string, lastSeq: number): void {
    const oldest = this.ring.length > 0 ? this.ring[0]!.seq : this.seq + 1;
    if (epoch !== this.epoch || lastSeq > this.seq || lastSeq < oldest - 1) {
      this.sendSnapshot(c);
      return;
    }
    c.needsSnapshot = false;
    for (const entry of this.ring) if (entry.seq > lastSeq) this.deliver(c, entry.text);
  }
}
