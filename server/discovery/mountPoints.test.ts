import { describe, expect, it } from 'vitest';
import { MountPointInodes } from './mountPoints.js';

/** A mountinfo line of an nsfs mount of namespace `inode` at `path`. */
const nsfs = (id: number, inode: number, path: string): string =>
  `${id} 30 0:4 net:[${inode}] ${path} rw shared:5 - nsfs nsfs rw`;
const ROOT = '22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw';

function counting(answers: Record<string, number | null>) {
  const calls: string[] = [];
  return {
    calls,
    stat: (p: string): number | null => {
      calls.push(p);
      return answers[p] ?? null;
    },
  };
}

describe('MountPointInodes', () => {
  it('stats a mount point once while its lines read the same, and again once they change', () => {
    const m = new MountPointInodes();
    const table = [ROOT, nsfs(40, 101, '/run/netns/a'), nsfs(41, 102, '/run/docker/netns/b')].join('\n');
    const s = counting({ '/run/netns/a': 101, '/run/docker/netns/b': 102 });
    expect(m.begin(table).map((x) => [x.inode, x.path])).toEqual([
      [101, '/run/netns/a'],
      [102, '/run/docker/netns/b'],
    ]);
    expect(m.inode('/run/netns/a', s.stat)).toBe(101);
    expect(m.inode('/run/docker/netns/b', s.stat)).toBe(102);
    m.begin(table);
    expect(m.inode('/run/netns/a', s.stat)).toBe(101);
    expect(m.inode('/run/docker/netns/b', s.stat)).toBe(102);
    expect(s.calls).toEqual(['/run/netns/a', '/run/docker/netns/b']);
    expect(m.reused).toBe(2);
    // `ip netns del a; ip netns add a`: another mount (id and inode) at the same path.
    m.begin([ROOT, nsfs(42, 103, '/run/netns/a'), nsfs(41, 102, '/run/docker/netns/b')].join('\n'));
    const again = counting({ '/run/netns/a': 103, '/run/docker/netns/b': 102 });
    expect(m.inode('/run/netns/a', again.stat)).toBe(103);
    expect(m.inode('/run/docker/netns/b', again.stat)).toBe(102);
    // b's line did not change: remembered.
    expect(again.calls).toEqual(['/run/netns/a']);
  });

  it('a mount at or above a remembered path forgets it; a mount elsewhere forgets nothing', () => {
    const m = new MountPointInodes();
    const base = [ROOT, nsfs(40, 101, '/run/netns/a'), nsfs(41, 102, '/run/docker/netns/b')];
    const s = counting({ '/run/netns/a': 101, '/run/docker/netns/b': 102 });
    const both = () => [m.inode('/run/netns/a', s.stat), m.inode('/run/docker/netns/b', s.stat)];
    m.begin(base.join('\n'));
    expect(both()).toEqual([101, 102]);
    // Someone else's mount elsewhere, and a name next to ours (/run/netns/ab is not above a).
    m.begin([...base, '50 22 0:60 / /mnt/x rw - tmpfs tmpfs rw', nsfs(51, 109, '/run/netns/ab')].join('\n'));
    expect(both()).toEqual([101, 102]);
    expect(s.calls).toHaveLength(2);
    // A tmpfs mounted over /run/netns hides a: only a is asked again.
    m.begin([...base, '52 22 0:61 / /run/netns rw - tmpfs tmpfs rw'].join('\n'));
    expect(both()).toEqual([101, 102]);
    expect(s.calls.slice(2)).toEqual(['/run/netns/a']);
    // A mount stacked on b itself (same mount point): b is asked again.
    m.begin(
      [...base, '52 22 0:61 / /run/netns rw - tmpfs tmpfs rw', nsfs(53, 41, '/run/docker/netns/b')].join(
        '\n',
      ),
    );
    both();
    expect(s.calls.slice(3)).toEqual(['/run/docker/netns/b']);
  });

  it('always stats paths that are not mount points (a symlink can change without the table)', () => {
    const m = new MountPointInodes();
    const table = [ROOT, nsfs(40, 101, '/run/netns/a')].join('\n');
    const s = counting({ '/run/netns/link': 201 });
    for (let i = 0; i < 3; i++) {
      m.begin(table);
      expect(m.inode('/run/netns/link', s.stat)).toBe(201);
    }
    expect(s.calls).toEqual(['/run/netns/link', '/run/netns/link', '/run/netns/link']);
    expect(m.reused).toBe(0);
  });

  it('remembers that a mount point is no namespace (null) as well, and nothing after forget()', () => {
    const m = new MountPointInodes();
    const table = [ROOT, nsfs(40, 101, '/run/netns/a')].join('\n');
    const s = counting({});
    m.begin(table);
    expect(m.inode('/run/netns/a', s.stat)).toBeNull();
    m.begin(table);
    expect(m.inode('/run/netns/a', s.stat)).toBeNull();
    expect(s.calls).toHaveLength(1);
    m.forget();
    expect(m.inode('/run/netns/a', s.stat)).toBeNull();
    m.begin(table);
    expect(m.inode('/run/netns/a', s.stat)).toBeNull();
    expect(s.calls).toHaveLength(3);
  });
});
