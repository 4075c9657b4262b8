import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeRecord, encodeRecord, scanRecords } from './format.js';
import { HistoryStore } from './store.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'nx-history-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function segmentFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => n.startsWith('seg-'))
    .sort();
}

describe('record format', () => {
  it('round-trips a record and rejects a flipped byte', () => {
    const line = encodeRecord({ seq: 7, time: 1700000000000, kind: 'd' }, '{"a":1}');
    expect(line.endsWith('\n')).toBe(true);
    expect(decodeRecord(line.slice(0, -1))).toEqual({
      seq: 7,
      time: 1700000000000,
      kind: 'd',
      payload: '{"a":1}',
    });
    expect(decodeRecord(line.slice(0, -1).replace('"a"', '"b"'))).toBeNull();
  });

  it('scans whole records and stops at a torn one', () => {
    const a = encodeRecord({ seq: 1, time: 1, kind: 's' }, '{}');
    const b = encodeRecord({ seq: 2, time: 2, kind: 'd' }, '{"x":"y"}');
    for (let cut = 0; cut < b.length; cut++) {
      const buf = Buffer.from(a + b.slice(0, cut));
      const { records, validBytes } = scanRecords(buf);
      expect(records.map((r) => r.seq)).toEqual([1]);
      expect(validBytes).toBe(Buffer.byteLength(a));
    }
    expect(scanRecords(Buffer.from(a + b)).records.map((r) => r.seq)).toEqual([1, 2]);
  });

  it('stops at a record whose sequence does not grow (a stale tail after a reused file)', () => {
    const a = encodeRecord({ seq: 5, time: 1, kind: 's' }, '{}');
    const b = encodeRecord({ seq: 5, time: 2, kind: 'd' }, '{}');
    expect(scanRecords(Buffer.from(a + b)).records).toHaveLength(1);
  });
});

describe('HistoryStore', () => {
  it('appends, reopens and reads back every record', () => {
    const dir = tempDir();
    const s1 = HistoryStore.open({ dir, maxBytes: 1e7 });
    s1.append('s', 1000, '{"n":0}');
    for (let i = 1; i <= 20; i++) s1.append('d', 1000 + i, `{"n":${i}}`);
    s1.close();
    const s2 = HistoryStore.open({ dir, maxBytes: 1e7 });
    const seg = s2.segments[0]!;
    expect(seg.records).toHaveLength(21);
    const lines = s2.read(seg, 0, 20);
    expect(lines.map((l) => JSON.parse(l.payload) as { n: number }).map((p) => p.n)).toEqual(
      Array.from({ length: 21 }, (_, i) => i),
    );
    expect(s2.append('d', 5000, '{"n":21}')).toBe(22);
    s2.close();
  });

  it('cuts a torn tail at every possible byte, keeps what was whole, and appends after it', () => {
    const dir = tempDir();
    const s = HistoryStore.open({ dir, maxBytes: 1e7 });
    s.append('s', 1, '{"model":true}');
    s.append('d', 2, '{"n":1}');
    s.close();
    const path = join(dir, segmentFiles(dir)[0]!);
    const whole = readFileSync(path);
    const torn = encodeRecord({ seq: 3, time: 3, kind: 'd' }, '{"n":2,"pad":"xxxxxxxx"}');
    for (let cut = 1; cut < torn.length; cut++) {
      writeFileSync(path, Buffer.concat([whole, Buffer.from(torn.slice(0, cut))]));
      const r = HistoryStore.open({ dir, maxBytes: 1e7 });
      expect(r.segments[0]!.records.map((x) => x.seq)).toEqual([1, 2]);
      expect(statSync(path).size).toBe(whole.length);
      expect(r.append('d', 4, '{"n":3}')).toBe(3);
      r.close();
      writeFileSync(path, whole);
    }
  });

  it('cuts garbage (a zeroed tail, as after a power cut) and a corrupt record', () => {
    const dir = tempDir();
    const s = HistoryStore.open({ dir, maxBytes: 1e7 });
    s.append('s', 1, '{}');
    s.close();
    const path = join(dir, segmentFiles(dir)[0]!);
    appendFileSync(path, Buffer.alloc(100));
    const r = HistoryStore.open({ dir, maxBytes: 1e7 });
    expect(r.segments[0]!.records).toHaveLength(1);
    r.close();
    expect(statSync(path).size).toBe(r.segments[0]!.bytes);
  });

  it('drops a segment torn before its first full model', () => {
    const dir = tempDir();
    const s = HistoryStore.open({ dir, maxBytes: 1e7, segmentBytes: 100 });
    s.append('s', 1, JSON.stringify({ model: 'x'.repeat(150) }));
    s.append('c', 2, '{"model":2}', true);
    s.close();
    const files = segmentFiles(dir);
    expect(files).toHaveLength(2);
    truncateSync(join(dir, files[1]!), 10);
    const r = HistoryStore.open({ dir, maxBytes: 1e7 });
    expect(r.segments).toHaveLength(1);
    expect(segmentFiles(dir)).toEqual([files[0]]);
    r.close();
  });

  it('refuses a delta as the first record of a segment', () => {
    const s = HistoryStore.open({ dir: tempDir(), maxBytes: 1e7 });
    expect(() => s.append('d', 1, '{}')).toThrow(/must begin with a full model/);
    s.close();
  });

  it('drops the oldest segments to stay under the size cap', () => {
    const dir = tempDir();
    const s = HistoryStore.open({ dir, maxBytes: 3000, segmentBytes: 1000 });
    // Random text: compression must not be what keeps it under the cap here.
    const pad = () => randomBytes(100).toString('hex');
    s.append('s', 1, `{"p":"${pad()}"}`);
    for (let i = 2; i < 100; i++) {
      s.append('d', i, `{"p":"${pad()}"}`);
      if (s.wantsRotation) s.append('c', i, `{"p":"${pad()}"}`, true);
    }
    expect(s.totalBytes).toBeLessThanOrEqual(3000 + 1000 + 300);
    const files = segmentFiles(dir);
    expect(files.length).toBeLessThan(10);
    expect(s.segments[0]!.records[0]!.seq).toBeGreaterThan(1);
    expect(s.segments[0]!.records[0]!.kind).toBe('c');
    s.close();
  });

  it('gzips sealed segments, reads them back, and recovers from a crash while compressing', () => {
    const dir = tempDir();
    const s = HistoryStore.open({ dir, maxBytes: 1e8, segmentBytes: 2000 });
    const payload = (i: number) => JSON.stringify({ i, pad: 'abc'.repeat(50) });
    s.append('s', 1, payload(0));
    for (let i = 1; i < 60; i++) {
      s.append('d', i, payload(i));
      if (s.wantsRotation) s.append('c', i, payload(i), true);
    }
    const files = segmentFiles(dir);
    expect(files.filter((f) => f.endsWith('.log.gz')).length).toBe(files.length - 1);
    expect(s.segments[0]!.diskBytes).toBeLessThan(s.segments[0]!.bytes / 3);
    const first = s.segments[0]!;
    expect(
      s.read(first, 0, first.records.length - 1).map((l) => (JSON.parse(l.payload) as { i: number }).i)[1],
    ).toBe(1);
    s.close();

    // A crash after the compressed copy was renamed in but before the original was removed,
    // and one in the middle of writing a compressed copy.
    const sealed = join(dir, files[0]!);
    const original = sealed.slice(0, -'.gz'.length);
    writeFileSync(original, 'stale original');
    writeFileSync(`${join(dir, files[1]!)}.tmp`, 'half a gzip');
    const r = HistoryStore.open({ dir, maxBytes: 1e8, segmentBytes: 2000 });
    expect(segmentFiles(dir)).toEqual(files);
    const seqs = r.segments.flatMap((g) => g.records.map((x) => x.seq));
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    r.close();
  });

  it('keeps time monotonic when the clock steps back', () => {
    const s = HistoryStore.open({ dir: tempDir(), maxBytes: 1e7 });
    s.append('s', 5000, '{}');
    s.append('d', 4000, '{}');
    expect(s.segments[0]!.records.map((r) => r.time)).toEqual([5000, 5000]);
    s.close();
  });

  it('refuses a directory another live process holds', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'LOCK'), `${process.ppid}\n`);
    expect(() => HistoryStore.open({ dir, maxBytes: 1e7 })).toThrow(/in use by process/);
    writeFileSync(join(dir, 'LOCK'), '999999999\n');
    HistoryStore.open({ dir, maxBytes: 1e7 }).close();
  });
});
