/**
 * The second pass of crash recovery: what a crashed op made but never tagged. The kernel ignores
 * an alias given to `ip link add`, so a crash between the create and the tag leaves untagged
 * devices. The intent, written before the create, names each device with the MAC we gave it in
 * the create itself; a device whose namespace, name and MAC all match, and that nobody has given
 * an alias since, is ours and is removed. Anything else is only reported (`suspects`): a user's
 * device of the same name, an intent from before MACs were recorded, a namespace of a crashed
 * `ip netns add` (a namespace carries no marker from its creation on).
 */
import { lstatSync } from 'node:fs';
import { nsId } from '../../common/ids.js';
import type { Namespace } from '../../common/model.js';
import type { ActionContext, FreshLink, NsRef, Op } from './context.js';
import { isTagged } from './context.js';
import { ActionError } from './errors.js';
import type { IntentEnd, IntentRecord, OpJournalState } from './intents.js';
import { writerAlive } from './intents.js';
import { sameMac } from './mac.js';
import type { RecoveredDevice, RecoveryReport } from './recoveryReport.js';
import { RUN_NETNS } from './namespaces.js';
import { NETNS_NAME_RE } from '../../common/api.js';

export interface IntentPass {
  ctx: ActionContext;
  op: Op;
  report: RecoveryReport;
  /** Ops whose intent stays open (reported again at the next start). */
  failedOps: Set<string>;
  /** Namespaces where something was deleted (refreshed afterwards). */
  touched: Set<string>;
}

/** Crashed: no end and a dead writer, or a rollback that left residue; never a committed op. */
export function crashedIntent(j: OpJournalState, auditOk: boolean): IntentRecord | null {
  if (!j.intent || auditOk) return null;
  if (j.end ? j.end.state !== 'failed' : writerAlive(j.intent)) return null;
  return j.intent;
}

type Read = { link: FreshLink | null } | { error: string };

async function read(op: Op, ns: NsRef, name: string): Promise<Read> {
  try {
    return { link: await op.link(ns, name) };
  } catch (e) {
    // A vanished namespace took its devices with it; anything else leaves us unsure.
    if (e instanceof ActionError && e.code === 'namespace_gone') return { link: null };
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

/** Ours: made with exactly this MAC, and no alias since (no tag yet, and nobody else's). */
const provenOurs = (l: FreshLink, e: IntentEnd) => !l.ifalias && sameMac(l.address, e.mac);

async function recoverEnds(p: IntentPass, opId: string, intent: IntentRecord, live: Namespace[]) {
  const matched: Array<{ ns: NsRef; end: IntentEnd; ifindex: number; dev: RecoveredDevice }> = [];
  for (const end of intent.ends) {
    // Same id but another inode: the namespace we wrote into is gone, and its devices with it.
    if (!live.some((n) => n.id === end.nsId && n.inode === end.nsInode)) continue;
    let ns: NsRef;
    try {
      ns = p.ctx.ns(end.nsId, 'namespace');
    } catch {
      continue;
    }
    const dev = { namespace: end.nsId, name: end.name, op: opId };
    const r = await read(p.op, ns, end.name);
    if ('error' in r) {
      p.report.failed.push({ ...dev, error: r.error });
      p.failedOps.add(opId);
    } else if (!r.link || isTagged(r.link)) {
      // Absent, or tagged: the tag pass has judged it by its op.
    } else if (provenOurs(r.link, end)) {
      matched.push({ ns, end, ifindex: r.link.ifindex, dev });
    } else {
      p.report.suspects.push(dev);
      p.failedOps.add(opId);
    }
  }
  for (const m of matched) {
    // Re-read right before deleting: still the same device with our MAC (a veth end may already
    // be gone with its peer).
    const r = await read(p.op, m.ns, m.end.name);
    if ('error' in r || !r.link) continue;
    if (r.link.ifindex !== m.ifindex || !provenOurs(r.link, m.end)) continue;
    await p.op.tryIp(m.ns, ['link', 'del', 'dev', m.end.name]);
  }
  for (const m of matched) {
    const r = await read(p.op, m.ns, m.end.name);
    if (!('error' in r) && (r.link === null || r.link.ifindex !== m.ifindex)) {
      p.report.deleted.push(m.dev);
      p.touched.add(m.ns.id);
    } else {
      const error = 'error' in r ? r.error : `${m.end.name} is still there after ip link del`;
      p.report.failed.push({ ...m.dev, error });
      p.failedOps.add(opId);
    }
  }
}

/** A namespace a crashed `ip netns add` may have made: report it, never delete it. */
function reportNamespace(p: IntentPass, opId: string, name: string): void {
  if (!NETNS_NAME_RE.test(name)) return; // the journal is ours, but a path is built from it
  let ino: number;
  try {
    ino = lstatSync(`${RUN_NETNS}/${name}`).ino;
  } catch {
    return; // never made, or deleted since: nothing left
  }
  p.report.suspects.push({ namespace: nsId(ino), name, op: opId });
  p.failedOps.add(opId);
}

export async function recoverFromIntents(
  p: IntentPass,
  journal: Map<string, OpJournalState>,
  auditOk: Set<string>,
  live: Namespace[],
): Promise<void> {
  for (const [id, j] of journal) {
    const intent = crashedIntent(j, auditOk.has(id));
    if (!intent) continue;
    if (intent.netns !== undefined) reportNamespace(p, id, intent.netns);
    else await recoverEnds(p, id, intent, live);
  }
}
