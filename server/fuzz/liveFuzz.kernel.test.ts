/**
 * Never die on input (issue 19): thousands of generated HTTP requests (every route: actions, inspect,
 * trace, capture, history, checkpoints; authenticated and not, any body/headers/path) and WebSocket
 * frames, on /api/live and on a real capture's live socket (the one capture this test starts, on
 * its own veth end), against the real live server. Afterwards:
 * /api/health answers, no answer was a 5xx, nothing was spawned for a refused request, the kernel
 * (ip -j link/addr/route of the host and the test's namespace) is as before, and RSS stayed
 * bounded; no tcpdump was started but the test's own, and none is left once the server closed.
 * Bounded in CI by FUZZ_TIME_MS per property; bench/fuzz.ts runs the long version.
 */
import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ifId } from '../../common/ids.js';
import { cleanupPrefix, ipJson, sh, uniquePrefix } from '../../test/kernel.js';
import { kernelState } from '../actions/testing/kit.js';
import { fuzzLive, healthOk } from './fuzzLive.js';
import { startFuzzTarget } from './target.js';
import type { FuzzTarget } from './target.js';

const P = uniquePrefix('fz');
const NS = `${P}n`;
const TIME_MS = Number(process.env.FUZZ_TIME_MS ?? 20_000);
let target: FuzzTarget | null = null;

beforeAll(async () => {
  await sh(`
    ip netns add ${NS}
    ip link add name ${P}h type veth peer name ${P}p netns ${NS}
    ip -n ${NS} addr add 10.98.0.1/24 dev ${P}p; ip -n ${NS} link set ${P}p up
    ip -n ${NS} route add 10.98.7.0/24 via 10.98.0.2
  `);
  target = await startFuzzTarget();
}, 180_000);

afterAll(async () => {
  await target?.close();
  await cleanupPrefix(P);
});

/** Processes inside the test's namespace (our tcpdump while the capture runs). */
const pidsIn = async () => (await sh(`ip netns pids ${NS}`)).trim().split('\n').filter(Boolean);

describe('live server under generated input', () => {
  it(
    'answers every request below 500, survives every frame, spawns nothing when refusing, changes nothing',
    { timeout: 4 * TIME_MS + 120_000 },
    async () => {
      const t = target!;
      // The only capture of the run: on the test's own veth end, started before the fuzz.
      const [own] = await ipJson<Array<{ ifindex: number }>>(['link', 'show', 'dev', `${P}p`], { name: NS });
      const capturePath = await t.startCapture([ifId(statSync(`/run/netns/${NS}`).ino, own!.ifindex)]);
      const tcpdumps = () => t.spawned.filter((argv) => argv.some((a) => a.endsWith('tcpdump')));
      expect(tcpdumps()).toHaveLength(1);
      expect(await pidsIn()).toHaveLength(1);
      const kernelBefore = await kernelState([NS], P);
      const rssBefore = process.memoryUsage().rss;
      const report = await fuzzLive(t, { httpRuns: 4000, wsRuns: 4000, timeLimitMs: TIME_MS, capturePath });
      const rssGrowthMiB = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
      process.stderr.write(
        `fuzz: ${JSON.stringify({ ...report, rssGrowthMiB: Math.round(rssGrowthMiB) })}\n`,
      );

      expect(report.httpSent).toBeGreaterThan(0);
      expect(report.wsSent).toBeGreaterThan(0);
      expect(report.captureWsSent).toBeGreaterThan(0);
      expect(await healthOk(t)).toBe(true);
      // Good requests were among them too (the generators reach past auth).
      expect(Object.keys(report.statuses)).toEqual(expect.arrayContaining(['200', '401', '403']));
      expect(await kernelState([NS], P)).toBe(kernelBefore);
      expect(rssGrowthMiB).toBeLessThan(256);
      // Nothing generated started a capture: still the one tcpdump, on our interface only.
      expect(tcpdumps()).toHaveLength(1);
      expect(tcpdumps()[0]).toEqual(expect.arrayContaining(['-i', `${P}p`]));
      expect(await pidsIn()).toHaveLength(1);
      // Closing the server leaves no process behind in the namespace.
      await t.close();
      target = null;
      expect(await pidsIn()).toEqual([]);
    },
  );
});
