/**
 * The history timeline (issue 16): scrubbing back to before a veth pair was made draws the
 * network without it (read-only, with a banner); back to live draws it again; comparing a moment
 * before it with now marks it added and lists it.
 */
import type { Page } from '@playwright/test';
import { expect, nsId, nsInode, runShell, specPrefix, test, vethLinkId } from './fixtures.js';
import { edge, ifIdIn, node, showNode } from './page-helpers.js';

const prefix = specPrefix('ph');
const LIVE = { timeout: 30_000 };

/** The track's time range and where on screen a moment is. */
async function track(page: Page) {
  const t = page.getByTestId('timeline-track');
  const box = (await t.boundingBox())!;
  const start = Number(await t.getAttribute('data-start'));
  const end = Number(await t.getAttribute('data-end'));
  return {
    msPerPx: (end - start) / box.width,
    x: (time: number) => box.x + ((time - start) / (end - start)) * box.width,
    y: box.y + box.height / 2,
    right: box.x + box.width - 1,
  };
}

test('scrub back before a veth pair: not drawn; live: drawn; difference: marked added', async ({ page }) => {
  test.setTimeout(240_000);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'live');
  const a = `${prefix}a`;
  const b = `${prefix}b`;
  await runShell(`ip netns add ${a}; ip netns add ${b}`);
  const inodeA = await nsInode(`/run/netns/${a}`);
  await expect((await showNode(page, nsId(inodeA), LIVE.timeout)).getByTestId('ns-name')).toHaveText(a, LIVE);
  await expect(page.getByTestId('timeline-track')).toBeVisible(LIVE);

  // A moment when both namespaces exist and the pair does not, far enough from the pair's
  // creation that one pixel of the timeline tells them apart.
  const before = Date.now();
  await expect.poll(async () => Date.now() - before > 3 * (await track(page)).msPerPx, LIVE).toBe(true);
  const moment = Date.now();
  await expect.poll(async () => Date.now() - moment > 3 * (await track(page)).msPerPx, LIVE).toBe(true);

  await runShell(`ip link add ${prefix}x netns ${a} type veth peer name ${prefix}y netns ${b}`);
  const made = Date.now();
  const ends = [await ifIdIn(a, `${prefix}x`), await ifIdIn(b, `${prefix}y`)];
  const linkId = vethLinkId(ends[0]!, ends[1]!);
  await showNode(page, ends[0]!, LIVE.timeout);
  await expect(edge(page, linkId)).toHaveCount(1, LIVE);

  // The timeline refreshes its range every few seconds: wait until it reaches past the pair.
  const timeline = page.getByTestId('timeline-track');
  await expect
    .poll(async () => Number(await timeline.getAttribute('data-end')) > made + 1000, LIVE)
    .toBe(true);

  // Scrub to the moment before the pair.
  const t = await track(page);
  await page.mouse.click(t.x(moment), t.y);
  await expect(page.getByTestId('history-banner')).toBeVisible();
  await expect(page.getByTestId('history-banner')).toContainText('read-only');
  await expect(edge(page, linkId)).toHaveCount(0, LIVE);
  await expect(node(page, ends[0]!)).toHaveCount(0);
  await expect(node(page, nsId(inodeA))).toHaveCount(1);

  // Back to live.
  await page.getByTestId('banner-back-to-live').click();
  await expect(page.getByTestId('history-banner')).toHaveCount(0);
  await expect(edge(page, linkId)).toHaveCount(1, LIVE);

  // Compare that moment with now: the pair is marked added and listed.
  await page.getByTestId('compare-toggle').click();
  const t2 = await track(page);
  await page.mouse.move(t2.x(moment), t2.y);
  await page.mouse.down();
  await page.mouse.move(t2.right, t2.y, { steps: 5 });
  await page.mouse.up();
  await expect(page.getByTestId('history-banner')).toContainText('added', LIVE);
  await expect(edge(page, linkId)).toHaveClass(/diff-added/, LIVE);
  await expect(node(page, ends[0]!)).toHaveClass(/diff-added/);
  await expect(
    page
      .getByTestId('change-item')
      .filter({ hasText: `${prefix}x` })
      .first(),
  ).toContainText('added');
  await page.getByTestId('back-to-live').click();
  await expect(edge(page, linkId)).not.toHaveClass(/diff-added/, LIVE);
});
