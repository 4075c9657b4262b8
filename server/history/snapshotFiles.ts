/** Reading snapshot files from disk for `view` and `diff`, and the text `diff` prints. */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { diffTopology } from '../../common/delta.js';
import { describeOps, lookupOf } from '../../common/describeChange.js';
import { parseSnapshotFile } from '../../common/snapshotFile.js';
import type { ParsedSnapshot } from '../../common/snapshotFile.js';

/** Bigger than any real host's model (300 namespaces is ~2 MB); refuses a wrong multi-GB file. */
const MAX_FILE_BYTES = 256 * 1024 * 1024;

export async function readSnapshotFile(path: string): Promise<ParsedSnapshot> {
  let text: string;
  try {
    const buf = await readFile(path);
    if (buf.length > MAX_FILE_BYTES)
      throw new Error(`${path} is too big to be a snapshot (${buf.length} bytes)`);
    text = buf.toString('utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`${path}: no such file`);
    if (code === 'EISDIR') throw new Error(`${path} is a directory, not a snapshot file`);
    throw e;
  }
  const parsed = parseSnapshotFile(text, basename(path));
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.snapshot;
}

function label(name: string, s: ParsedSnapshot): string {
  const parts = [s.takenAt ?? 'time unknown', s.host ? `host ${s.host}` : null].filter(Boolean);
  return `${name} (${parts.join(', ')})`;
}

/** What `netns-explorer diff A B` prints: a heading, then one line per change. */
export function diffText(aName: string, a: ParsedSnapshot, bName: string, b: ParsedSnapshot): string {
  const ops = diffTopology(a.topology, b.topology) ?? [];
  const lines = describeOps(ops, lookupOf(a.topology));
  const head = `${label(aName, a)} -> ${label(bName, b)}: ${lines.length === 0 ? 'no changes' : `${lines.length} change${lines.length === 1 ? '' : 's'}`}`;
  return [head, ...lines.map((l) => `  ${l}`)].join('\n') + '\n';
}
