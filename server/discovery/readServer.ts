/**
 * A long-lived `/bin/sh` that reads one namespace per request (SERVE_SCRIPT), for the live
 * server's refreshes. Starting a child from Node costs 8-35 ms here (more under load) and blocks
 * the event loop meanwhile; asking a waiting shell costs ~6 ms. Requests go one at a time; paths
 * travel as lines of data on stdin (never in a script or a command line), so a path holding a
 * newline is not sent: the caller reads that one with a process of its own.
 */
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { IP, NSENTER, announce, startLongLived } from '../exec/run.js';
import type { RunResult } from '../exec/run.js';
import { SERVE_SCRIPT, servable } from './readScripts.js';
import type { DeviceAsk } from './deviceRead.js';

const START = /^@@nx ([0-9]+)$/;
const END = /^@@nx-end ([0-9]+) ([0-9]+)$/;

interface Pending {
  index: number;
  stdout: string[];
  stderr: string[];
  status: number | null;
  stderrDone: boolean;
  inOut: boolean;
  inErr: boolean;
  done(r: RunResult): void;
}

export interface ServeRequest {
  /** Also list the nsid map (`n`) or not (`r`). */
  withNsids: boolean;
  /** Path of the namespace to enter; empty for our own. */
  path: string;
  /** Mount namespace to enter (the nsid helper's), or null. */
  mountNs: string | null;
  /** Read only these devices (deviceRead.ts) instead of the whole namespace. */
  devices?: readonly DeviceAsk[];
  /** With devices: only ask which of them exist (their links, parseExisting). */
  existence?: boolean;
  timeoutMs: number;
}

export class ReadServer {
  private child: ChildProcess | null = null;
  private pending: Pending | null = null;
  private next = 0;
  private chain: Promise<unknown> = Promise.resolve();

  /** Answers like run() would for `nsenter ... ip -j -d -b -`; one request at a time. */
  read(req: ServeRequest): Promise<RunResult> {
    // A newline in a value would split a request in two, a blank in a device name would split
    // the name: such a request is refused, never sent.
    if (!servable(req)) {
      return Promise.resolve({
        exitCode: -1,
        stdout: '',
        stderr: 'not sendable to the read server',
        timedOut: false,
      });
    }
    const p = this.chain.then(() => this.once(req));
    this.chain = p.catch(() => undefined);
    return p;
  }

  /** The shell's pid while it runs (tests). */
  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  stop(): void {
    const c = this.child;
    this.child = null;
    this.pending?.done({ exitCode: -1, stdout: '', stderr: 'the read server was stopped', timedOut: false });
    if (!c) return;
    c.stdin?.end();
    this.killGroup(c);
  }

  private once(req: ServeRequest): Promise<RunResult> {
    const child = this.child ?? this.start();
    const index = this.next++;
    announce([
      NSENTER,
      ...(req.path ? [`--net=${req.path}`] : []),
      ...(req.mountNs ? [`--mount=${req.mountNs}`] : []),
      IP,
      '-j',
      '-d',
      '-b',
      '-',
    ]);
    return new Promise<RunResult>((resolve) => {
      const timer = setTimeout(() => {
        // A hung ip: the whole group goes, the next request starts a fresh shell.
        this.pending = null;
        if (this.child === child) this.child = null;
        this.killGroup(child);
        resolve({ exitCode: -1, stdout: '', stderr: '', timedOut: true });
      }, req.timeoutMs);
      this.pending = {
        index,
        stdout: [],
        stderr: [],
        status: null,
        stderrDone: false,
        inOut: false,
        inErr: false,
        done: (r) => {
          clearTimeout(timer);
          this.pending = null;
          resolve(r);
        },
      };
      const mode = req.devices !== undefined ? (req.existence ? 'e' : 'd') : req.withNsids ? 'n' : 'r';
      const devices = req.devices?.map((d) => `${d.routes ? 'r' : 'l'}/${d.name}`).join(' ') ?? '';
      child.stdin?.write(`${mode}\n${req.path}\n${req.mountNs ?? ''}\n${devices}\n`);
    });
  }

  private start(): ChildProcess {
    const child = startLongLived('/bin/sh', ['-c', SERVE_SCRIPT, 'sh']);
    this.child = child;
    this.next = 0; // the script counts from 0 too
    child.stdin?.on('error', () => undefined); // EPIPE after a kill: handled by 'exit'
    // Lines still buffered from a shell killed after a timeout are not its successor's.
    const onLine = (stream: 'out' | 'err') => (l: string) => {
      if (this.child === child) this.onLine(l, stream);
    };
    if (child.stdout) createInterface({ input: child.stdout }).on('line', onLine('out'));
    if (child.stderr) createInterface({ input: child.stderr }).on('line', onLine('err'));
    child.on('exit', () => {
      // A shell killed after a timeout exits while its successor may already be answering.
      if (this.child !== child) return;
      this.child = null;
      this.pending?.done({ exitCode: -1, stdout: '', stderr: 'the read server exited', timedOut: false });
    });
    // Neither the shell nor its pipes keep our process alive (it ends at EOF on its stdin).
    child.unref();
    for (const s of [child.stdin, child.stdout, child.stderr])
      (s as { unref?: () => void } | null)?.unref?.();
    return child;
  }

  private onLine(line: string, stream: 'out' | 'err'): void {
    const p = this.pending;
    if (!p) return;
    const start = START.exec(line);
    if (start) {
      if (Number(start[1]) !== p.index) return;
      if (stream === 'out') p.inOut = true;
      else p.inErr = true;
      return;
    }
    const end = END.exec(line);
    if (end && Number(end[1]) === p.index) {
      if (stream === 'out') p.status = Number(end[2]);
      else p.stderrDone = true;
      if (p.status !== null && p.stderrDone) {
        p.done({
          exitCode: p.status,
          stdout: p.stdout.join('\n'),
          stderr: p.stderr.join('\n'),
          timedOut: false,
        });
      }
      return;
    }
    if (stream === 'out' && p.inOut && p.status === null) p.stdout.push(line);
    if (stream === 'err' && p.inErr && !p.stderrDone) p.stderr.push(line);
  }

  private killGroup(c: ChildProcess): void {
    if (c.pid === undefined) return;
    try {
      process.kill(-c.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
