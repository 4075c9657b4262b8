/**
 * A private mount namespace in which /run/netns is a tmpfs holding one symlink per network
 * namespace, named by its inode. `ip netns list` run there inside namespace X then prints, for
 * every namespace T, the nsid X has for T (`RTM_GETNSID` on the opened file): the exact
 * per-namespace nsid map that veth peer resolution needs, including for unnamed and
 * bind-mount-only namespaces, without touching the host's /run/netns.
 *
 * The helper is a `sleep` process (parent-death signal KILL) that only holds the mount namespace.
 * Copies of nsfs mounts are unmounted in it and entries are symlinks, not bind mounts, so it never
 * keeps a network namespace alive.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdir, readFile, readlink } from 'node:fs/promises';
import { readlinkSync, symlinkSync, unlinkSync } from 'node:fs';
import { NSENTER, SETPRIV, run, runOk } from '../exec/run.js';
import { unescapeMountPath } from './procParse.js';

const UNSHARE = '/usr/bin/unshare';
const SLEEP = '/usr/bin/sleep';
const MOUNT = '/usr/bin/mount';
const UMOUNT = '/usr/bin/umount';

export class NsidHelper {
  /** What the helper's /run/netns holds (name -> target): only we write there. */
  private readonly entries = new Map<string, string>();
  /** Its mount namespace once started: a dead helper's pid may be reused by another process. */
  private mnt: string | null = null;

  private constructor(
    private readonly child: ChildProcess,
    readonly pid: number,
  ) {}

  get mountNs(): string {
    return `/proc/${this.pid}/ns/mnt`;
  }

  private get dir(): string {
    return `/proc/${this.pid}/root/run/netns`;
  }

  /**
   * Asked of the kernel, not only of Node's exit event (which comes later, on the event loop):
   * a helper killed a moment ago must not serve the next read.
   */
  alive(): boolean {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return false;
    if (this.mnt === null) return true;
    try {
      return readlinkSync(this.mountNs) === this.mnt;
    } catch {
      return false;
    }
  }

  static async start(): Promise<NsidHelper> {
    const child = spawn(
      UNSHARE,
      ['--mount', '--propagation', 'private', SETPRIV, '--pdeathsig', 'KILL', SLEEP, '86400'],
      { stdio: 'ignore', env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' } },
    );
    child.unref();
    const pid = child.pid;
    if (pid === undefined) throw new Error('could not start unshare');
    const h = new NsidHelper(child, pid);
    try {
      const mine = readlinkSync('/proc/self/ns/mnt');
      const deadline = Date.now() + 5000;
      // unshare switches mount namespace before it execs: wait until sleep runs in a new one.
      for (;;) {
        if (!h.alive()) throw new Error('unshare --mount exited (not root?)');
        const comm = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '');
        const mnt = await readlink(`/proc/${pid}/ns/mnt`).catch(() => mine);
        if (comm.trim() === 'sleep' && mnt !== mine) {
          h.mnt = mnt;
          break;
        }
        if (Date.now() > deadline) throw new Error('mount-namespace helper did not start');
        await new Promise((r) => setTimeout(r, 2));
      }
      // The copies of nsfs mounts would pin their namespaces as long as the helper lives. umount
      // looks each target up in mountinfo (quadratic with hundreds of namespaces), so first detach
      // the few directories that hold them as mounts of their own (`/run/netns` is one: ip makes
      // it a bind mount), which lazily takes every nsfs mount beneath along; then the rest.
      const nsfsPaths = async () =>
        (await readFile(`/proc/${pid}/mountinfo`, 'utf8'))
          .split('\n')
          .filter((l) => l.includes(' - nsfs '))
          .map((l) => unescapeMountPath(l.split(' ')[4] ?? ''))
          .filter((p) => p.startsWith('/'));
      const info = await readFile(`/proc/${pid}/mountinfo`, 'utf8');
      const points = new Set(info.split('\n').map((l) => unescapeMountPath(l.split(' ')[4] ?? '')));
      const parents = [...new Set((await nsfsPaths()).map((p) => p.slice(0, p.lastIndexOf('/'))))].filter(
        (d) => points.has(d) && !/^(\/(proc|sys|dev)(\/.*)?|\/?)$/.test(d),
      );
      // Only ever in our own, still-running helper's namespace (never the host's).
      const checkOwn = async () => {
        if (!h.alive() || (await readlink(`/proc/${pid}/ns/mnt`)) === mine)
          throw new Error('helper lost its mount namespace');
      };
      await checkOwn();
      if (parents.length > 0) await run(NSENTER, [`--mount=${h.mountNs}`, UMOUNT, '-l', '--', ...parents]);
      const nsfs = await nsfsPaths();
      await checkOwn();
      if (nsfs.length > 0) await runOk(NSENTER, [`--mount=${h.mountNs}`, UMOUNT, '-l', '--', ...nsfs]);
      await runOk(NSENTER, [
        `--mount=${h.mountNs}`,
        MOUNT,
        '-t',
        'tmpfs',
        '-o',
        'mode=0700,size=4m',
        'nx-nsids',
        '/run',
      ]);
      await mkdir(h.dir, { mode: 0o700 });
      const left = await readFile(`/proc/${pid}/mountinfo`, 'utf8');
      if (left.includes(' - nsfs ')) throw new Error('nsfs mounts remain in the helper mount namespace');
    } catch (e) {
      h.stop();
      throw e;
    }
    return h;
  }

  /** Makes /run/netns (in the helper) hold exactly `inode -> path` for the given namespaces. */
  // Synchronous fs calls on purpose: a few µs each, where 300 awaited thread-pool round trips
  // cost tens of ms on a busy machine. Only the differences from the last sync are applied.
  async sync(entries: Map<number, string>): Promise<void> {
    const want = new Map<string, string>();
    for (const [ino, path] of entries) want.set(String(ino), this.visible(path));
    for (const [name, target] of this.entries) {
      if (want.get(name) === target) continue;
      try {
        unlinkSync(`${this.dir}/${name}`);
      } catch {
        // already gone
      }
      this.entries.delete(name);
    }
    for (const [name, target] of want) {
      if (this.entries.get(name) === target) continue;
      try {
        symlinkSync(target, `${this.dir}/${name}`);
      } catch {
        unlinkSync(`${this.dir}/${name}`);
        symlinkSync(target, `${this.dir}/${name}`);
      }
      this.entries.set(name, target);
    }
  }

  /** /run is covered by the helper's tmpfs: reach mounts there through our own root. */
  private visible(path: string): string {
    if (path.startsWith('/proc/')) return path.replace(/^\/proc\/self\//, `/proc/${process.pid}/`);
    return `/proc/${process.pid}/root${path}`;
  }

  stop(): void {
    if (this.alive()) this.child.kill('SIGKILL');
  }
}
