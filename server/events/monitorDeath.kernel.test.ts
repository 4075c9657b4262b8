/**
 * The event monitors (`ip monitor all-nsid`, `findmnt --poll`) die with the server even when it
 * is killed with SIGKILL (no chance to stop them): seen as orphans of a killed agent. The
 * "server" is a child process that starts both, as the watcher does.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pollUntil } from '../../test/kernel.js';
import { FINDMNT } from './monitor.js';
import { IP } from '../exec/run.js';

/** Pids of the children of `parent` and the program each runs (argv[0] after any exec). */
function children(parent: number): Array<{ pid: number; program: string }> {
  const out: Array<{ pid: number; program: string }> = [];
  for (const e of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(e)) continue;
    try {
      // The command name may hold spaces and parentheses: the fields after the last ')' are fixed.
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent)
        out.push({
          pid: Number(e),
          program: readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0')[0] ?? '',
        });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

const alive = (pid: number) => {
  try {
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
};

describe('event monitors', () => {
  it('go with the server when it is killed with SIGKILL', async () => {
    const code =
      "import { spawnIpMonitor, spawnMountMonitor } from './server/events/monitor.js';" +
      'const h = { line() {}, stderr() {}, exit() {} };' +
      'spawnIpMonitor(h); spawnMountMonitor(h); setInterval(() => {}, 1000);';
    const server = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      cwd: new URL('../..', import.meta.url).pathname,
      stdio: 'ignore',
    });
    let monitors: Array<{ pid: number; program: string }> = [];
    try {
      monitors =
        (await pollUntil(
          () => {
            const c = children(server.pid!).filter((p) => p.program === IP || p.program === FINDMNT);
            return c.length === 2 ? c : null;
          },
          'both monitors running as children of the server',
          60_000,
        )) ?? [];
      expect(monitors.map((m) => m.program).sort()).toEqual([IP, FINDMNT].sort());
    } finally {
      server.kill('SIGKILL');
    }
    await pollUntil(
      () => monitors.every((m) => !alive(m.pid)),
      'the monitors to die with the server',
      10_000,
    ).catch(() => undefined);
    expect(monitors.filter((m) => alive(m.pid))).toEqual([]);
  });
});
