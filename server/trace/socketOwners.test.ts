/** Listener rows get their owners as `ss -p` names them (pure part). */
import { describe, expect, it } from 'vitest';
import type { SocketRow } from '../../common/inspect.js';
import { withOwners } from './socketOwners.js';

const row = (port: number): SocketRow => ({
  proto: 'tcp',
  state: 'LISTEN',
  local: '*',
  port,
  process: null,
  pid: null,
});

describe('socket owners', () => {
  it('distinct names, lowest pid first; a socket nobody in the namespace holds stays unnamed', () => {
    const owners = new Map([
      [
        11,
        [
          { pid: 40, comm: 'nginx' },
          { pid: 7, comm: 'nginx' },
          { pid: 9, comm: 'sh' },
        ],
      ],
    ]);
    expect(
      withOwners(
        [
          { row: row(80), inode: 11 },
          { row: row(81), inode: 12 },
        ],
        owners,
      ),
    ).toEqual([{ ...row(80), process: 'nginx,sh', pid: 7 }, row(81)]);
  });
});
