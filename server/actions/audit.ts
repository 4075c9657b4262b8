/**
 * The audit journal: one JSON line per mutating request, appended to a file only root can read.
 * It is also the memory of what netns-explorer made (namespaces, host addresses), so that
 * ownership survives a restart.
 */
import {
  closeSync,
  existsSync,
  fchmodSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';

export interface CommandRecord {
  argv: readonly string[];
  rc: number;
  durationMs: number;
  timedOut?: boolean;
}

export interface AuditRecord {
  ts: string;
  op: string;
  action: string;
  params: unknown;
  commands: CommandRecord[];
  status: number;
  ok: boolean;
  error?: string;
  rollback?: { rolledBack: boolean; residue: string[] };
  /** What this request made, so ownership can be rebuilt from the journal. */
  made?: Made;
  /** What this request removed of what netns-explorer had made. */
  unmade?: Made;
}

export interface Made {
  namespaces?: string[];
  addresses?: string[];
}

const MAX_PARAMS = 2048;

/** Bodies are capped so a hostile request cannot bloat the journal. Never contains headers. */
export function auditParams(params: unknown): unknown {
  let text: string;
  try {
    text = JSON.stringify(params) ?? 'undefined';
  } catch {
    return { unserialisable: true };
  }
  return text.length > MAX_PARAMS ? { truncated: text.slice(0, MAX_PARAMS) } : params;
}

export class AuditLog {
  constructor(readonly path: string) {}

  /** Synchronous on purpose: the line is on disk before the response leaves. */
  append(rec: AuditRecord): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const fd = openSync(this.path, 'a', 0o600);
    try {
      // The mode argument only applies on creation; tighten a pre-existing regular file too
      // (never a device such as /dev/null).
      const st = fstatSync(fd);
      if (st.isFile() && (st.mode & 0o777) !== 0o600) fchmodSync(fd, 0o600);
      writeSync(fd, JSON.stringify(rec) + '\n');
    } finally {
      closeSync(fd);
    }
  }

  /** Successful records' `made`/`unmade`, oldest first; unreadable lines are skipped. */
  readMade(): Array<Pick<AuditRecord, 'made' | 'unmade'>> {
    if (!existsSync(this.path) || !fstatIsFile(this.path)) return [];
    const out: Array<Pick<AuditRecord, 'made' | 'unmade'>> = [];
    for (const line of readFileSync(this.path, 'utf8').split('\n')) {
      if (!line.includes('made"')) continue;
      try {
        const rec = JSON.parse(line) as Partial<AuditRecord>;
        if (rec.ok) out.push({ made: rec.made, unmade: rec.unmade });
      } catch {
        // a torn last line after a crash
      }
    }
    return out;
  }
}

function fstatIsFile(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    return fstatSync(fd).isFile();
  } finally {
    closeSync(fd);
  }
}
