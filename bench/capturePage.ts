/**
 * Capture with the page watching (issue 17: "while the page stays responsive, report frame
 * times"): the real server, Chromium on its page, a capture started from the capture panel on one
 * end of a veth this bench makes (10.0.0.0/8), then `pps` UDP packets a second across the veth.
 * Records requestAnimationFrame deltas in the page while the packets stream in, how many rows the
 * panel drew, and what reached the pcapng (from the server's own counters). Needs the build
 * (dist/server/cli.js); `capture.js` runs it after its in-process figure.
 */
import { randomBytes } from 'node:crypto';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import type { CaptureInfo } from '../common/capture.js';
import { ifIdOf, makePair, topologyOf } from '../server/capture/testing/captureTestKit.js';
import { cleanupPrefix } from '../test/kernel.js';
import { startFrames, stopFrames } from './pageFrames.js';
import { lossPercent, sendUdp } from './udpSender.js';
import type { ServerHandle } from './live.js';
import { startServer } from './live.js';
import type { Summary } from './stats.js';
import { round, summarize } from './stats.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

export interface CapturePageResult {
  pps: number;
  seconds: number;
  sent: number;
  captured: number;
  lossPercent: number;
  /** Rows the panel holds at the end, and what the counters line says. */
  rowsShown: number;
  countersText: string;
  /** Frame deltas in the page while the packets came in (ms). */
  frameMs: Summary;
  frames: number;
  /** Frames over 50 ms (a stutter a user notices). */
  longFrames: number;
  error: string | null;
}

async function captures(server: ServerHandle): Promise<CaptureInfo[]> {
  const r = await fetch(`${server.origin}/api/captures`, {
    headers: { Authorization: `Bearer ${server.token}` },
  });
  const body = (await r.json()) as { captures?: CaptureInfo[] };
  return body.captures ?? [];
}

export async function capturePageBench(pps = 10_000, seconds = 5): Promise<CapturePageResult> {
  const prefix = `nxcp${randomBytes(2).toString('hex').slice(0, 3)}`;
  let server: ServerHandle | null = null;
  let browser: Browser | null = null;
  const empty = { pps, seconds, sent: 0, captured: 0, lossPercent: 100, rowsShown: 0, countersText: '' };
  try {
    const pair = await makePair(prefix, 'q', 92);
    const topology = await topologyOf([pair.a, pair.b]);
    const xId = ifIdOf(topology, pair.a, pair.x);
    server = await startServer();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    // A page that lays out every namespace on a busy machine may take a while to take input.
    page.setDefaultTimeout(120_000);
    await page.goto(server.openUrl);
    await page.locator('[data-testid="connection-status"][data-state="live"]').waitFor({ timeout: 60_000 });
    await page.getByTestId('capture-open').click();
    const add = page.getByTestId('capture-add');
    await add.locator(`option[value="${xId}"]`).waitFor({ state: 'attached', timeout: 60_000 });
    await add.selectOption(xId);
    await page.getByTestId('capture-filter').fill('udp port 9');
    await page.getByTestId('capture-start').click();
    await page.getByTestId('capture-stop').waitFor({ timeout: 30_000 });

    await startFrames(page);
    const sent = await sendUdp(pair, pps, seconds);
    // The merge holds the last packets up to 1.5 s: wait (deadline) until the server has them all.
    const deadline = Date.now() + 10_000;
    let info: CaptureInfo | undefined;
    while (Date.now() < deadline) {
      info = (await captures(server)).find((c) => c.running && c.interfaces.some((i) => i.id === xId));
      if (info && info.counters.packets >= sent) break;
      await page.waitForTimeout(100);
    }
    const deltas = await stopFrames(page);
    const rowsShown = await page.getByTestId('capture-row').count();
    const countersText = (await page.getByTestId('capture-counters').textContent()) ?? '';
    await page.getByTestId('capture-stop').click();
    const captured = info?.counters.packets ?? 0;
    const s = summarize(deltas);
    return {
      pps,
      seconds,
      sent,
      captured,
      lossPercent: lossPercent(sent, captured),
      rowsShown,
      countersText: countersText.trim(),
      frameMs: { n: s.n, min: round(s.min), p50: round(s.p50), p95: round(s.p95), max: round(s.max) },
      frames: deltas.length,
      longFrames: deltas.filter((d) => d > 50).length,
      error: null,
    };
  } catch (e) {
    return {
      ...empty,
      frameMs: summarize([]),
      frames: 0,
      longFrames: 0,
      error: e instanceof Error ? (e.message.split('\n')[0] ?? String(e)) : String(e),
    };
  } finally {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    await cleanupPrefix(prefix);
  }
}
