/**
 * The long fuzz run (the CI test, server/fuzz/liveFuzz.kernel.test.ts, is bounded to seconds):
 * `node dist-bench/bench/fuzz.js [minutes]` (default 10) sends generated HTTP requests and WebSocket
 * frames to the real live server for that long per kind, then prints what it sent, the answers,
 * the RSS growth, and whether /api/health still answers. Exit 1 on any failed property.
 * Touches no kernel state (the generators can only be refused or read).
 */
import { fuzzLive, healthOk } from '../server/fuzz/fuzzLive.js';
import { startFuzzTarget } from '../server/fuzz/target.js';

async function main(): Promise<number> {
  const minutes = Number(process.argv[2] ?? 10);
  if (!(minutes > 0)) throw new Error('usage: fuzz.js [minutes > 0]');
  const target = await startFuzzTarget();
  try {
    const rssBefore = process.memoryUsage().rss;
    const t0 = Date.now();
    const report = await fuzzLive(target, {
      httpRuns: 10_000_000,
      wsRuns: 10_000_000,
      timeLimitMs: minutes * 60_000,
    });
    const result = {
      ...report,
      seconds: Math.round((Date.now() - t0) / 1000),
      rssGrowthMiB: Math.round((process.memoryUsage().rss - rssBefore) / 2 ** 20),
      healthy: await healthOk(target),
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return result.healthy ? 0 : 1;
  } finally {
    await target.close();
  }
}

main().then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    process.stderr.write(`fuzz: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
