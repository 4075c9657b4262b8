/**
 * The hub's connection to one agent: asks its host name, opens `/api/live` with the shared token
 * (bearer, no Origin: a program, not a page), feeds snapshots and numbered deltas to the cluster
 * model, asks a fresh snapshot on a gap or a new epoch, reads the VXLAN facts after a snapshot and
 * whenever a vxlan device comes or goes, and reconnects with backoff when the agent goes away.
 */
import WebSocket from 'ws';
import { z } from 'zod';
import type { GeneveFact, VxlanFact } from '../../common/cluster.js';
import type { Topology } from '../../common/model.js';
import type { DeltaOp } from '../../common/protocol.js';

export interface AgentSink {
  /** `readOnly`: what the agent's `/api/session` says, null when it could not be read. */
  identify(url: string, host: string, readOnly: boolean | null): void;
  snapshot(url: string, topology: Topology): void;
  delta(url: string, ops: readonly DeltaOp[]): void;
  overlay(url: string, facts: VxlanFact[], geneve: GeneveFact[]): void;
  down(url: string, reason: string): void;
}

export interface AgentLinkOptions {
  token: string;
  log(line: string): void;
  /** Dead-connection check: ping this often, give up when the previous ping went unanswered. */
  pingMs?: number;
  maxBackoffMs?: number;
  /** Re-read the VXLAN facts this often (fdb changes make no model delta). */
  overlayMs?: number;
}

const envelope = z.object({ type: z.string(), epoch: z.string().optional(), seq: z.number().optional() });
const nodeAnswer = z.object({ host: z.string() });
const sessionAnswer = z.object({ readOnly: z.boolean() });
const overlayAnswer = z.object({
  facts: z.array(
    z.object({
      interface: z.string(),
      vni: z.number(),
      local: z.string().nullable(),
      remotes: z.array(z.string()),
      dstport: z.number(),
    }),
  ),
  // Agents from before Geneve was read answer without it.
  geneve: z
    .array(
      z.object({
        interface: z.string(),
        vni: z.number(),
        remote: z.string().nullable(),
        dstport: z.number(),
      }),
    )
    .default([]),
});

export class AgentLink {
  private ws: WebSocket | null = null;
  private epoch: string | null = null;
  private seq = 0;
  private backoffMs = 250;
  private stopped = false;
  private timers = new Set<NodeJS.Timeout>();
  private alive = true;

  constructor(
    readonly url: string,
    private readonly sink: AgentSink,
    private readonly opts: AgentLinkOptions,
  ) {}

  start(): void {
    void this.connect();
    this.every(this.opts.pingMs ?? 10_000, () => this.ping());
    this.every(this.opts.overlayMs ?? 30_000, () => {
      if (this.ws?.readyState === WebSocket.OPEN) void this.readOverlay();
    });
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.ws?.terminate();
  }

  private every(ms: number, fn: () => void): void {
    const t = setInterval(fn, ms);
    t.unref();
    this.timers.add(t);
  }

  private get headers(): Record<string, string> {
    return { authorization: `Bearer ${this.opts.token}` };
  }

  private async getJson(path: string): Promise<unknown> {
    const res = await fetch(new URL(path, this.url), {
      headers: this.headers,
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
    return res.json();
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    try {
      const { host } = nodeAnswer.parse(await this.getJson('/api/cluster/node'));
      // Shown on the node's chip; the agent still decides every change itself.
      const session = await this.getJson('/api/session').then(
        (s) => sessionAnswer.safeParse(s),
        () => null,
      );
      this.sink.identify(this.url, host, session?.success ? session.data.readOnly : null);
    } catch (e) {
      this.failed(e instanceof Error ? e.message : String(e));
      return;
    }
    const wsUrl = new URL('/api/live', this.url);
    wsUrl.protocol = wsUrl.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(wsUrl, {
      headers: this.headers,
      perMessageDeflate: false,
      maxPayload: 256 << 20,
    });
    this.ws = ws;
    this.epoch = null;
    this.alive = true;
    ws.on('message', (data) => this.onMessage(ws, data.toString()));
    ws.on('pong', () => {
      this.alive = true;
    });
    ws.on('error', () => {}); // 'close' follows and says what happened
    ws.on('close', (code, reason) => {
      if (this.ws === ws)
        this.failed(`connection closed (${code}${reason.length ? ` ${reason.toString()}` : ''})`);
    });
  }

  private failed(reason: string): void {
    this.ws = null;
    this.sink.down(this.url, reason);
    if (this.stopped) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      void this.connect();
    }, this.backoffMs);
    this.timers.add(t);
    this.backoffMs = Math.min(this.backoffMs * 2, this.opts.maxBackoffMs ?? 5_000);
  }

  private ping(): void {
    const ws = this.ws;
    if (ws?.readyState !== WebSocket.OPEN) return;
    if (!this.alive) {
      ws.terminate();
      return;
    }
    this.alive = false;
    ws.ping();
  }

  private onMessage(ws: WebSocket, text: string): void {
    try {
      const raw: unknown = JSON.parse(text);
      const head = envelope.parse(raw);
      if (head.type === 'snapshot') {
        const msg = raw as { topology: Topology };
        this.epoch = head.epoch ?? null;
        this.seq = head.seq ?? 0;
        this.backoffMs = 250;
        this.sink.snapshot(this.url, msg.topology);
        void this.readOverlay();
      } else if (head.type === 'delta') {
        if (this.epoch === null) return; // waiting for the snapshot a resync asked for
        if (head.epoch !== this.epoch || head.seq !== this.seq + 1) {
          this.epoch = null;
          ws.send(JSON.stringify({ type: 'resync' }));
          return;
        }
        this.seq = head.seq;
        const ops = (raw as { ops: DeltaOp[] }).ops;
        this.sink.delta(this.url, ops);
        if (ops.some(touchesVxlan)) void this.readOverlay();
      }
    } catch (e) {
      this.opts.log(
        `agent ${this.url}: bad message (${e instanceof Error ? e.message : String(e)}); reconnecting`,
      );
      ws.terminate();
    }
  }

  private async readOverlay(): Promise<void> {
    try {
      const { facts, geneve } = overlayAnswer.parse(await this.getJson('/api/cluster/overlay'));
      this.sink.overlay(this.url, facts, geneve);
    } catch (e) {
      this.opts.log(`agent ${this.url}: overlay read failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

/** A vxlan or geneve device put, or any interface removed (it may have been one). */
function touchesVxlan(op: DeltaOp): boolean {
  if (op.op === 'remove') return op.entity === 'interface';
  return op.entity === 'interface' && (op.value.kind === 'vxlan' || op.value.kind === 'geneve');
}
