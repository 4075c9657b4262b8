/**
 * Pure pieces of a capture's packet flow: merging the packets of several tcpdump processes by
 * time, and the rate limit on summaries sent to the page.
 */

export interface TimedPacket {
  tsUs: number;
  /** Index of the interface in the capture (ties at equal times keep this order). */
  ifIndex: number;
}

/**
 * Each tcpdump delivers its own packets in time order, but the processes run independently and
 * libpcap hands them over in blocks. A packet stamped T is released once every other interface
 * has delivered something stamped T or later (nothing earlier can come from it any more), or once
 * it is older than `holdUs` by the wall clock (the kernel stamps packets with that clock), for
 * interfaces that stay quiet.
 */
export class TimeMerger<T extends TimedPacket> {
  private held: T[] = [];
  private readonly latest: number[];

  constructor(
    streams: number,
    private readonly holdUs: number,
  ) {
    this.latest = Array.from({ length: streams }, () => -Infinity);
  }

  push(p: T): void {
    this.held.push(p);
    if (p.tsUs > (this.latest[p.ifIndex] ?? -Infinity)) this.latest[p.ifIndex] = p.tsUs;
  }

  get size(): number {
    return this.held.length;
  }

  /** The packets that can no longer be preceded by one still to come (all with `all`), in time order. */
  drain(nowUs: number, all = false): T[] {
    if (this.held.length === 0) return [];
    const old = nowUs - this.holdUs;
    // Stable sort: equal times keep arrival order within an interface.
    const sorted = this.held.slice().sort((a, b) => a.tsUs - b.tsUs || a.ifIndex - b.ifIndex);
    let n = 0;
    while (n < sorted.length && (all || this.releasable(sorted[n]!, old))) n++;
    this.held = sorted.slice(n);
    return sorted.slice(0, n);
  }

  private releasable(p: T, old: number): boolean {
    if (p.tsUs <= old) return true;
    return this.latest.every((t, i) => i === p.ifIndex || t >= p.tsUs);
  }
}

/** Token bucket: `ratePerS` on average, bursts up to `burst`. */
export class RateLimiter {
  private tokens: number;
  private lastMs: number | null = null;

  constructor(
    private readonly ratePerS: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
  }

  take(nowMs: number): boolean {
    if (this.lastMs !== null) {
      this.tokens = Math.min(this.burst, this.tokens + ((nowMs - this.lastMs) * this.ratePerS) / 1000);
    }
    this.lastMs = nowMs;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** Packets per second from two samples of a counter (what the canvas shows per interface). */
export function ratePerSecond(before: number, after: number, elapsedMs: number): number {
  if (elapsedMs <= 0) return 0;
  return Math.max(0, ((after - before) * 1000) / elapsedMs);
}

/** tcpdump's statistics line (at SIGUSR1 and at exit): the kernel's drop count, or null. */
export function parseDrops(line: string): number | null {
  const m = /(\d+) packets? dropped by kernel/.exec(line);
  return m ? Number(m[1]) : null;
}
