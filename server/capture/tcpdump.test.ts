import { describe, expect, it } from 'vitest';
import { captureArgv, filterCheckArgv } from './tcpdump.js';

const target = { nsPath: '/run/netns/red', ifName: 'veth0' };

describe('tcpdump argv', () => {
  it('puts the filter as one element after --, never split or quoted', () => {
    const filter = 'icmp and host 10.0.0.1 -w /etc/passwd; rm -rf /';
    const argv = captureArgv(target, filter);
    expect(argv.at(-1)).toBe(filter);
    expect(argv.at(-2)).toBe('--');
    expect(argv.filter((a) => a === filter)).toHaveLength(1);
    expect(argv.slice(argv.indexOf('/usr/bin/tcpdump'), -1)).toEqual([
      '/usr/bin/tcpdump',
      '-Z',
      'root',
      '-i',
      'veth0',
      '-n',
      '-s',
      '262144',
      '-B',
      '8192',
      '-U',
      '-w',
      '-',
      '--',
    ]);
    expect(captureArgv(target, null).at(-1)).toBe('--');
  });

  it('enters the namespace by path and asks for the parent-death signal', () => {
    const argv = captureArgv(target, null);
    expect(argv.slice(0, 6)).toEqual([
      '--net=/run/netns/red',
      '--',
      '/usr/bin/setpriv',
      '--pdeathsig',
      'KILL',
      '--',
    ]);
    expect(filterCheckArgv(target, 'tcp')).toEqual([
      '--net=/run/netns/red',
      '--',
      '/usr/bin/tcpdump',
      '-Z',
      'root',
      '-i',
      'veth0',
      '-d',
      '--',
      'tcp',
    ]);
  });

  it('an interface named like an option stays the value of -i', () => {
    const argv = captureArgv({ nsPath: '/run/netns/x', ifName: '-w' }, null);
    expect(argv[argv.indexOf('-i') + 1]).toBe('-w');
  });
});
