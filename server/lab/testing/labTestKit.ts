/**
 * Shared by the lab's kernel tests (process and Docker mode): the real CLI in a child process and
 * the `ip -j` shapes they read. Not a test file itself.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sh } from '../../../test/kernel.js';

const execFileP = promisify(execFile);
const ROOT = join(import.meta.dirname, '../../..');

export interface LabRun {
  code: number;
  out: string;
}

/** `netns-explorer lab ARGS` through the real CLI; never throws, returns the exit code and output. */
export function lab(...args: string[]): Promise<LabRun> {
  return labWithin(90_000, ...args);
}

export async function labWithin(timeoutMs: number, ...args: string[]): Promise<LabRun> {
  try {
    const { stdout } = await execFileP(
      process.execPath,
      ['--import', 'tsx', 'server/cli.ts', 'lab', ...args],
      { cwd: ROOT, timeout: timeoutMs },
    );
    return { code: 0, out: stdout };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? -1, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

export interface Link {
  ifname: string;
  ifindex: number;
  link_index?: number;
  master?: string;
  operstate: string;
  linkinfo?: { info_kind?: string };
}
export interface Addr {
  ifname: string;
  addr_info: Array<{ family: string; local: string; prefixlen: number }>;
}
export interface Route {
  dst: string;
  dev?: string;
  gateway?: string;
  scope?: string;
}

/** `ip -br link` lines of everything that is not a test object (other files' `nx*` come and go). */
export async function hostBaseline(): Promise<string[]> {
  return (await sh('ip -br link'))
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('nx'))
    .sort();
}

export const ipv4 = (addrs: Addr[], ifname: string): string[] =>
  (addrs.find((a) => a.ifname === ifname)?.addr_info ?? [])
    .filter((i) => i.family === 'inet')
    .map((i) => `${i.local}/${i.prefixlen}`);
