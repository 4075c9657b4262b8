/**
 * The podman events process dies with the server even when the server is killed with SIGKILL
 * (no chance to stop it): seen as an orphaned `podman events` after a test killed a server.
 * A stand-in binary that only waits plays podman; the "server" is a child process.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pollUntil } from '../../../test/kernel.js';

const dir = mkdtempSync(join(tmpdir(), 'nx-podman-death-'));
const fake = join(dir, 'podman');

afterAll(() => {
  for (const pid of processesRunning(fake)) process.kill(pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** Pids whose command line runs `file`. */
function processesRunning(file: string): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(e)) continue;
    try {
      if (readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0').includes(file)) out.push(Number(e));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

describe('podman events watcher', () => {
  it('takes its podman process along when the server is killed with SIGKILL', async () => {
    // Waits for ever with its own path on its command line (tail -f of itself), so it can be found.
    writeFileSync(fake, '#!/bin/sh\nexec /usr/bin/tail -f "$0"\n');
    chmodSync(fake, 0o755);
    const code =
      "import { watchPodmanCliEvents } from './server/discovery/runtimes/podmanEvents.js';" +
      `watchPodmanCliEvents({ storage: ${JSON.stringify(dir)}, socketPath: ${JSON.stringify(join(dir, 'none'))} },` +
      ` () => {}, () => {}, ${JSON.stringify(fake)}); setInterval(() => {}, 1000);`;
    const server = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      cwd: new URL('../../..', import.meta.url).pathname,
      stdio: 'ignore',
    });
    try {
      const running = await pollUntil(
        () => processesRunning(fake).length > 0,
        'the stand-in podman events process',
        60_000,
      );
      expect(running).toBe(true);
    } finally {
      server.kill('SIGKILL');
    }
    await pollUntil(
      () => processesRunning(fake).length === 0,
      'podman events to die with the server',
      10_000,
    );
    expect(processesRunning(fake)).toEqual([]);
  });
});
