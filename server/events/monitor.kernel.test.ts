/** The mount watcher against the real kernel: namespace bind mounts coming and going are lines. */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnMountMonitor } from './monitor.js';
import { cleanupPrefix, pollUntil, sh, uniquePrefix } from '../../test/kernel.js';

const prefix = uniquePrefix('mm');

afterAll(() => cleanupPrefix(prefix));

describe('spawnMountMonitor', () => {
  it('prints a line when a namespace is mounted and when it is unmounted, none for other mounts', async () => {
    const lines: string[] = [];
    const exits: string[] = [];
    const m = spawnMountMonitor({ line: (l) => lines.push(l), stderr: () => {}, exit: (w) => exits.push(w) });
    try {
      // findmnt reads the table once before it polls: a first namespace proves it is watching.
      await pollUntil(async () => {
        await sh(`ip netns add ${prefix}w 2>/dev/null || true`);
        return lines.some((l) => l.includes(`/run/netns/${prefix}w`));
      }, 'the watcher is up');
      const before = lines.length;
      await sh(
        `mkdir -p /run/${prefix}d && mount -t tmpfs ${prefix} /run/${prefix}d && umount /run/${prefix}d`,
      );
      await sh(`ip netns add ${prefix}a`);
      await pollUntil(() => lines.some((l) => /^mount\s+\/run\/netns\/\S+a$/.test(l.trim())), 'mount line');
      await sh(`ip netns del ${prefix}a`);
      await pollUntil(() => lines.some((l) => /^umount\s+\/run\/netns\/\S+a$/.test(l.trim())), 'umount line');
      expect(lines.slice(before).every((l) => l.includes(`/run/netns/${prefix}a`))).toBe(true);
      expect(exits).toEqual([]);
    } finally {
      m.stop();
      await sh(`rmdir /run/${prefix}d 2>/dev/null || true`);
    }
  });
});
