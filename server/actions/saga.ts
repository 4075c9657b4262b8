/**
 * The creation saga shared by veth pairs and bridges (checklist 19/20): a durable intent that
 * names every device to be made together with the MAC we chose for it, then the steps (the
 * create first, then the tag and the rest), and on any failure a compensation that removes only
 * what is provably ours: it carries this op's tag, or the MAC we gave it at creation.
 */
import type { FreshLink, NsRef, Op } from './context.js';
import { parseTag } from './context.js';
import { ActionError, ipFailure } from './errors.js';
import type { EndState, IntentEnd, IntentJournal } from './intents.js';
import { sameMac } from './mac.js';

export interface SagaStep {
  ns: NsRef;
  args: string[];
  what: string;
  field?: string;
}

/** A device the saga creates, with the MAC it gets in the create command itself. */
export interface PlannedDevice {
  ns: NsRef;
  name: string;
  mac: string;
}

export interface SagaOptions {
  /** Test hook: pretend the step with this 1-based number failed right after it succeeded. */
  failAfterStep?: number;
  /**
   * Test hook, awaited after each step succeeds: a promise that never settles (and a process that
   * is then SIGKILLed) simulates a crash between steps.
   */
  afterStep?: (step: number) => Promise<void> | void;
}

export type FinishIntent = (state: EndState, residue?: string[]) => void;

/**
 * Writes the intent durably and returns the function that closes it. Throws 503 when the
 * journal cannot be written: without the intent a crash could leave devices nobody can claim.
 */
export function openIntent(
  journal: IntentJournal,
  opId: string,
  action: string,
  ends: IntentEnd[],
  netns?: string,
): FinishIntent {
  try {
    journal.begin(opId, action, ends, netns);
  } catch (e) {
    throw new ActionError(503, 'journal', `cannot write the intent journal: ${String(e)}`);
  }
  return (state, residue) => {
    try {
      journal.end(opId, state, residue);
    } catch (e) {
      // The kernel already changed; the audit line still records the outcome.
      process.stderr.write(`netns-explorer: cannot write intent journal ${journal.path}: ${String(e)}\n`);
    }
  };
}

export const intentEnds = (devices: PlannedDevice[]): IntentEnd[] =>
  devices.map((d) => ({ nsId: d.ns.id, nsInode: d.ns.inode, name: d.name, mac: d.mac }));

/** This op's tag, or (failure before the tag step) the MAC this op chose for the device. */
export const madeByOp = (l: FreshLink, opId: string, mac: string) =>
  parseTag(l.ifalias)?.op === opId || sameMac(l.address, mac);

async function probe(op: Op, d: PlannedDevice): Promise<'ours' | 'absent' | 'other' | 'unknown'> {
  let l: FreshLink | null;
  try {
    l = await op.link(d.ns, d.name);
  } catch (e) {
    // A vanished namespace took its devices with it; any other error leaves us unsure.
    return e instanceof ActionError && e.code === 'namespace_gone' ? 'absent' : 'unknown';
  }
  if (!l) return 'absent';
  return madeByOp(l, op.id, d.mac) ? 'ours' : 'other';
}

/**
 * Removes whatever of the devices is ours (deleting one veth end takes the other with it) and
 * returns what may be left (`nsId/name`). A device of the same name that is not ours, e.g. after
 * a timed-out create that in fact failed, is never touched.
 */
export async function compensate(op: Op, devices: PlannedDevice[]): Promise<string[]> {
  for (const d of devices)
    if ((await probe(op, d)) === 'ours') await op.tryIp(d.ns, ['link', 'del', 'dev', d.name]);
  const residue: string[] = [];
  for (const d of devices) {
    const p = await probe(op, d);
    if (p === 'ours' || p === 'unknown') residue.push(`${d.ns.id}/${d.name}`);
  }
  return residue;
}

/**
 * Runs the steps under an intent; the first step must be the create. On failure after the create
 * (or a timed-out create, which may still have happened) it compensates, closes the intent as
 * `rolledBack` or `failed` (residue left to recoverOrphans()) and throws with `rolledBack`,
 * `residue` and `failedStep`.
 */
export async function runSaga(
  op: Op,
  action: string,
  devices: PlannedDevice[],
  steps: SagaStep[],
  opts: SagaOptions = {},
): Promise<void> {
  // Durable before the first mutation, MACs included: a crash right after the create is found.
  const finish = openIntent(op.ctx.intents, op.id, action, intentEnds(devices));
  let created = false;
  let failedStep = 0;
  try {
    for (const [i, s] of steps.entries()) {
      failedStep = i + 1;
      const r = await op.tryIp(s.ns, s.args);
      // A timed-out create may still have happened in the kernel: compensate then too.
      if (i === 0 && (r.exitCode === 0 || r.timedOut)) created = true;
      if (r.exitCode !== 0 || r.timedOut) throw ipFailure(r, s.what, s.field);
      await opts.afterStep?.(i + 1);
      if (opts.failAfterStep === i + 1)
        throw new ActionError(500, 'injected', `injected failure after step ${i + 1}`);
    }
  } catch (e) {
    if (!created) {
      finish('rolledBack');
      throw e;
    }
    const err = e instanceof ActionError ? e : new ActionError(500, 'internal', String(e));
    const residue = await compensate(op, devices);
    const rolledBack = residue.length === 0;
    finish(rolledBack ? 'rolledBack' : 'failed', residue);
    throw new ActionError(
      err.status,
      err.code,
      `${err.message}; ${rolledBack ? 'everything made was removed' : `could not remove ${residue.join(', ')}`}`,
      err.field,
      { rolledBack, residue, failedStep },
    );
  }
  finish('committed');
}
