/** Unit tests: splitting a chunk's output per namespace, and the path used for our own namespace. */
import { describe, expect, it } from 'vitest';
import type { Namespace } from '../../common/model.js';
import { namespacePath } from './index.js';
import { splitSections } from './reader.js';
import { CHUNK_SCRIPT } from './readScripts.js';

describe('chunk output sections', () => {
  it('attributes each namespace its own lines and exit status', () => {
    const out = ['@@nx 0', '[1]', '[2]', '@@nx-end 0 0', '@@nx 1', '@@nx-end 1 1', '@@nx 2', '[3]', ''].join(
      '\n',
    );
    const s = splitSections(out);
    expect(s.get(0)).toEqual({ body: '[1]\n[2]', status: 0 });
    expect(s.get(1)).toEqual({ body: '', status: 1 });
    // Cut off (timeout, killed): no end line, so no status.
    expect(s.get(2)?.status).toBeNull();
    expect(s.has(3)).toBe(false);
  });

  it('ignores an end line that belongs to another index', () => {
    const s = splitSections(['@@nx 0', '[1]', '@@nx-end 5 0'].join('\n'));
    expect(s.get(0)?.status).toBeNull();
  });

  it('keeps data out of the script: paths are only positional arguments', () => {
    expect(CHUNK_SCRIPT).not.toMatch(/\/run\/netns|\/proc\/[0-9]/);
    expect(CHUNK_SCRIPT).toContain('--net="$p"');
  });
});

describe('namespacePath', () => {
  const ns = (over: Partial<Namespace>): Namespace => ({
    id: 'ns-1',
    inode: 1,
    kind: 'named',
    name: 'x',
    netnsNames: [],
    pids: [],
    processes: [],
    containers: [],
    mounts: [],
    error: null,
    ...over,
  });

  it('opens our own namespace through /proc/self even when it is also bind-mounted', () => {
    const host = ns({ kind: 'host', pids: [1, process.pid], mounts: ['/run/netns/stale'] });
    expect(namespacePath(host)).toBe('/proc/self/ns/net');
  });

  it('prefers a mount, then a pid, for other namespaces', () => {
    expect(namespacePath(ns({ mounts: ['/run/netns/a'], pids: [42] }))).toBe('/run/netns/a');
    expect(namespacePath(ns({ kind: 'process', pids: [42] }))).toBe('/proc/42/ns/net');
  });
});
