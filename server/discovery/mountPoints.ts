/**
 * What stat says of namespace mount points, remembered while the mount table stays the same.
 *
 * Every scan stats each named namespace (`/run/netns/NAME`, an nsfs bind mount) and every other
 * nsfs mount: at 1,000 namespaces that is most of a scan's time (a stat that crosses a mount
 * costs tens of microseconds on a busy machine), and the live server scans every few seconds.
 * While `/proc/self/mountinfo` reads the same, byte for byte, every mount point is the same mount
 * stack (the kernel renders the paths from the mounts at each read, so a rename or an unmount
 * shows), and a stat of it gives the same inode as last time. Paths that are not mount points
 * (a plain file, a symlink to `/proc/PID/ns/net`) can change without the table changing: they
 * are stat'd every time.
 */
import type { NsfsMount } from './procParse.js';
import { parseNetnsMounts } from './procParse.js';

export class MountPointInodes {
  private table: string | null = null;
  private mounts: NsfsMount[] = [];
  private points = new Set<string>();
  private inodes = new Map<string, number | null>();
  /** Stats answered from memory since creation (tests and the bench count them). */
  reused = 0;

  /** Starts a scan over this mountinfo text; returns its nsfs mounts (parsed once per table). */
  begin(mountinfo: string): NsfsMount[] {
    if (mountinfo !== this.table) {
      this.table = mountinfo;
      this.mounts = parseNetnsMounts(mountinfo);
      this.points = new Set(this.mounts.map((m) => m.path));
      this.inodes.clear();
    }
    return this.mounts;
  }

  /** The mount table could not be read: nothing is remembered (every path is stat'd). */
  forget(): void {
    this.table = null;
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
