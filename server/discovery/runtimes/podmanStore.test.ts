import { describe, expect, it } from 'vitest';
import { storeArgsFromConmon } from './podmanStore.js';

const ID = 'ec75237aeefdde893d773b925f2700c84f46e80938dc927c6983ddfcec18971e';
const D = '/tmp/nxtest-podman';
// conmon's argv as podman 4.3 started it for `podman --root --runroot --tmpdir run -d --rootfs` (shortened).
const conmon = [
  '/usr/bin/conmon',
  '--api-version',
  '1',
  '-c',
  ID,
  '-u',
  ID,
  '-r',
  '/usr/bin/runc',
  '-b',
  `${D}/root/overlay-containers/${ID}/userdata`,
  '-n',
  'web',
  '--exit-dir',
  `${D}/tmp/exits`,
  '--exit-command',
  '/usr/bin/podman',
  ...[
    '--root',
    `${D}/root`,
    '--runroot',
    `${D}/runroot`,
    '--log-level',
    'warning',
    '--cgroup-manager',
    'cgroupfs',
    '--tmpdir',
    `${D}/tmp`,
    '--network-config-dir',
    '',
    '--network-backend',
    'cni',
    '--volumepath',
    `${D}/root/volumes`,
    '--runtime',
    'runc',
    '--events-backend',
    'file',
    'container',
    'cleanup',
    ID,
  ].flatMap((a) => ['--exit-command-arg', a]),
];

describe('podman storage from conmon', () => {
  it('takes the storage and events options podman ran with, and stops at the subcommand', () => {
    expect(storeArgsFromConmon(conmon)).toEqual([
      '--root',
      `${D}/root`,
      '--runroot',
      `${D}/runroot`,
      '--tmpdir',
      `${D}/tmp`,
      '--events-backend',
      'file',
    ]);
  });

  it('knows no storage without a root (not podman’s conmon, or options as --name=value without root)', () => {
    expect(storeArgsFromConmon(['/usr/bin/conmon', '-c', ID])).toBeNull();
    expect(
      storeArgsFromConmon(['--exit-command-arg', '--runroot=/r', '--exit-command-arg', 'container']),
    ).toBeNull();
    expect(
      storeArgsFromConmon(['--exit-command-arg', '--root=/g', '--exit-command-arg', '--runroot=/r']),
    ).toEqual(['--root', '/g', '--runroot', '/r']);
  });
});
