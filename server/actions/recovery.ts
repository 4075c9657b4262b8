/**
 * Crash recovery at server start (checklist 20): removes devices tagged `netns-explorer:<op>`
 * whose op never committed (an intent without an end, a rollback that left residue, or, by
 * default, an op no journal knows), among the devices the current topology shows tagged (each
 * read again right before it is deleted), then untagged
 * devices a crashed op provably made (recoveryIntents.ts: its intent's name, namespace and MAC).
 * No other untagged device is ever touched; ops still running in a live process are left alone.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { ModelAccess } from '../modelAccess.js';
import type { AuditRecord } from './audit.js';
import type { IpTools, NsRef } from './context.js';
import type { TagInfo } from './context.js';
import { ActionContext, Op, parseTag, TAG_PREFIX } from './context.js';
import { ipFailure } from './errors.js';
import type { OpJournalState } from './intents.js';
import { processStart, writerAlive } from './intents.js';
import { writeAudit } from './perform.js';
import { recoverFromIntents } from './recoveryIntents.js';
import type { RecoveryReport } from './recoveryReport.js';

/** The model access (the refresh request optional) and where the journals are. */
export interface RecoveryDeps
  extends Pick<ModelAccess, 'getTopology' | 'namespacePath'>, Partial<Pick<ModelAccess, 'onKernelChanged'>> {
  auditLogPath: string;
  intentLogPath?: string;
}

export interface RecoveryOptions {
  /**
   * Tagged devices whose op appears in neither the intent journal nor the audit log (made by a
   * server with another journal, or before journals existed). `delete` follows checklist 20.
   */
  unknownOps?: 'delete' | 'keep';
  /** Test seam: stub binaries / timeout. */
  tools?: IpTools;
}

/** Op ids in the audit log, and which of them succeeded. */
function auditOps(path: string): { seen: Set<string>; ok: Set<string> } {
  const seen = new Set<string>();
  const ok = new Set<string>();
  if (!existsSync(path) || !statSync(path).isFile()) return { seen, ok };
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    try {
      const rec = JSON.parse(line) as Partial<AuditRecord>;
      if (typeof rec.op !== 'string' || rec.op === 'none') continue;
      seen.add(rec.op);
      if (rec.ok === true) ok.add(rec.op);
    } catch {
      // a torn last line after a crash
    }
  }
  return { seen, ok };
}

type Verdict = { remove: true } | { remove: false; reason: string };

function judge(
  tag: TagInfo,
  journal: Map<string, OpJournalState>,
  audit: { seen: Set<string>; ok: Set<string> },
  unknownOps: 'delete' | 'keep',
): Verdict {
  const opId = tag.op;
  const j = journal.get(opId);
  if (j?.end?.state === 'committed' || audit.ok.has(opId)) return { remove: false, reason: 'committed' };
  // Made by another server that is still running (it keeps its own journal): its own business.
  const w = tag.writer;
  if (w && w.pid !== process.pid && processStart(w.pid) === w.start)
    return { remove: false, reason: `made by the running server pid ${w.pid}` };
  if (j?.intent && !j.end && writerAlive(j.intent))
    return { remove: false, reason: `in progress in pid ${j.intent.pid}` };
  if (!j && !audit.seen.has(opId) && unknownOps === 'keep')
    return { remove: false, reason: 'unknown op (kept)' };
  return { remove: true };
}

/**
 * Call once at start, after the first discovery and before the actions router takes requests.
 * Never throws for kernel trouble: every device it could not handle is listed in `failed`.
 */
export async function recoverOrphans(
  deps: RecoveryDeps,
  opts: RecoveryOptions = {},
): Promise<RecoveryReport> {
  const report: RecoveryReport = { deleted: [], kept: [], failed: [], suspects: [], closedIntents: [] };
  const ctx = new ActionContext({
    readOnly: false,
    allowHostChanges: false,
    onKernelChanged: () => undefined,
    ...deps,
  });
  if (opts.tools) ctx.tools = opts.tools;
  if (!ctx.intents.path) {
    // Without a journal there is no way to tell committed ops from crashed ones.
    report.skipped = 'no intent journal (the audit log is not a regular file)';
    return report;
  }
  const journal = ctx.intents.read();
  const audit = auditOps(deps.auditLogPath);
  const unknownOps = opts.unknownOps ?? 'delete';
  const op = new Op(ctx);
  const touched = new Set<string>();
  const failedOps = new Set<string>();

  // Tagged devices as the start-up discovery read them (their ifalias): only those are read
  // again, one `ip` each, instead of listing every namespace's links (300 spawns at 300
  // namespaces, each blocking the event loop while the first clients are being served).
  const topology = deps.getTopology();
  const tagged = topology.interfaces.filter((i) => i.alias?.startsWith(TAG_PREFIX));
  for (const l of tagged) {
    let ns: NsRef;
    try {
      ns = ctx.ns(l.namespace, 'namespace');
    } catch {
      continue; // vanished since discovery: its devices went with it
    }
    const alias = l.alias ?? '';
    const tag = parseTag(alias);
    if (!tag) continue;
    const dev = { namespace: l.namespace, name: l.name, op: tag.op };
    const v = judge(tag, journal, audit, unknownOps);
    if (!v.remove) {
      report.kept.push({ ...dev, reason: v.reason });
      continue;
    }
    // Re-read right before deleting: the name must still be the same tagged device.
    const fresh = await op.link(ns, l.name).catch(() => null);
    if (!fresh) continue; // gone already (the other end of a veth we just deleted)
    if (fresh.ifindex !== l.ifindex || fresh.ifalias !== alias) continue;
    const del = await op.tryIp(ns, ['link', 'del', 'dev', l.name]);
    const gone = del.exitCode === 0 || ipFailure(del, '').code === 'not_found';
    if (gone) {
      report.deleted.push(dev);
      touched.add(l.namespace);
    } else {
      report.failed.push({ ...dev, error: ipFailure(del, `deleting ${l.name}`).message });
      failedOps.add(dev.op);
    }
  }

  // Crashed before the tag: untagged devices proven ours by name + MAC go, the rest is reported.
  await recoverFromIntents({ ctx, op, report, failedOps, touched }, journal, audit.ok, topology.namespaces);

  // Crashed intents are closed so the next start does not look at them again.
  for (const [id, j] of journal) {
    if (!j.intent || failedOps.has(id)) continue;
    const unfinished = !j.end || j.end.state === 'failed';
    if (unfinished && !(j.end === undefined && writerAlive(j.intent))) {
      try {
        ctx.intents.end(id, 'recovered');
        report.closedIntents.push(id);
      } catch (e) {
        process.stderr.write(`netns-explorer: cannot write intent journal: ${String(e)}\n`);
      }
    }
  }

  if (report.deleted.length > 0 || report.failed.length > 0) {
    writeAudit(ctx, {
      ts: new Date().toISOString(),
      op: op.id,
      action: 'recovery',
      params: { deleted: report.deleted, failed: report.failed },
      commands: op.commands.filter((c) => c.argv.includes('del')),
      status: report.failed.length ? 500 : 200,
      ok: report.failed.length === 0,
    });
  }
  for (const s of report.suspects)
    process.stderr.write(
      `netns-explorer: ${s.name} in ${s.namespace} may be left over from crashed operation ${s.op}; nothing proves it was ours, so it was not deleted\n`,
    );
  if (touched.size > 0) deps.onKernelChanged?.([...touched]);
  return report;
}
