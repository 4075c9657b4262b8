/**
 * tcpdump inside one namespace, writing pcap to a pipe: the argv (pure) and the thin process
 * shell around it. The filter is one argv element after `--`, so nothing in it is ever read as
 * an option, and no shell sees it.
 */
import type { ChildProcess } from 'node:child_process';
import { NSENTER, SETPRIV, run, startLongLived } from '../exec/run.js';
import { parseDrops } from './flow.js';
import { PcapStreamReader } from './pcapReader.js';
import type { PcapHeader, PcapRecord } from './pcapReader.js';

export const TCPDUMP = '/usr/bin/tcpdump';
const SNAPLEN = '262144';

export interface TcpdumpTarget {
  /** nsfs path to enter (a /run/netns mount, /proc/PID/ns/net). */
  nsPath: string;
  ifName: string;
}

/**
 * nsenter -> setpriv -> tcpdump, all one process (each execs the next): its parent is this
 * server, so the parent-death signal kills tcpdump if the server dies, whatever way it dies.
 * `-Z root` keeps tcpdump from switching user, which would clear that signal; it only writes
 * raw packets (`-w`), so none of its dissectors ever runs.
 */
export function captureArgv(t: TcpdumpTarget, filter: string | null): string[] {
  return [
    `--net=${t.nsPath}`,
    '--',
    SETPRIV,
    '--pdeathsig',
    'KILL',
    '--',
    TCPDUMP,
    '-Z',
    'root',
    '-i',
    t.ifName,
    '-n',
    '-s',
    SNAPLEN,
    // An 8 MiB kernel buffer (in KiB): a busy moment of the server or the machine waits there
    // instead of being dropped (the default 2 MiB lost 5% at 10,000 packets/s on a loaded box).
    // No --immediate-mode: libpcap then hands packets over in blocks (at most 1 s late), which
    // costs a fraction of a wake-up per packet; immediate mode lost a third at that rate.
    '-B',
    '8192',
    '-U',
    '-w',
    '-',
    '--',
    ...(filter === null ? [] : [filter]),
  ];
}

/** Compiles the filter for the interface's link type without capturing (`-d`). */
export function filterCheckArgv(t: TcpdumpTarget, filter: string): string[] {
  return [`--net=${t.nsPath}`, '--', TCPDUMP, '-Z', 'root', '-i', t.ifName, '-d', '--', filter];
}

/** null when tcpdump accepts the filter on this interface, else its own message. */
export async function checkFilter(t: TcpdumpTarget, filter: string): Promise<string | null> {
  const r = await run(NSENTER, filterCheckArgv(t, filter), { timeoutMs: 10_000 });
  if (r.exitCode === 0 && !r.timedOut) return null;
  const lines = r.stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('Warning'));
  return lines.join('; ') || (r.timedOut ? 'tcpdump timed out' : `tcpdump exited with ${r.exitCode}`);
}

export interface TcpdumpEvents {
  header(h: PcapHeader): void;
  packets(records: PcapRecord[]): void;
  /** tcpdump said `listening on`: the capture is on. */
  listening(): void;
  drops(n: number): void;
  /** The process ended; `message` is tcpdump's last complaint (e.g. the interface went away). */
  exit(code: number | null, signal: string | null, message: string | null): void;
}

export class TcpdumpProcess {
  readonly child: ChildProcess;
  private readonly reader = new PcapStreamReader();
  private headerSeen = false;
  private lastComplaint: string | null = null;
  private stderrRest = '';
  private exited = false;
  private readonly exitPromise: Promise<void>;

  constructor(target: TcpdumpTarget, filter: string | null, events: TcpdumpEvents) {
    this.child = startLongLived(NSENTER, captureArgv(target, filter));
    this.child.stdin?.end();
    this.child.stdout?.on('data', (chunk: Buffer) => {
      let records: PcapRecord[];
      try {
        records = this.reader.push(chunk);
      } catch (e) {
        this.lastComplaint = `unreadable output: ${e instanceof Error ? e.message : String(e)}`;
        this.kill('SIGKILL');
        return;
      }
      if (!this.headerSeen && this.reader.header) {
        this.headerSeen = true;
        events.header(this.reader.header);
      }
      if (records.length > 0) events.packets(records);
    });
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (text: string) => {
      const lines = (this.stderrRest + text).split('\n');
      this.stderrRest = lines.pop() ?? '';
      for (const line of lines) this.stderrLine(line.trim(), events);
    });
    this.exitPromise = new Promise((resolve) => {
      this.child.once('error', (e) => {
        this.lastComplaint = `could not start tcpdump: ${e.message}`;
      });
      this.child.once('close', (code, signal) => {
        this.exited = true;
        if (this.stderrRest) this.stderrLine(this.stderrRest.trim(), events);
        events.exit(code, signal, this.lastComplaint);
        resolve();
      });
    });
  }

  private stderrLine(line: string, events: TcpdumpEvents): void {
    if (!line) return;
    if (line.startsWith('tcpdump: listening on')) return events.listening();
    const drops = parseDrops(line);
    if (drops !== null) return events.drops(drops);
    if (/^\d+ packets? (captured|received by filter)$/.test(line)) return;
    this.lastComplaint = line.replace(/^tcpdump: /, '');
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Asks tcpdump for its statistics (answered on stderr: the drop count). */
  requestStats(): void {
    this.kill('SIGUSR1');
  }

  /** SIGTERM (tcpdump flushes and prints its statistics), SIGKILL after `graceMs`. */
  async stop(graceMs = 2000): Promise<void> {
    if (this.exited) return;
    this.kill('SIGTERM');
    const timer = setTimeout(() => this.kill('SIGKILL'), graceMs);
    await this.exitPromise;
    clearTimeout(timer);
  }

  kill(signal: NodeJS.Signals): void {
    if (this.exited || this.child.pid === undefined) return;
    try {
      process.kill(this.child.pid, signal);
    } catch {
      // already gone
    }
  }

  get done(): Promise<void> {
    return this.exitPromise;
  }
}
