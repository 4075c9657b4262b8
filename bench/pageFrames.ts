/**
 * Frame times in a benched page: requestAnimationFrame deltas recorded in the page between
 * startFrames() and stopFrames(), and a point on empty canvas to drag (a drag on a box would move
 * the box instead of panning). In-page code is passed as text: the bench compiles without the DOM
 * library.
 */
import type { Page } from 'playwright-core';

const START_FRAMES = `(() => {
  window.__benchFrames = [];
  window.__benchOn = true;
  let last = 0;
  const tick = (t) => {
    window.__benchFrames.push(t - last);
    last = t;
    if (window.__benchOn) requestAnimationFrame(tick);
  };
  requestAnimationFrame((t) => { last = t; requestAnimationFrame(tick); });
})()`;

const STOP_FRAMES = `(() => { window.__benchOn = false; return window.__benchFrames.slice(1); })()`;

/** Starts recording frame deltas in the page. */
export async function startFrames(page: Page): Promise<void> {
  await page.evaluate(START_FRAMES);
}

/** Stops recording; the deltas (ms) since startFrames(), the first (partial) one left out. */
export async function stopFrames(page: Page): Promise<number[]> {
  const frames: unknown = await page.evaluate(STOP_FRAMES);
  return Array.isArray(frames) ? frames.filter((f): f is number => typeof f === 'number') : [];
}

/**
 * A point on empty canvas in the middle of a `w` x `h` viewport, searched on a grid of `dx` x `dy`
 * pixels, or null when the boxes cover it all.
 */
export async function findPane(page: Page, dx = 29, dy = 23): Promise<{ x: number; y: number } | null> {
  const { width: w, height: h } = page.viewportSize() ?? { width: 1600, height: 1000 };
  const found: unknown = await page.evaluate(`(() => {
  for (let y = ${h} * 0.2; y < ${h} * 0.9; y += ${dy})
    for (let x = ${w} * 0.2; x < ${w} * 0.8; x += ${dx}) {
      const el = document.elementFromPoint(x, y);
      if (el && el.classList.contains('react-flow__pane')) return { x, y };
    }
  return null;
})()`);
  return isPoint(found) ? found : null;
}

function isPoint(v: unknown): v is { x: number; y: number } {
  return typeof v === 'object' && v !== null && typeof (v as { x?: unknown }).x === 'number';
}
