/**
 * Scans remember mount points' inodes while the mount table reads the same (mountPoints.ts). Every
 * scan here is checked against stat of the very paths, through changes that keep the table (a
 * symlink in /run/netns re-pointed) and changes that alter it (a name deleted and re-added, a
 * bind mount made and removed), so a remembered answer that went stale would show.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanNamespaces } from './enumerate.js';
import type { Holder } from '../../test/kernel.js';
import { cleanupPrefix, sh, spawnNetnsHolder, uniquePrefix } from '../../test/kernel.js';

const P = uniquePrefix('mp');
const dir = join(tmpdir(), `${P}-mounts`);
const link = `/run/netns/${P}ln`;
const mountFile = join(dir, 'ns');
const holders: Holder[] = [];

beforeAll(async () => {
  mkdirSync(dir, { recursive: true });
  holders.push(await spawnNetnsHolder(), await spawnNetnsHolder());
}, 60_000);

afterAll(async () => {
  rmSync(link, { force: true });
  await sh(`umount ${mountFile} 2>/dev/null || true`);
  rmSync(dir, { recursive: true, force: true });
  for (const h of holders) await h.stop();
  await cleanupPrefix(P);
}, 60_000);

const inodeNamed = (name: string): number | undefined =>
  [...scanNamespaces({ fds: false }).namespaces.values()].find((n) => n.netnsNames.includes(name))?.inode;

const inodeMountedAt = (path: string): number | undefined =>
  [...scanNamespaces({ fds: false }).namespaces.values()].find((n) => n.mounts.includes(path))?.inode;

describe('scans with remembered mount points', () => {
  it('a name deleted and added again is the new namespace', async () => {
    await sh(`ip netns add ${P}a`);
    const first = statSync(`/run/netns/${P}a`).ino;
    expect(inodeNamed(`${P}a`)).toBe(first);
    expect(inodeNamed(`${P}a`)).toBe(first);
    await sh(`ip netns del ${P}a; ip netns add ${P}a`);
    const second = statSync(`/run/netns/${P}a`).ino;
    expect(inodeNamed(`${P}a`)).toBe(second);
    await sh(`ip netns del ${P}a`);
    expect(inodeNamed(`${P}a`)).toBeUndefined();
  });

  it('a symlink in /run/netns re-pointed to another process is followed (the table did not change)', () => {
    const [h1, h2] = holders as [Holder, Holder];
    symlinkSync(h1.path, link);
    expect(inodeNamed(`${P}ln`)).toBe(statSync(h1.path).ino);
    expect(inodeNamed(`${P}ln`)).toBe(statSync(h1.path).ino);
    rmSync(link);
    symlinkSync(h2.path, link);
    expect(statSync(h2.path).ino).not.toBe(statSync(h1.path).ino);
    expect(inodeNamed(`${P}ln`)).toBe(statSync(h2.path).ino);
    rmSync(link);
    expect(inodeNamed(`${P}ln`)).toBeUndefined();
  });

  it('a bind mount outside /run/netns appears, keeps its namespace, and goes with its unmount', async () => {
    const h = await spawnNetnsHolder();
    holders.push(h);
    const ino = statSync(h.path).ino;
    writeFileSync(mountFile, '');
    expect(inodeMountedAt(mountFile)).toBeUndefined();
    await sh(`mount --bind ${h.path} ${mountFile}`);
    expect(inodeMountedAt(mountFile)).toBe(ino);
    await h.stop();
    // Held by the mount alone now: still found, by its mount.
    expect(inodeMountedAt(mountFile)).toBe(ino);
    await sh(`umount ${mountFile}`);
    expect(inodeMountedAt(mountFile)).toBeUndefined();
    expect(scanNamespaces({ fds: false }).namespaces.has(ino)).toBe(false);
  });
});
