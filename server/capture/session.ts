/**
 * One capture: a tcpdump per interface, their packets merged by time into one pcapng, summaries
 * (rate-limited) and counters to the live clients, and every way it can end: stop, time or size
 * limit, an interface or namespace gone, its last page closed, the server stopping. Whatever
 * the way, every tcpdump of it is stopped before it reports itself ended.
 */
import { statSync } from 'node:fs';
import { emptyCounters, CAPTURE_LIMITS } from '../../common/capture.js';
import type { CaptureInfo, CaptureServerMessage, PacketSummary } from '../../common/capture.js';
import { decodePacket } from './decode.js';
import { RateLimiter, TimeMerger } from './flow.js';
import { PcapngFile } from './pcapng.js';
import type { PcapHeader } from './pcapReader.js';
import { namespaceHeld } from './targets.js';
import type { CaptureTarget } from './targets.js';
import { TcpdumpProcess } from './tcpdump.js';

/**
 * Packets are held this long for the other interfaces' packets of the same moment: libpcap hands
 * each tcpdump its packets in blocks at most 1 s late (see tcpdump.ts), plus slack for a busy box.
 */
const HOLD_US = 1_500_000;
const TICK_MS = 100;
const STATS_MS = 1000;
const START_TIMEOUT_MS = 10_000;

interface Held {
  tsUs: number;
  ifIndex: number;
  origLen: number;
  data: Buffer;
}

export type Listener = (msg: CaptureServerMessage) => void;

export interface SessionOptions {
  id: string;
  targets: CaptureTarget[];
  filter: string | null;
  maxSeconds: number;
  maxBytes: number;
  /** Told once, when the capture has ended and its tcpdumps are gone. */
  ended(info: CaptureInfo): void;
  inodeOf?(path: string): number | null;
}

function statInode(path: string): number | null {
  try {
    return statSync(path).ino;
  } catch {
    return null;
  }
}

export class CaptureSession {
  readonly counters = emptyCounters();
  readonly startedAt = new Date();
  endedAt: Date | null = null;
  endReason: string | null = null;
  private readonly procs: TcpdumpProcess[] = [];
  private readonly headers: Array<PcapHeader | null>;
  private readonly drops: number[];
  private readonly merger: TimeMerger<Held>;
  // A burst of one second's worth: libpcap delivers packets in blocks up to a second apart.
  private readonly limiter = new RateLimiter(
    CAPTURE_LIMITS.summariesPerSecond,
    CAPTURE_LIMITS.summariesPerSecond,
  );
  private file: PcapngFile | null = null;
  private readonly listeners = new Set<Listener>();
  private hadListener = false;
  private timers: NodeJS.Timeout[] = [];
  private ending: Promise<void> | null = null;
  private packetNo = 0;
  private countersSentMs = 0;
  private readonly inodeOf: (path: string) => number | null;

  constructor(readonly opts: SessionOptions) {
    this.headers = opts.targets.map(() => null);
    this.merger = new TimeMerger<Held>(opts.targets.length, HOLD_US);
    this.drops = opts.targets.map(() => 0);
    this.inodeOf = opts.inodeOf ?? statInode;
    for (const t of opts.targets) this.counters.perInterface[t.iface.id] = 0;
  }

  get id(): string {
    return this.opts.id;
  }

  get running(): boolean {
    return this.endedAt === null;
  }

  /** The tcpdump pids (tests check that none survives). */
  get pids(): number[] {
    return this.procs.map((p) => p.pid).filter((p): p is number => p !== undefined);
  }

  /**
   * Starts a tcpdump per interface and resolves once every one listens and has sent its pcap
   * header, or rejects with the first one's complaint (then all are stopped).
   */
  async start(): Promise<void> {
    const ready = this.opts.targets.map((t, i) => {
      let listening = false;
      let resolveReady!: () => void;
      let rejectReady!: (e: Error) => void;
      const p = new Promise<void>((res, rej) => ([resolveReady, rejectReady] = [res, rej]));
      const check = (): void => {
        if (listening && this.headers[i]) resolveReady();
      };
      const proc = new TcpdumpProcess({ nsPath: t.nsPath, ifName: t.iface.name }, this.opts.filter, {
        header: (h) => {
          this.headers[i] = h;
          check();
        },
        listening: () => {
          listening = true;
          check();
        },
        packets: (records) => {
          for (const r of records) this.merger.push({ ...r, ifIndex: i });
        },
        drops: (n) => {
          this.drops[i] = n;
        },
        exit: (code, signal, message) => {
          const why = message ?? `tcpdump exited (${signal ?? `code ${code}`})`;
          rejectReady(new Error(`${t.iface.label}: ${why}`));
          if (this.running) void this.end(`capture on ${t.iface.label} ended: ${why}`);
        },
      });
      this.procs.push(proc);
      return p;
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, rej) => {
      timer = setTimeout(() => rej(new Error('tcpdump did not start within 10 s')), START_TIMEOUT_MS);
    });
    try {
      await Promise.race([Promise.all(ready), timeout]);
      this.checkNamespacesEntered();
    } catch (e) {
      await this.end(e instanceof Error ? e.message : String(e));
      throw e;
    } finally {
      clearTimeout(timer);
    }
    this.file = new PcapngFile(
      'netns-explorer',
      this.opts.targets.map((t, i) => ({
        linktype: this.headers[i]!.linktype,
        snaplen: this.headers[i]!.snaplen,
        name: t.iface.label,
      })),
    );
    this.counters.fileBytes = this.file.size;
    this.timers.push(
      setInterval(() => this.tick(), TICK_MS),
      setInterval(() => this.checkStillThere(), STATS_MS),
      setTimeout(() => void this.end('time limit reached'), this.opts.maxSeconds * 1000),
    );
  }

  /** A /proc/PID/ns/net anchor may have been reused by another process: make sure we are where we meant. */
  private checkNamespacesEntered(): void {
    this.opts.targets.forEach((t, i) => {
      const pid = this.procs[i]?.pid;
      if (pid === undefined || this.inodeOf(`/proc/${pid}/ns/net`) !== t.nsInode) {
        throw new Error(`${t.iface.label}: the namespace went away before the capture started`);
      }
    });
  }

  private checkStillThere(): void {
    for (const t of this.opts.targets) {
      if (!namespaceHeld(t, this.inodeOf)) {
        void this.end(`namespace of ${t.iface.label} went away`);
        return;
      }
    }
    for (const p of this.procs) p.requestStats();
  }

  /** Moves merged packets into the file and summaries to the listeners. */
  private tick(all = false): void {
    const file = this.file;
    if (!file) return;
    const released = this.merger.drain(Date.now() * 1000, all);
    const summaries: PacketSummary[] = [];
    const nowMs = Date.now();
    for (const p of released) {
      if (file.sizeWith(p.data.length) > this.opts.maxBytes) {
        if (this.running) void this.end('size limit reached');
        break;
      }
      file.addPacket(p.ifIndex, p.tsUs, p.origLen, p.data);
      const t = this.opts.targets[p.ifIndex]!;
      const n = this.packetNo++;
      this.counters.packets++;
      this.counters.bytes += p.origLen;
      this.counters.perInterface[t.iface.id] = (this.counters.perInterface[t.iface.id] ?? 0) + 1;
      if (this.listeners.size > 0 && this.limiter.take(nowMs)) {
        const d = decodePacket(this.headers[p.ifIndex]!.linktype, p.data);
        summaries.push({ n, tsUs: p.tsUs, iface: t.iface.id, length: p.origLen, ...d });
      } else {
        this.counters.notShown++;
      }
    }
    this.counters.fileBytes = file.size;
    this.counters.drops = this.drops.reduce((a, b) => a + b, 0);
    if (summaries.length > 0) {
      this.emit({ type: 'packets', packets: summaries, counters: this.snapshotCounters() });
    } else if (released.length > 0 || nowMs - this.countersSentMs >= 500) {
      this.emit({ type: 'counters', counters: this.snapshotCounters() });
    } else {
      return;
    }
    this.countersSentMs = nowMs;
  }

  private snapshotCounters() {
    return { ...this.counters, perInterface: { ...this.counters.perInterface } };
  }

  private emit(msg: CaptureServerMessage): void {
    for (const l of this.listeners) l(msg);
  }

  /** A live client: told everything from now on; when the last one leaves, the capture ends. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    this.hadListener = true;
    listener({ type: 'hello', capture: this.info() });
    return () => {
      this.listeners.delete(listener);
      if (this.hadListener && this.listeners.size === 0 && this.running) void this.end('the page closed');
    };
  }

  get liveClients(): number {
    return this.listeners.size;
  }

  /** Counts summaries a slow client was not sent. */
  notSent(n: number): void {
    this.counters.notShown += n;
  }

  /** Ends the capture (idempotent): stops every tcpdump, writes what they still sent. */
  end(reason: string): Promise<void> {
    if (this.ending) return this.ending;
    this.endReason = reason;
    this.ending = (async () => {
      for (const t of this.timers) clearInterval(t);
      this.timers = [];
      await Promise.all(this.procs.map((p) => p.stop()));
      this.tick(true);
      this.endedAt = new Date();
      const info = this.info();
      this.emit({ type: 'ended', capture: info });
      this.listeners.clear();
      this.opts.ended(info);
    })();
    return this.ending;
  }

  /** SIGKILL every tcpdump now (the server is exiting: no time for anything else). */
  killNow(): void {
    for (const p of this.procs) p.kill('SIGKILL');
  }

  pcapng(): Buffer[] {
    return this.file?.contents() ?? [];
  }

  info(): CaptureInfo {
    return {
      id: this.id,
      interfaces: this.opts.targets.map((t) => t.iface),
      filter: this.opts.filter,
      maxSeconds: this.opts.maxSeconds,
      maxBytes: this.opts.maxBytes,
      startedAt: this.startedAt.toISOString(),
      endedAt: this.endedAt?.toISOString() ?? null,
      running: this.running,
      endReason: this.endedAt ? this.endReason : null,
      counters: this.snapshotCounters(),
    };
  }
}
