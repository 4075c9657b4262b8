/**
 * The kernel's event sources as long-lived children, and the parsing of what they print:
 * `ip -o monitor all-nsid ...` (links, addresses, routes, nsids of every namespace with a host
 * nsid) and `findmnt --poll -t nsfs` (namespaces bind-mounted or unmounted anywhere in our mount
 * namespace: /run/netns, Docker's, anyone's). Both are event-driven: they cost nothing when
 * nothing happens.
 */
import { createInterface } from 'node:readline';
import { execa } from 'execa';
import { IP, diesWithUs } from '../exec/run.js';

/**
 * The one device a monitor line is about; `flags` only for a link line (`<FLAGS>`), `deleted`
 * for a `Deleted` link line (which a bridge port leaving its bridge gets too: not proof).
 */
export interface MonitorDevice {
  ifindex: number | null;
  name: string;
  flags?: string[];
  deleted?: true;
}

export type MonitorEvent =
  | {
      kind: 'change';
      nsid: number | 'current';
      /**
       * The one device the line is about, when a read of that device alone covers the change:
       * a link line (`[Deleted ]N: NAME[@PEER]: <FLAGS>`), an address line
       * (`[Deleted ]N: NAME    inet ...`), a route line through one device (`... dev NAME ...`,
       * ifindex unknown). A route without a device or with several next hops: none (the whole
       * namespace is read).
       */
      device?: MonitorDevice;
    }
  /** A host nsid given or taken (`nsid N ...`, `Deleted nsid N ...`). */
  | { kind: 'nsid'; nsid: number | null; deleted: boolean };

/** Parses one line of `ip -o monitor all-nsid ...`; null for lines that carry no event. */
export function parseMonitorLine(line: string): MonitorEvent | null {
  if (line.trim() === '') return null;
  const m = /^\[nsid (\d+|current)\]\s*(.*)$/.exec(line);
  const rest = m ? m[2]! : line;
  const id = /^(Deleted )?nsid (\d+)?/.exec(rest);
  if (id)
    return { kind: 'nsid', nsid: id[2] === undefined ? null : Number(id[2]), deleted: id[1] !== undefined };
  const nsid = !m || m[1] === 'current' ? 'current' : Number(m[1]);
  return { kind: 'change', nsid, ...deviceOf(rest) };
}

function deviceOf(rest: string): { device?: MonitorDevice } {
  // A name holding `@` makes the split ambiguous: the device read checks what it finds.
  const link = /^(Deleted )?(\d+): ([^\s:@]+)(?:@[^\s:]+)?: <([A-Z0-9_,-]*)>/.exec(rest);
  if (link) {
    const [ifindex, name] = [Number(link[2]), link[3]!];
    if (link[1]) return { device: { ifindex, name, deleted: true } };
    return { device: { ifindex, name, flags: link[4] ? link[4].split(',') : [] } };
  }
  const addr = /^(?:Deleted )?(\d+): (\S+)\s+inet6? /.exec(rest);
  if (addr) return { device: { ifindex: Number(addr[1]), name: addr[2]! } };
  if (/^(?:Deleted )?\d+: /.test(rest) || /\bnexthop\b|\bnhid\b/.test(rest)) return {};
  const route = /\sdev (\S+)/.exec(rest);
  return route ? { device: { ifindex: null, name: route[1]! } } : {};
}

/** True when `ip monitor` reports that the kernel dropped events (ENOBUFS). */
export function reportsLostEvents(stderr: string): boolean {
  return /No buffer space available|netlink receive error/i.test(stderr);
}

export interface MonitorHandlers {
  line(line: string): void;
  stderr(text: string): void;
  exit(description: string): void;
}

/** Starts the event source; returns a stopper. Replaceable in tests. */
export type SpawnMonitor = (h: MonitorHandlers) => { stop(): void };

export const MONITOR_ARGS = ['-o', 'monitor', 'all-nsid', 'nsid', 'link', 'address', 'route'];

/** The real monitor: absolute path, no shell, fixed env (no token), killed when we exit (even by SIGKILL). */
export const spawnIpMonitor: SpawnMonitor = (h) => spawnLines(...diesWithUs(IP, MONITOR_ARGS), h);

function spawnLines(file: string, args: string[], h: MonitorHandlers): { stop(): void } {
  const child = execa(file, args, {
    extendEnv: false,
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' },
    stdin: 'ignore',
    buffer: false,
    reject: false,
    cleanup: true,
  });
  let stopping = false;
  if (child.stdout) createInterface({ input: child.stdout }).on('line', h.line);
  // Line by line: a message split across two chunks must still be recognised.
  if (child.stderr) createInterface({ input: child.stderr }).on('line', h.stderr);
  void child.then((r) => {
    if (!stopping) h.exit(r.signal ? `signal ${r.signal}` : `exit code ${String(r.exitCode)}`);
  });
  return {
    stop() {
      stopping = true;
      child.kill('SIGTERM');
    },
  };
}

export const FINDMNT = '/usr/bin/findmnt';
export const MOUNT_MONITOR_ARGS = ['--poll', '--types', 'nsfs', '--noheadings', '--output', 'ACTION,TARGET'];

/** Watches nsfs mounts: every line is a namespace mounted, unmounted or moved. */
export const spawnMountMonitor: SpawnMonitor = (h) =>
  spawnLines(...diesWithUs(FINDMNT, MOUNT_MONITOR_ARGS), h);
