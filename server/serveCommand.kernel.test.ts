/**
 * The command as users run it: one stdout line with the URL, loopback only, the token nowhere in
 * /proc (argv, environment) of the server or its children, nor in the logs; clean exit on SIGTERM.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { pollUntil, sh } from '../test/kernel.js';
import { exited, killStarted, startCli } from './testing/cliProcess.js';

/** The process and all its descendants. */
function tree(pid: number): number[] {
  const out = [pid];
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const kids = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
    for (const k of kids ? kids.split(' ') : []) out.push(...tree(Number(k)));
  }
  return out;
}

afterAll(killStarted);

describe('netns-explorer serve', () => {
  it('refuses a non-loopback --host without --allow-remote', async () => {
    const { child, stderr } = startCli(['serve', '--host', '0.0.0.0', '--port', '0']);
    expect(await exited(child)).toBe(2);
    expect(stderr.join('\n')).toMatch(/--allow-remote/);
  });

  it(
    'prints one URL line, listens on loopback only, keeps the token out of /proc and logs',
    { timeout: 300_000 },
    async () => {
      const { child, stdout, stderr } = startCli(['serve', '--port', '0', '--no-history']);
      await pollUntil(() => stdout.length > 0 || child.exitCode !== null, 'URL line', 240_000);
      expect(stdout, stderr.join('\n').slice(-3000)).toHaveLength(1);
      // stdout is a pipe, not a terminal: the line names the root-only token file instead.
      const m =
        /^netns-explorer: open http:\/\/127\.0\.0\.1:(\d+)\/\?token=<token> \(the token is in (\/run\/netns-explorer\/\d+\.token) \(readable by root only\)/.exec(
          stdout[0]!,
        );
      expect(m).not.toBeNull();
      const [, port, tokenFile] = m!;
      expect(statSync(tokenFile!).mode & 0o777).toBe(0o600);
      expect(statSync(tokenFile!).uid).toBe(0);
      const token = readFileSync(tokenFile!, 'utf8').trim();
      expect(token).toMatch(/^[A-Za-z0-9_-]{43,}$/);
      expect(stdout[0]).not.toContain(token);
      const listening = await sh(`ss -Hltn 'sport = :${port}'`);
      expect(
        listening
          .trim()
          .split('\n')
          .map((l) => l.trim().split(/\s+/)[3]),
      ).toEqual([`127.0.0.1:${port}`]);
      // The ip monitor child must be running, and nothing in the tree may carry the token.
      await pollUntil(() => tree(child.pid!).length > 1, 'ip monitor child');
      for (const pid of tree(child.pid!)) {
        for (const f of ['cmdline', 'environ']) {
          expect(readFileSync(`/proc/${pid}/${f}`, 'latin1')).not.toContain(token!);
        }
      }
      // It listens before its first read: 503 `starting` until the model is there.
      const res = await pollUntil(
        async () => {
          const r = await fetch(`http://127.0.0.1:${port}/api/topology`, {
            headers: { Authorization: `Bearer ${token}` },
          });
          if (r.status === 503)
            expect(((await r.json()) as { error: { code: string } }).error.code).toBe('starting');
          return r.status === 503 ? null : r;
        },
        'the first model',
        120_000,
      );
      if (!res) throw new Error('no answer');
      expect(res.status).toBe(200);
      const body = (await res.json()) as { namespaces: unknown[]; seq: number };
      expect(body.namespaces.length).toBeGreaterThan(0);
      const kids = tree(child.pid!).slice(1);
      child.kill('SIGTERM');
      expect(await exited(child)).toBe(0);
      expect(existsSync(tokenFile!)).toBe(false);
      expect(
        kids.filter((k) => {
          try {
            return readFileSync(`/proc/${k}/cmdline`, 'utf8').includes('monitor');
          } catch {
            return false;
          }
        }),
      ).toEqual([]);
      expect(stderr.join('\n')).not.toContain(token!);
      expect(stderr.join('\n')).toMatch(/listening on http:\/\/127\.0\.0\.1:/);
    },
  );
});
