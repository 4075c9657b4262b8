/**
 * The frame around every mutation: read-only refusal (before anything spawns), validation,
 * name reservation, the global lock, one audit line, and a refresh request to the live server.
 */
import type { AuditRecord, Made } from './audit.js';
import { auditParams } from './audit.js';
import { picture } from './hostPicture.js';
import type { CheckpointBinding, Undo } from './checkpoint.js';
import type { ActionContext, NsRef } from './context.js';
import { Op } from './context.js';
import { ActionError, forbidden } from './errors.js';

export interface Outcome {
  status: number;
  body: Record<string, unknown>;
  made?: Made;
  unmade?: Made;
  /** How to take a host change back (checkpoint.ts); only read when the plan names `host`. */
  undo?: Undo[];
}

export interface Plan {
  /** Namespaces this action touches (refreshed afterwards, success or not). */
  nsIds: string[];
  /** Names claimed while the request runs: `${nsId}/${name}`. */
  reserve?: Array<{ key: string; field: string }>;
  work(op: Op): Promise<Outcome>;
  /** The host namespace this change touches: it is applied under a checkpoint. */
  host?: NsRef;
}

export interface Result {
  status: number;
  body: Record<string, unknown>;
}

export async function perform(
  ctx: ActionContext,
  action: string,
  params: unknown,
  prepare: () => Plan,
  binding: CheckpointBinding = { liveConnection: null },
): Promise<Result> {
  const op = new Op(ctx);
  const started = new Date().toISOString();
  let result: Result;
  let made: Made | undefined;
  let unmade: Made | undefined;
  let rollback: { rolledBack: boolean; residue: string[] } | undefined;
  let nsIds: string[] = [];
  try {
    if (ctx.deps.readOnly)
      throw forbidden('read_only', 'the server runs with --read-only; changes are refused');
    const plan = prepare();
    nsIds = plan.nsIds;
    const host = ctx.checkpoints && plan.host ? plan.host : null;
    if (host) ctx.checkpoints!.checkBinding(binding);
    const release = ctx.reserve(plan.reserve ?? []);
    try {
      const out = await ctx.locked(async () => {
        // The picture is taken inside the lock, so it is the state right before this change.
        const before = host ? await picture(op, host) : null;
        const o = await plan.work(op);
        const checkpoint =
          host && before && o.undo && o.undo.length > 0
            ? ctx.checkpoints!.open(op.id, host, action, before, o.undo, binding)
            : null;
        return checkpoint ? { ...o, body: { ...o.body, checkpoint } } : o;
      });
      ({ made, unmade } = out);
      ctx.ledger.apply(made, unmade);
      result = { status: out.status, body: { op: op.id, ...out.body } };
    } finally {
      release();
    }
  } catch (e) {
    const err =
      e instanceof ActionError
        ? e
        : new ActionError(500, 'internal', `internal error: ${e instanceof Error ? e.message : String(e)}`);
    if (typeof err.extra.rolledBack === 'boolean')
      rollback = {
        rolledBack: err.extra.rolledBack,
        residue: (err.extra.residue as string[] | undefined) ?? [],
      };
    result = { status: err.status, body: { op: op.id, ...err.toBody() } };
  }
  const ok = result.status < 400;
  writeAudit(ctx, {
    ts: started,
    op: op.id,
    action,
    params: auditParams(params),
    commands: op.commands,
    status: result.status,
    ok,
    ...(ok ? {} : { error: String((result.body.error as { message?: string } | undefined)?.message ?? '') }),
    ...(rollback ? { rollback } : {}),
    ...(made ? { made } : {}),
    ...(unmade ? { unmade } : {}),
  });
  if (op.commands.length > 0 && nsIds.length > 0) {
    try {
      ctx.deps.onKernelChanged(nsIds);
    } catch (e) {
      process.stderr.write(`netns-explorer: refresh after ${action} failed: ${String(e)}\n`);
    }
  }
  return result;
}

/**
 * The kernel has already changed when we get here: a journal that cannot be written must not
 * turn the answer into a lie, so it is reported loudly on stderr instead.
 */
export function writeAudit(ctx: ActionContext, rec: AuditRecord): void {
  try {
    ctx.audit.append(rec);
  } catch (e) {
    process.stderr.write(`netns-explorer: cannot write audit log ${ctx.audit.path}: ${String(e)}\n`);
  }
}
