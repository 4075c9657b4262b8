/**
 * What stat says of namespace mount points, remembered while the mount table stays the same.
 *
 * Every scan stats each named namespace (`/run/netns/NAME`, an nsfs bind mount) and every other
 * nsfs mount: at 1,000 namespaces that is most of a scan's time (a stat that crosses a mount
 * costs tens of microseconds on a busy machine), and the live server scans every few seconds.
 * A mount point's stat depends only on the mounts at that path and at its ancestors: while none
 * of their `/proc/self/mountinfo` lines changed, it is the same mount stack (the kernel renders
 * the paths from the mounts at each read, so a rename or an unmount shows as changed lines) and
 * gives the same inode as last time. Other engineers' or runtimes' mounts elsewhere forget
 * nothing. Paths that are not mount points (a plain file, a symlink to `/proc/PID/ns/net`) can
 * change without any line changing: they are stat'd every time.
 */
import type { NsfsMount } from './procParse.js';
import { parseNetnsMounts, unescapeMountPath } from './procParse.js';

/** The mount point (5th field) of a mountinfo line, unescaped; null for a malformed line. */
function mountPointOf(line: string): string | null {
  const f = line.split(' ', 5);
  return f.length === 5 ? unescapeMountPath(f[4]!) : null;
}

/** Whether `path` resolves through a mount at `point` (the same path or an ancestor). */
function under(path: string, point: string): boolean {
  return path === point || path.startsWith(point.endsWith('/') ? point : `${point}/`);
}

export class MountPointInodes {
  private table: string | null = null;
  private lines: Set<string> | null = null;
  private mounts: NsfsMount[] = [];
  private points = new Set<string>();
  private inodes = new Map<string, number | null>();
  /** Stats answered from memory since creation (tests and the bench count them). */
  reused = 0;

  /** Starts a scan over this mountinfo text; returns its nsfs mounts (parsed once per table). */
  begin(mountinfo: string): NsfsMount[] {
    if (mountinfo === this.table) return this.mounts;
    const lines = new Set(mountinfo.split('\n'));
    const before = this.lines;
    if (before === null) this.inodes.clear();
    else {
      // Mount points whose lines came or went, and every remembered path beneath one of them.
      const changed = new Set<string | null>();
      for (const l of lines) if (!before.has(l)) changed.add(mountPointOf(l));
      for (const l of before) if (!lines.has(l)) changed.add(mountPointOf(l));
      for (const path of this.inodes.keys()) {
        for (const point of changed) {
          if (point === null || under(path, point)) {
            this.inodes.delete(path);
            break;
          }
        }
      }
    }
    this.table = mountinfo;
    this.lines = lines;
    this.mounts = parseNetnsMounts(mountinfo);
    this.points = new Set(this.mounts.map((m) => m.path));
    return this.mounts;
  }

  /** The mount table could not be read: nothing is remembered (every path is stat'd). */
  forget(): void {
    this.table = null;
    this.lines = null;
    this.mounts = [];
    this.points.clear();
    this.inodes.clear();
  }

  /** `stat(path)`, or what it gave in an earlier scan of the same table if path is a mount point. */
  inode(path: string, stat: (path: string) => number | null): number | null {
    if (!this.points.has(path)) return stat(path);
    const known = this.inodes.get(path);
    if (known !== undefined) {
      this.reused++;
      return known;
    }
    const ino = stat(path);
    this.inodes.set(path, ino);
    return ino;
  }
}
