/**
 * Never die on input (issue 19): thousands of generated HTTP requests (every route, authenticated
 * and not, any body/headers/path) and WebSocket frames against the real live server. Afterwards:
 * /api/health answers, no answer was a 5xx, nothing was spawned for a refused request, the kernel
 * (ip -j link/addr/route of the host and the test's namespace) is as before, and RSS stayed
 * bounded. Bounded in CI by FUZZ_TIME_MS per property; bench/fuzz.ts runs the long version.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupPrefix, sh, uniquePrefix } from '../../test/kernel.js';
import { kernelState } from '../actions/testing/kit.js';
import { fuzzLive, healthOk } from './fuzzLive.js';
import { startFuzzTarget } from './target.js';
import type { FuzzTarget } from './target.js';

const P = uniquePrefix('fz');
const NS = `${P}n`;
const TIME_MS = Number(process.env.FUZZ_TIME_MS ?? 20_000);
let target: FuzzTarget;

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

describe('live server under generated input', () => {
  it(
    'answers every request below 500, survives every frame, spawns nothing when refusing, changes nothing',
    { timeout: 4 * TIME_MS + 120_000 },
    async () => {
      const kernelBefore = await kernelState([NS], P);
      const rssBefore = process.memoryUsage().rss;
      const report = await fuzzLive(target, { httpRuns: 4000, wsRuns: 4000, timeLimitMs: TIME_MS });
      const rssGrowthMiB = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
      process.stderr.write(
        `fuzz: ${JSON.stringify({ ...report, rssGrowthMiB: Math.round(rssGrowthMiB) })}\n`,
      );

      expect(report.httpSent).toBeGreaterThan(0);
      expect(report.wsSent).toBeGreaterThan(0);
      expect(await healthOk(target)).toBe(true);
      // Good requests were among them too (the generators reach past auth).
      expect(Object.keys(report.statuses)).toEqual(expect.arrayContaining(['200', '401', '403']));
      expect(await kernelState([NS], P)).toBe(kernelBefore);
      expect(rssGrowthMiB).toBeLessThan(256);
    },
  );
});
