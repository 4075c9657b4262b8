import { describe, expect, it } from 'vitest';
import type { ProcSource } from './procProbe.js';
import { ProcProbe, realProc, taskStamp } from './procProbe.js';

/** A /proc whose processes and namespaces the test sets. */
class FakeProc implements ProcSource {
  lastPid = 100;
  running = 1;
  tasks = 50;
  ns = new Map<number, number>([
    [1, 10],
    [2, 10],
  ]);
  reads = { pids: 0, netInode: 0 };
  loadavg(): string {
    this.running = this.running === 1 ? 2 : 1; // busy machines: changes on every read
    return `0.10 0.20 0.30 ${this.running}/${this.tasks} ${this.lastPid}\n`;
  }
  pids(): number[] {
    this.reads.pids++;
    return [...this.ns.keys()];
  }
  netInode(pid: number): number | null {
    this.reads.netInode++;
    return this.ns.get(pid) ?? null;
  }
  fork(pid: number, inode: number): void {
    this.ns.set(pid, inode);
    this.lastPid = pid;
    this.tasks++;
  }
  exit(pid: number): void {
    this.ns.delete(pid);
    this.tasks--;
  }
}

function probeOn(proc: FakeProc): ProcProbe {
  const p = new ProcProbe(proc);
  p.reset([10, 20], [1]);
  expect(p.check(0)).toBeNull(); // the first look only learns
  return p;
}

describe('ProcProbe', () => {
  it('reads the task fields of /proc/loadavg', () => {
    expect(taskStamp('0.00 0.01 0.05 2/345 6789\n')).toBe('345 6789');
    // Only the running count changed: no task came or went.
    expect(taskStamp('0.00 0.01 0.05 1/345 6789\n')).toBe('345 6789');
    expect(taskStamp(realProc.loadavg())).toMatch(/^\d+ \d+$/);
  });

  it('lists /proc only when tasks came or went', () => {
    const proc = new FakeProc();
    const p = probeOn(proc);
    const listed = proc.reads.pids;
    for (let t = 1; t < 20; t++) expect(p.check(t * 50)).toBeNull();
    expect(proc.reads.pids).toBe(listed);
  });

  it('asks for a scan when a new process is in a namespace not known', () => {
    const proc = new FakeProc();
    const p = probeOn(proc);
    proc.fork(3, 10);
    expect(p.check(50)).toBeNull(); // forked into the host's namespace
    proc.fork(4, 99);
    expect(p.check(100)).toMatch(/pid 4 .*not seen/);
    expect(p.check(150)).toBeNull(); // once per namespace
  });

  it('catches a young process that unshares after its fork, until it is no longer young', () => {
    const proc = new FakeProc();
    const p = probeOn(proc);
    proc.fork(5, 10);
    expect(p.check(50)).toBeNull();
    proc.ns.set(5, 77); // unshare(2): no new task, so loadavg does not change
    expect(p.check(100)).toMatch(/pid 5/);
    proc.fork(6, 10);
    expect(p.check(200)).toBeNull();
    proc.ns.set(6, 78);
    expect(p.check(200 + 1001)).toBeNull(); // too old to be watched: the 2 s scan finds it
  });

  it('asks for a scan when a namespace holder exits, not when any process does', () => {
    const proc = new FakeProc();
    const p = probeOn(proc);
    proc.exit(2);
    expect(p.check(50)).toBeNull();
    proc.exit(1);
    expect(p.check(100)).toMatch(/holder 1 exited/);
  });

  it('turns a failing /proc read into a request for a scan', () => {
    const proc = new FakeProc();
    const p = probeOn(proc);
    proc.loadavg = () => {
      throw new Error('EIO');
    };
    expect(p.check(50)).toMatch(/EIO/);
  });
});
