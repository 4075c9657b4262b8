/**
 * Part 6: the page in Chromium. Time from navigation to every namespace box drawn (visible, i.e.
 * measured by React Flow), then frame times (requestAnimationFrame deltas recorded in the page)
 * while the mouse wheel zooms and a drag pans.
 */
import { performance } from 'node:perf_hooks';
import { chromium } from 'playwright-core';
import { NS_PREFIX } from '../common/ids.js';
import type { Browser, Page } from 'playwright-core';
import type { ServerHandle } from './live.js';
import { findPane, startFrames, stopFrames } from './pageFrames.js';
import type { Summary } from './stats.js';
import { round, summarize } from './stats.js';

export interface PageFigures {
  /** The bench's namespaces plus the host's, which must all be drawn. */
  expectedNamespaces: number;
  drawnNamespaces: number;
  /** Every namespace box drawn when ours were (the host may have others). */
  drawnTotal: number;
  /** ms from navigation start to the first namespace box drawn (connection, snapshot, layout). */
  firstDrawnMs: number | null;
  /** ms from navigation start to all of the expected boxes drawn; null if it never happened. */
  drawnMs: number | null;
  frameMs: Summary;
  frames: number;
  error: string | null;
}

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
];
const DRAW_TIMEOUT_MS = 30_000;
const NS_NODES = `.react-flow__node[data-id^="${NS_PREFIX}"]`;

/*
 * In-page code is passed as source text: the bench is compiled without the DOM library (it is a
 * Node program), and Playwright runs the text in the page.
 */
const countDrawnOf = (ids: readonly string[]): string => `(() => {
  const want = new Set(${JSON.stringify(ids)});
  let all = 0;
  let ours = 0;
  for (const el of document.querySelectorAll('${NS_NODES}')) {
    if (getComputedStyle(el).visibility === 'hidden' || el.getBoundingClientRect().width === 0) continue;
    all++;
    if (want.has(el.getAttribute('data-id'))) ours++;
  }
  return [all, ours];
})()`;

/**
 * Counts namespace boxes that React Flow has measured and shown (unmeasured ones are hidden):
 * all of them, and those of `ids` (the bench's own, which other people's tests cannot change).
 */
async function countDrawn(page: Page, ids: readonly string[]): Promise<[number, number]> {
  const n: unknown = await page.evaluate(countDrawnOf(ids));
  return Array.isArray(n) && typeof n[0] === 'number' && typeof n[1] === 'number' ? [n[0], n[1]] : [0, 0];
}

export async function pageBench(
  server: ServerHandle,
  ids: readonly string[],
  onStop: (fn: () => Promise<void>) => () => void,
): Promise<PageFigures> {
  let browser: Browser | null = null;
  const closeBrowser = async (): Promise<void> => {
    await browser?.close().catch(() => undefined);
    browser = null;
  };
  const unregister = onStop(closeBrowser);
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const t0 = performance.now();
    await page.goto(server.openUrl, { waitUntil: 'commit' });
    const expected = ids.length;
    let drawn = 0;
    let total = 0;
    let drawnMs: number | null = null;
    let firstDrawnMs: number | null = null;
    let polls = 0;
    while (performance.now() - t0 < DRAW_TIMEOUT_MS) {
      [total, drawn] = await countDrawn(page, ids).catch((): [number, number] => [0, 0]);
      if (total > 0 && firstDrawnMs === null) firstDrawnMs = round(performance.now() - t0);
      // The page fits the view once; boxes that arrive later may lie outside it, and with
      // onlyRenderVisibleElements they are not in the DOM. Press "fit view" as a user would.
      if (total > 0 && drawn < expected && ++polls % 25 === 0) await fitView(page);
      if (drawn >= expected) {
        drawnMs = performance.now() - t0;
        break;
      }
      await page.waitForTimeout(10);
    }
    const frames = await recordFrames(page);
    const s = summarize(frames);
    return {
      expectedNamespaces: expected,
      drawnNamespaces: drawn,
      drawnTotal: total,
      firstDrawnMs,
      drawnMs: drawnMs === null ? null : round(drawnMs),
      frameMs: { n: s.n, min: round(s.min), p50: round(s.p50), p95: round(s.p95), max: round(s.max) },
      frames: frames.length,
      error:
        drawnMs === null ? `only ${drawn} of ${expected} namespaces drawn after ${DRAW_TIMEOUT_MS} ms` : null,
    };
  } catch (e) {
    return {
      expectedNamespaces: ids.length,
      drawnNamespaces: 0,
      drawnTotal: 0,
      firstDrawnMs: null,
      drawnMs: null,
      frameMs: summarize([]),
      frames: 0,
      error: e instanceof Error ? (e.message.split('\n')[0] ?? String(e)) : String(e),
    };
  } finally {
    unregister();
    await closeBrowser();
  }
}

async function fitView(page: Page): Promise<void> {
  await page
    .locator('.react-flow__controls-fitview')
    .click({ timeout: 1000 })
    .catch(() => undefined);
}

/** Scripted zooming and panning over the canvas; returns the frame deltas in ms. */
async function recordFrames(page: Page): Promise<number[]> {
  await startFrames(page);
  const vp = page.viewportSize() ?? { width: 1600, height: 1000 };
  const cx = vp.width / 2;
  const cy = vp.height / 2;
  const at = (await findPane(page)) ?? { x: cx, y: cy };
  await page.mouse.move(cx, cy);
  for (let i = 0; i < 10; i++) {
    await page.mouse.wheel(0, -120);
    await page.waitForTimeout(40);
  }
  await page.mouse.move(at.x, at.y);
  await page.mouse.down();
  for (let i = 0; i < 40; i++) {
    await page.mouse.move(at.x + Math.sin(i / 6) * 300, at.y + Math.cos(i / 6) * 200, { steps: 2 });
  }
  await page.mouse.up();
  await page.mouse.move(cx, cy);
  for (let i = 0; i < 10; i++) {
    await page.mouse.wheel(0, 120);
    await page.waitForTimeout(40);
  }
  return stopFrames(page);
}
