/**
 * Helpers for the export and position specs: the page's test hook (client/src/perf/hook.ts),
 * downloads from toolbar buttons, and real mouse drags.
 */
import type { APIRequestContext, Page } from '@playwright/test';
import type { Topology } from '../common/model.js';
import type { XY } from '../client/src/graph/types.js';
// The hook's type also declares `window.__netnsExplorer` for the page.evaluate callbacks below.
import type { PerfHook } from '../client/src/perf/hookTypes.js';
import { expect } from './fixtures.js';
import { mouseDrag, node } from './page-helpers.js';

export type { XY };

/** `GET /api/topology`: the model plus the epoch and seq it was served at. */
export type ServedTopology = Topology & { epoch: string; seq: number; readOnly: boolean };

export async function servedTopology(api: APIRequestContext): Promise<ServedTopology> {
  const res = await api.get('/api/topology');
  expect(res.ok()).toBe(true);
  return (await res.json()) as ServedTopology;
}

/** The model part of what the server serves (without epoch, seq and readOnly). */
export function modelOf(t: ServedTopology): Topology {
  const { version, namespaces, interfaces, routes, links } = t;
  return { version, namespaces, interfaces, routes, links };
}

/** Waits until the page has drawn its first picture with every namespace in `ids`. */
export async function waitDrawn(page: Page, ids: readonly string[] = []): Promise<void> {
  await expect
    .poll(
      () =>
        page.evaluate((want) => {
          const h = window.__netnsExplorer;
          return !!h && h.drawnAt !== null && want.every((id) => h.position(id) !== null);
        }, ids),
      { timeout: 30_000 },
    )
    .toBe(true);
}

/** A node's position in flow coordinates (independent of zoom and pan), or null if not drawn. */
export async function flowPosition(page: Page, id: string): Promise<XY | null> {
  return page.evaluate((x) => window.__netnsExplorer?.position(x) ?? null, id);
}

/** Flow positions of several nodes at once (one read, so they belong to the same moment). */
export async function flowPositions(page: Page, ids: readonly string[]): Promise<Record<string, XY | null>> {
  return page.evaluate(
    (xs) => Object.fromEntries(xs.map((x) => [x, window.__netnsExplorer?.position(x) ?? null])),
    ids,
  );
}

/** Positions the page keeps for the next visit (dragged boxes). */
export async function savedPositions(page: Page): Promise<ReturnType<PerfHook['saved']>> {
  return page.evaluate(() => window.__netnsExplorer?.saved() ?? {});
}

/** How many layouts the page has adopted (the first picture, then one per Re-layout). */
export async function layoutRuns(page: Page): Promise<PerfHook['layoutRuns']> {
  return page.evaluate(() => window.__netnsExplorer?.layoutRuns ?? 0);
}

/** epoch/seq of the model the page holds. */
export async function pageSeq(page: Page): Promise<{ epoch: string | null; seq: number | null }> {
  return page.evaluate(() => ({
    epoch: window.__netnsExplorer?.epoch ?? null,
    seq: window.__netnsExplorer?.seq ?? null,
  }));
}

/** Clicks a toolbar button and returns the file it downloads. */
export async function downloadFrom(page: Page, testId: string): Promise<{ name: string; body: Buffer }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  const failure = await download.failure();
  expect(failure).toBeNull();
  const stream = await download.createReadStream();
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return { name: download.suggestedFilename(), body: Buffer.concat(chunks) };
}

/**
 * Downloads an export of the view while the picture holds still: what `look` reads from the page
 * must be the same before and after, and nothing may be flashing as just changed (the flash
 * recolours edges for two seconds). Retries until so.
 */
export async function steadyDownload<T>(
  page: Page,
  testId: string,
  look: () => Promise<T>,
): Promise<{ file: { name: string; body: Buffer }; look: T }> {
  const flashing = () => page.locator('.react-flow .changed').count();
  const got: { file?: { name: string; body: Buffer }; look?: T } = {};
  await expect
    .poll(
      async () => {
        if (await flashing()) return false;
        const before = await look();
        const file = await downloadFrom(page, testId);
        const after = await look();
        if ((await flashing()) || JSON.stringify(before) !== JSON.stringify(after)) return false;
        Object.assign(got, { file, look: before });
        return true;
      },
      { timeout: 30_000 },
    )
    .toBe(true);
  return { file: got.file!, look: got.look! };
}

/** The current zoom of the canvas (React Flow's viewport transform scale). */
export async function zoom(page: Page): Promise<number> {
  const t = await page.locator('.react-flow__viewport').evaluate((el) => getComputedStyle(el).transform);
  // matrix(a, b, c, d, e, f): a is the scale (no rotation here).
  const m = /^matrix\(([^,]+),/.exec(t);
  if (!m) throw new Error(`unexpected viewport transform ${t}`);
  return Number(m[1]);
}

/**
 * A point on a box's header that is not covered by anything (an edge may cross the header, and
 * pressing there would grab the edge, not the box).
 */
async function grabPoint(page: Page, id: string): Promise<XY> {
  const p = await node(page, id)
    .locator('.ns-header')
    .evaluate((header) => {
      const r = header.getBoundingClientRect();
      for (let fy = 0.3; fy < 0.9; fy += 0.2)
        for (let fx = 0.05; fx < 0.9; fx += 0.05) {
          const x = r.left + r.width * fx;
          const y = r.top + r.height * fy;
          if (header.contains(document.elementFromPoint(x, y))) return { x, y };
        }
      return null;
    });
  if (!p) throw new Error(`no free spot on the header of ${id}`);
  return p;
}

/** Drags a namespace box by its header with real mouse moves, by (dx, dy) screen pixels. */
export async function dragBox(page: Page, id: string, dx: number, dy: number): Promise<void> {
  const from = await grabPoint(page, id);
  await mouseDrag(page, from, { x: from.x + dx, y: from.y + dy });
}

/** Where React Flow draws a node, in flow coordinates: its `translate(x, y)` (absolute for children too). */
export async function drawnPosition(page: Page, id: string): Promise<XY> {
  const t = await node(page, id).evaluate((el) => (el as HTMLElement).style.transform);
  const m = /translate\(\s*(-?[\d.e+-]+)px,\s*(-?[\d.e+-]+)px\)/.exec(t);
  if (!m) throw new Error(`node ${id} has no translate transform: ${t}`);
  return { x: Number(m[1]), y: Number(m[2]) };
}
