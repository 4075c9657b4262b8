/**
 * Positions: a box the user drags stays where it was put, across reloads; a new interface moves
 * nothing else on screen; Re-layout forgets dragged places. Compared in flow coordinates (the page's hook),
 * because fit-to-view on load may pan and zoom differently each time.
 */
import type { Page } from '@playwright/test';
import {
  cleanupPrefix,
  expect,
  ifId,
  ipJson,
  isNsId,
  nsId,
  nsInode,
  parseNsId,
  runShell,
  test,
  uniquePrefix,
} from './fixtures.js';
import type { LabInfo } from './fixtures.js';
import { node, showNode, waitSteady } from './page-helpers.js';
import {
  dragBox,
  drawnPosition,
  flowPosition,
  flowPositions,
  layoutRuns,
  savedPositions,
  servedTopology,
  waitDrawn,
  zoom,
} from './view-helpers.js';
import type { XY } from './view-helpers.js';

const prefix = uniquePrefix('ps');
test.afterAll(async () => {
  await cleanupPrefix(prefix);
});

function labBoxes(lab: LabInfo): string[] {
  return [...Object.values(lab.ns).map((n) => n.id), lab.hostNsId];
}

/** Same place within a pixel (positions are stored as numbers, so they should match exactly). */
function expectNear(got: XY | null, want: XY): void {
  expect(got).not.toBeNull();
  expect(Math.abs(got!.x - want.x)).toBeLessThanOrEqual(1);
  expect(Math.abs(got!.y - want.y)).toBeLessThanOrEqual(1);
}

/**
 * Drags a box by (dx, dy) screen pixels and waits until the drop is recorded; returns where the
 * box ended. React Flow starts a drag only past a threshold, so the box moves a little less than
 * the mouse: the check is that it went most of the way, in flow pixels (screen pixels / zoom).
 */
async function drag(page: Page, id: string, dx: number, dy: number): Promise<XY> {
  await showNode(page, id);
  await waitSteady(node(page, id));
  const before = (await flowPosition(page, id))!;
  const z = await zoom(page);
  await dragBox(page, id, dx, dy);
  await expect
    .poll(async () => {
      const p = await flowPosition(page, id);
      const saved = (await savedPositions(page))[id];
      const far = (d: number, want: number) =>
        Math.sign(d) === Math.sign(want) && Math.abs(d) > Math.abs(want) / 2;
      return !!p && far(p.x - before.x, dx / z) && far(p.y - before.y, dy / z) && jsonEq(saved, p);
    })
    .toBe(true);
  return (await flowPosition(page, id))!;
}

/** Presses Re-layout and waits until the new layout is adopted. */
async function relayout(page: Page): Promise<void> {
  const runs = await layoutRuns(page);
  await page.getByTestId('relayout').click();
  await expect.poll(() => layoutRuns(page)).toBeGreaterThan(runs);
}

function jsonEq(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

test('a dragged box keeps its place across reloads', async ({ page, lab }) => {
  const boxes = labBoxes(lab);
  const moved = lab.ns['netshoot-b'].id;
  await waitDrawn(page, boxes);
  const put = await drag(page, moved, 90, -120);

  await page.reload();
  await waitDrawn(page, boxes);
  expectNear(await flowPosition(page, moved), put);
  expectNear(await drawnPosition(page, moved), put);
});

/** Model ids of the interfaces called `names` in a namespace (the host when `netns` is omitted). */
async function ifaceIds(nsInode: number, names: string[], netns?: string): Promise<string[]> {
  const links = await ipJson<Array<{ ifname: string; ifindex: number }>>(
    ['link', 'show'],
    netns ? { name: netns } : undefined,
  );
  const ids = links.filter((l) => names.includes(l.ifname)).map((l) => ifId(nsInode, l.ifindex));
  expect(ids).toHaveLength(names.length);
  return ids;
}

test('a new interface moves no other box', async ({ page, lab, api }) => {
  test.setTimeout(120_000);
  const netns = `${prefix}n`;
  try {
    // A box of our own; being new, it is put below everything on screen.
    await runShell(`ip netns add ${netns}`);
    const inode = await nsInode(`/run/netns/${netns}`);
    const own = nsId(inode);
    const hostInode = parseNsId(lab.hostNsId)!;
    await waitDrawn(page, [...labBoxes(lab), own]);
    const hostIfaces = (await servedTopology(api)).interfaces
      .filter((i) => i.namespace === lab.hostNsId && i.kind !== 'loopback')
      .map((i) => i.id);
    const watched = [...labBoxes(lab), own, ...hostIfaces];
    await waitDrawn(page, watched);
    const before = await flowPositions(page, watched);

    // A veth pair inside our box: it grows, and nothing on screen moves, not even that box.
    await runShell(`ip -n ${netns} link add ${prefix}x type veth peer name ${prefix}y`);
    await waitDrawn(page, await ifaceIds(inode, [`${prefix}x`, `${prefix}y`], netns));
    expect(await flowPositions(page, watched)).toEqual(before);

    // A veth from the host into our box: the host box grows. It, its interfaces and every box
    // above it stay; a box below that it would now cover moves straight down (by design).
    await runShell(`ip link add ${prefix}h type veth peer name ${prefix}c netns ${netns}`);
    await waitDrawn(page, [
      ...(await ifaceIds(hostInode, [`${prefix}h`])),
      ...(await ifaceIds(inode, [`${prefix}c`], netns)),
    ]);
    const after = await flowPositions(page, watched);
    const hostY = before[lab.hostNsId]!.y;
    for (const id of watched) {
      const [was, now] = [before[id]!, after[id]!];
      if (!isNsId(id) || id === lab.hostNsId || was.y < hostY) expect(now).toEqual(was);
      else {
        expect(now.x).toBe(was.x);
        expect(now.y).toBeGreaterThanOrEqual(was.y);
      }
    }
  } finally {
    await cleanupPrefix(prefix);
  }
});

test('Re-layout forgets dragged places, also for the next visit', async ({ page, lab }) => {
  const boxes = labBoxes(lab);
  const moved = lab.ns.nginx.id;
  await waitDrawn(page, boxes);
  // Start from a full automatic layout of what is there now, so "back to automatic" has one answer.
  await relayout(page);
  const auto = (await flowPosition(page, moved))!;

  const put = await drag(page, moved, -80, -140);
  expect(Object.keys(await savedPositions(page))).toContain(moved);
  expect(put).not.toEqual(auto);

  await relayout(page);
  expect(await flowPosition(page, moved)).toEqual(auto);
  expect(await savedPositions(page)).toEqual({});
  await page.reload();
  await waitDrawn(page, boxes);
  await expect.poll(() => flowPosition(page, moved)).toEqual(auto);
});
