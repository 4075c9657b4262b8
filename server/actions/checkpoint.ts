/**
 * Host changes you can take back, the way Cockpit does with NetworkManager checkpoints: a change
 * to the host namespace is applied under a checkpoint (a picture of `ip -j` link/addr/route taken
 * before, and the steps that undo it). The page must confirm it within a window, from the same
 * connection: the live WebSocket whose id the request carried, or, for a script, the token the
 * answer returned. No confirmation (the change cut the page off, the user said no, the socket
 * closed) rolls it back, then checks the namespace looks exactly as before.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ActionContext, NsRef } from './context.js';
import { Op } from './context.js';
import { ActionError } from './errors.js';
import { picture } from './hostPicture.js';
import { writeAudit } from './perform.js';
import { compensate } from './saga.js';
import type { PlannedDevice } from './saga.js';

/** One step that takes a change back. It must succeed when there is nothing left to undo. */
export interface Undo {
  what: string;
  run(op: Op): Promise<void>;
}

/** Which connection may confirm: the live WebSocket's id, or null for a script (token). */
export interface CheckpointBinding {
  liveConnection: string | null;
}

/** The live server's WebSocket connections, as far as checkpoints need them. */
export interface LiveConnections {
  isOpen(id: string): boolean;
  /** Calls fn once when the connection closes; returns a function that cancels that. */
  onClose(id: string, fn: () => void): () => void;
}

export type CheckpointState = 'pending' | 'kept' | 'rolledBack' | 'failed';

export interface CheckpointInfo {
  id: string;
  /** Only for checkpoints bound to a token (no live connection). */
  token?: string;
  windowMs: number;
  expiresAt: string;
}

interface Pending {
  id: string;
  ns: NsRef;
  action: string;
  before: string;
  undo: Undo[];
  binding: CheckpointBinding;
  token: string | null;
  timer: NodeJS.Timeout;
  stopWatching: () => void;
  settled: Promise<{ state: CheckpointState; residue: string[] }> | null;
}

const digest = (s: string) => createHash('sha256').update(s).digest();
const sameSecret = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

export class Checkpoints {
  private readonly pending = new Map<string, Pending>();
  /** Rollbacks running now (no longer pending): shutdown waits for them too. */
  private readonly rollingBack = new Set<Promise<unknown>>();
  private closing = false;

  constructor(
    private readonly ctx: ActionContext,
    readonly windowMs: number,
    private readonly live: LiveConnections | null,
  ) {}

  get size(): number {
    return this.pending.size;
  }

  /** Refuses a host change up front when its connection cannot confirm it. */
  checkBinding(b: CheckpointBinding): void {
    if (this.closing)
      throw new ActionError(503, 'shutting_down', 'the server is shutting down; host changes are refused');
    if (b.liveConnection !== null && !this.live?.isOpen(b.liveConnection))
      throw new ActionError(
        409,
        'connection_gone',
        'the live connection named in X-Live-Connection is not open; reload the page',
      );
  }

  open(
    opId: string,
    ns: NsRef,
    action: string,
    before: Record<string, string>,
    undo: Undo[],
    binding: CheckpointBinding,
  ): CheckpointInfo {
    const id = `cp-${opId}`;
    const token = binding.liveConnection === null ? randomBytes(24).toString('base64url') : null;
    const cp: Pending = {
      id,
      ns,
      action,
      before: JSON.stringify(before),
      undo,
      binding,
      token,
      timer: setTimeout(() => void this.rollback(cp, 'not confirmed in time'), this.windowMs),
      stopWatching: () => {},
      settled: null,
    };
    cp.timer.unref();
    if (binding.liveConnection !== null && this.live)
      cp.stopWatching = this.live.onClose(
        binding.liveConnection,
        () => void this.rollback(cp, 'connection lost'),
      );
    this.pending.set(id, cp);
    // A change that was under way when shutdown began: nobody will be here to confirm it.
    if (this.closing) void this.rollback(cp, 'server shutting down');
    return {
      id,
      ...(token ? { token } : {}),
      windowMs: this.windowMs,
      expiresAt: new Date(Date.now() + this.windowMs).toISOString(),
    };
  }

  /** Keep or undo, if the proof is the connection (or token) the checkpoint is bound to. */
  async settle(
    id: string,
    keep: boolean,
    proof: { liveConnection: string | null; token: string | null },
  ): Promise<{ state: CheckpointState; residue: string[] }> {
    const cp = this.pending.get(id);
    if (!cp)
      throw new ActionError(
        404,
        'not_found',
        `no pending checkpoint ${id} (confirmed, undone or expired)`,
        'id',
      );
    const bound = cp.binding.liveConnection;
    const ok =
      bound !== null
        ? proof.liveConnection !== null && sameSecret(proof.liveConnection, bound)
        : cp.token !== null && proof.token !== null && sameSecret(proof.token, cp.token);
    if (!ok)
      throw new ActionError(
        403,
        'not_your_checkpoint',
        'only the connection that made the change can confirm it',
      );
    if (!keep) return this.rollback(cp, 'declined');
    this.finish(cp);
    writeAudit(this.ctx, {
      ts: new Date().toISOString(),
      op: cp.id,
      action: `${cp.action}.keep`,
      params: null,
      commands: [],
      status: 200,
      ok: true,
    });
    return { state: 'kept', residue: [] };
  }

  private finish(cp: Pending): void {
    clearTimeout(cp.timer);
    cp.stopWatching();
    this.pending.delete(cp.id);
  }

  /** Runs the undo steps (newest first) under the global lock and compares with the picture. */
  rollback(cp: Pending, reason: string): Promise<{ state: CheckpointState; residue: string[] }> {
    if (cp.settled) return cp.settled;
    // Changes made on top of this one (same namespace, still pending) go back first, newest
    // first: the picture taken before this change is only reachable without them. The lock runs
    // the rollbacks in the order they were asked for.
    const all = [...this.pending.values()];
    const later = all.slice(all.indexOf(cp) + 1).filter((p) => p.ns.id === cp.ns.id);
    for (const p of later.reverse()) void this.rollback(p, `undone with ${cp.id}, made before it`);
    this.finish(cp);
    cp.settled = this.ctx.locked(async () => {
      const op = new Op(this.ctx);
      const errors: string[] = [];
      for (const u of [...cp.undo].reverse()) {
        try {
          await u.run(op);
        } catch (e) {
          errors.push(`${u.what}: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      let residue: string[];
      try {
        const after = await picture(op, cp.ns);
        const before = JSON.parse(cp.before) as Record<string, string>;
        residue = Object.keys(before).filter((k) => before[k] !== after[k]);
      } catch (e) {
        residue = [`could not re-read the host: ${e instanceof Error ? e.message : String(e)}`];
      }
      const state: CheckpointState = residue.length === 0 && errors.length === 0 ? 'rolledBack' : 'failed';
      writeAudit(this.ctx, {
        ts: new Date().toISOString(),
        op: cp.id,
        action: `${cp.action}.rollback`,
        params: { reason },
        commands: op.commands,
        status: state === 'rolledBack' ? 200 : 500,
        ok: state === 'rolledBack',
        rollback: { rolledBack: state === 'rolledBack', residue: [...residue, ...errors] },
      });
      try {
        this.ctx.deps.onKernelChanged([cp.ns.id]);
      } catch {
        // the next periodic read catches up
      }
      return { state, residue: [...residue, ...errors] };
    });
    const settled = cp.settled;
    this.rollingBack.add(settled);
    void settled.finally(() => this.rollingBack.delete(settled));
    return settled;
  }

  /** Rolls back everything still pending (server shutdown: nobody is left to confirm). */
  async rollbackAll(reason: string): Promise<void> {
    this.closing = true;
    // Newest first (the lock runs them in call order): each picture then matches its "before".
    for (const cp of [...this.pending.values()].reverse()) void this.rollback(cp, reason);
    while (this.rollingBack.size > 0) await Promise.allSettled([...this.rollingBack]);
  }
}

/** An undo step that runs one `ip` command; its exit code is not trusted, the picture decides. */
export function ipUndo(ns: NsRef, args: string[], what: string): Undo {
  return {
    what,
    async run(op) {
      const r = await op.tryIp(ns, args);
      if (r.timedOut) throw new ActionError(504, 'timeout', `${what}: ip timed out`);
    },
  };
}

/** The host namespace among these, if any (a change there is checkpointed). */
export const hostOf = (...refs: NsRef[]): NsRef | undefined => refs.find((r) => r.kind === 'host');

/** Undoes a creation: removes the devices only if they are still the ones this op made (saga.ts). */
export function compensationUndo(devices: PlannedDevice[], what: string): Undo {
  return {
    what,
    async run(op) {
      const residue = await compensate(op, devices);
      if (residue.length > 0) throw new ActionError(500, 'residue', `could not remove ${residue.join(', ')}`);
    },
  };
}
