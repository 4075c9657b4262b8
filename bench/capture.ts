/**
 * Capture throughput (issue 17): 10,000 UDP packets a second for a few seconds across one veth
 * between two namespaces this bench makes (10.0.0.0/8), captured on one end into the pcapng;
 * reports what reached the pcapng, tcpdump's kernel drops, and how many summaries a live client
 * was sent (the page gets ~50 a second whatever the rate); then the same with the page watching
 * (capturePage.ts: frame times). Run alone with
 * `npx tsx bench/capture.ts [pps] [seconds]`; `captureBench()` is what the bench runner calls.
 */
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { CaptureManager } from '../server/capture/manager.js';
import { ifIdOf, makePair, topologyOf } from '../server/capture/testing/captureTestKit.js';
import { cleanupPrefix } from '../test/kernel.js';
import { lossPercent, sendUdp } from './udpSender.js';
import { capturePageBench } from './capturePage.js';
import { CLI } from './snapshot.js';

export interface CaptureBenchResult {
  pps: number;
  seconds: number;
  sent: number;
  captured: number;
  kernelDrops: number;
  lossPercent: number;
  summariesSent: number;
  summariesPerSecond: number;
  notShown: number;
  fileBytes: number;
}

export async function captureBench(pps = 10_000, seconds = 5): Promise<CaptureBenchResult> {
  const prefix = `nxcb${randomBytes(2).toString('hex').slice(0, 3)}`;
  let manager: CaptureManager | null = null;
  try {
    const pair = await makePair(prefix, 'p', 91);
    const topology = await topologyOf([pair.a, pair.b]);
    manager = new CaptureManager({
      getTopology: () => topology,
      namespacePath: (n) => n.mounts[0] ?? null,
      audit: () => {},
      log: () => {},
    });
    const r = await manager.start(
      {
        interfaces: [ifIdOf(topology, pair.a, pair.x)],
        filter: 'udp port 9',
        maxSeconds: 600,
        maxBytes: 100_000_000,
      },
      'bench',
    );
    if (!r.ok) throw new Error(r.message);
    const session = manager.get(r.capture.id)!;
    let summariesSent = 0;
    const unsubscribe = session.subscribe((m) => {
      if (m.type === 'packets') summariesSent += m.packets.length;
    });
    const sentAt = Date.now();
    const sent = await sendUdp(pair, pps, seconds);
    const elapsedS = (Date.now() - sentAt) / 1000;
    // Let the last packets through the merge's hold time, then stop (tcpdump reports its drops).
    const deadline = Date.now() + 5000;
    while (session.counters.packets < sent && Date.now() < deadline)
      await new Promise((res) => setTimeout(res, 50));
    await session.end('bench done');
    unsubscribe();
    const c = session.info().counters;
    return {
      pps,
      seconds,
      sent,
      captured: c.packets,
      kernelDrops: c.drops,
      lossPercent: lossPercent(sent, c.packets),
      summariesSent,
      summariesPerSecond: Math.round((summariesSent / elapsedS) * 10) / 10,
      notShown: c.notShown,
      fileBytes: c.fileBytes,
    };
  } finally {
    await manager?.closeAll();
    await cleanupPrefix(prefix);
  }
}

if (process.argv[1]?.endsWith('capture.ts') || process.argv[1]?.endsWith('capture.js')) {
  const [pps, seconds] = process.argv.slice(2).map(Number);
  captureBench(pps || undefined, seconds || undefined)
    .then(async (r) => {
      console.log(JSON.stringify(r, null, 2));
      // Then the same rate with the page watching (frame times); needs the built server.
      if (!existsSync(CLI)) return console.log(`page figure skipped: ${CLI} is missing (npm run build)`);
      console.log(
        JSON.stringify({ page: await capturePageBench(pps || undefined, seconds || undefined) }, null, 2),
      );
    })
    .then(
      () => undefined,
      (e: unknown) => {
        console.error(e);
        process.exit(1);
      },
    );
}
