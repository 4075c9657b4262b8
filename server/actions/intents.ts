/**
 * The intent journal (crash safety, checklist 20): before a multi-step creation touches the
 * kernel, one fsynced line says what it is about to make; when it ends, a second line says
 * `committed` or `rolledBack`. An intent without an end whose writer process is dead is a crash,
 * and recoverOrphans() removes what it made (tagged, or untagged with the intent's name and MAC). Lives beside the audit log, root-only (0600 in a
 * 0700 directory).
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';

export interface IntentEnd {
  nsId: string;
  nsInode: number;
  name: string;
  /**
   * The MAC we gave the device in the create itself (mac.ts). With it, recovery can tell an
   * untagged device we made (crash between the create and the tag) from a user's device of the
   * same name. Absent in journals written before MACs were chosen: such ends stay suspects.
   */
  mac?: string;
}

export interface IntentRecord {
  t: 'intent';
  op: string;
  action: string;
  ts: string;
  /** Writer pid and its start time (/proc/PID/stat field 22): tells a crash from an op in flight. */
  pid: number;
  pidStart: string;
  ends: IntentEnd[];
  /** `ip netns add` of this name (no device ends; a namespace cannot be marked at creation). */
  netns?: string;
}

export type EndState = 'committed' | 'rolledBack' | 'failed' | 'recovered';

export interface EndRecord {
  t: 'end';
  op: string;
  state: EndState;
  ts: string;
  residue?: string[];
}

export interface OpJournalState {
  intent?: IntentRecord;
  /** The last end line for the op (a `failed` op may later be `recovered`). */
  end?: EndRecord;
}

/** Start time of a process, or null when it does not exist or is a zombie. */
export function processStart(pid: number | 'self'): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm may contain spaces and parentheses: fields are counted after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (rest[0] === 'Z' || rest[0] === 'X') return null;
    return rest[19] ?? null;
  } catch {
    return null;
  }
}

export const SELF_START = processStart('self') ?? '';

export class IntentJournal {
  /** null: no journal (the audit log is a device such as /dev/null); nothing is recorded. */
  constructor(readonly path: string | null) {}

  /** `<audit log>.intents`, or no journal when the audit log is not a regular file. */
  static beside(auditLogPath: string, override?: string): IntentJournal {
    if (override) return new IntentJournal(override);
    try {
      if (existsSync(auditLogPath) && !statSync(auditLogPath).isFile()) return new IntentJournal(null);
    } catch {
      // unreadable: let the first write report it
    }
    return new IntentJournal(`${auditLogPath}.intents`);
  }

  /** Records an intent durably; throws if it cannot (the caller must not touch the kernel then). */
  begin(op: string, action: string, ends: IntentEnd[], netns?: string): void {
    this.write({
      t: 'intent',
      op,
      action,
      ts: new Date().toISOString(),
      pid: process.pid,
      pidStart: SELF_START,
      ends,
      ...(netns === undefined ? {} : { netns }),
    });
  }

  end(op: string, state: EndState, residue?: string[]): void {
    this.write({
      t: 'end',
      op,
      state,
      ts: new Date().toISOString(),
      ...(residue?.length ? { residue } : {}),
    });
  }

  /** Every op in the journal; torn or foreign lines are skipped. */
  read(): Map<string, OpJournalState> {
    const out = new Map<string, OpJournalState>();
    if (!this.path || !existsSync(this.path)) return out;
    for (const line of readFileSync(this.path, 'utf8').split('\n')) {
      let rec: Partial<IntentRecord | EndRecord>;
      try {
        rec = JSON.parse(line) as Partial<IntentRecord | EndRecord>;
      } catch {
        continue; // empty, or torn by a crash mid-write
      }
      if (typeof rec.op !== 'string') continue;
      const s = out.get(rec.op) ?? {};
      if (rec.t === 'intent') s.intent = rec as IntentRecord;
      else if (rec.t === 'end') s.end = rec as EndRecord;
      else continue;
      out.set(rec.op, s);
    }
    return out;
  }

  private write(rec: IntentRecord | EndRecord): void {
    if (!this.path) return;
    const dir = dirname(this.path);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const created = !existsSync(this.path);
    const fd = openSync(this.path, 'a', 0o600);
    try {
      writeSync(fd, JSON.stringify(rec) + '\n');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    // A new file's directory entry must be durable too, or a crash can lose the whole journal.
    if (created) {
      const dfd = openSync(dir, 'r');
      try {
        fsyncSync(dfd);
      } finally {
        closeSync(dfd);
      }
    }
  }
}

/** An intent whose writer still runs (same pid and start time) is in flight, not orphaned. */
export function writerAlive(intent: IntentRecord): boolean {
  const start = processStart(intent.pid);
  return start !== null && start === intent.pidStart;
}
