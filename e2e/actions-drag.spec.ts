/**
 * Dragging an interface onto a bridge attaches it (the same API as the panel), in real Chromium
 * against the real server and kernel. Dropping on a non-bridge or on a bridge in another namespace
 * changes nothing in the kernel (and makes no request); the interface node always snaps back.
 * Detaching stays in the panel.
 */
import type { Locator, Page } from '@playwright/test';
import { cleanupPrefix, expect, ifId, nsId, nsInode, runShell, test, uniquePrefix } from './fixtures.js';
import { centreOf, edge, linkIn, mouseDrag, node, offsetIn, selectById, waitSteady } from './page-helpers.js';

const prefix = uniquePrefix('dr');
test.afterAll(async () => {
  await cleanupPrefix(prefix);
});

const masterOf = async (ns: string, dev: string) => (await linkIn(ns, dev))?.master ?? null;

/**
 * True when the node's centre lies well inside the canvas: dropping there neither lands on another
 * element (the side panel) nor starts React Flow's auto-pan (within 40 px of an edge).
 */
async function wellInside(page: Page, n: Locator): Promise<boolean> {
  const c = await n.boundingBox();
  const area = await page.getByTestId('canvas').boundingBox();
  if (!c || !area) return false;
  const [x, y] = [c.x + c.width / 2, c.y + c.height / 2];
  const m = 60;
  return x > area.x + m && x < area.x + area.width - m && y > area.y + m && y < area.y + area.height - m;
}

/** The node's offset inside its namespace box: unchanged when it snapped back to its place. */
async function offsetInBox(page: Page, id: string, boxId: string): Promise<string> {
  const o = await offsetIn(page, id, boxId);
  return o ? `${Math.round(o.x)},${Math.round(o.y)}` : 'not drawn';
}

test('drag an interface onto a bridge: attach; non-bridge and other-namespace drops change nothing', async ({
  page,
}) => {
  const NA = `${prefix}a`;
  const NB = `${prefix}b`;
  const [br, v, w, br2] = [`${prefix}br`, `${prefix}v`, `${prefix}w`, `${prefix}br2`];
  await runShell(`
    ip netns add ${NA}; ip netns add ${NB}
    ip -n ${NA} link add ${br} type bridge
    ip -n ${NA} link add ${v} type veth peer name ${w}
    ip -n ${NA} link set ${br} up
    ip -n ${NB} link add ${br2} type bridge
  `);
  const inoA = await nsInode(`/run/netns/${NA}`);
  const inoB = await nsInode(`/run/netns/${NB}`);
  const idA = nsId(inoA);
  const ifIdOf = async (ns: string, ino: number, name: string) =>
    ifId(ino, (await linkIn(ns, name))!.ifindex);
  const idBr = await ifIdOf(NA, inoA, br);
  const idV = await ifIdOf(NA, inoA, v);
  const idW = await ifIdOf(NA, inoA, w);
  const idBr2 = await ifIdOf(NB, inoB, br2);
  const masterRequests: string[] = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().includes('/master')) masterRequests.push(r.url());
  });

  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'live');
  // Centre on A (waiting for the centring to end: a zoom would cut it short), close the panel, and
  // zoom out until B's box is on screen too: the drags below need all four nodes well inside.
  await selectById(page, idA);
  await waitSteady(node(page, idA));
  await page.getByTestId('side-panel').getByRole('button', { name: 'Close panel' }).click();
  const targets = [idV, idW, idBr, idBr2].map((id) => node(page, id));
  const [vNode, wNode, brNode, br2Node] = targets as [Locator, Locator, Locator, Locator];
  await expect(async () => {
    await waitSteady(...targets);
    const inside = await Promise.all(targets.map((n) => wellInside(page, n)));
    if (!inside.every(Boolean)) {
      await page.locator('.react-flow__controls-zoomout').click();
      throw new Error(`not yet well inside the canvas: ${inside.join(',')}`);
    }
  }).toPass({ intervals: [0], timeout: 30_000 });
  const home = await offsetInBox(page, idV, idA);
  const status = page.getByTestId('drop-status');

  // 1. Onto the other veth end (not a bridge): a hint, no request, no master, back in place.
  await mouseDrag(page, await centreOf(vNode), await centreOf(wNode), async () => {
    await expect(brNode.getByTestId('bridge-box')).not.toHaveAttribute('data-drop');
  });
  await expect(status).toContainText(`${w} is not a bridge`);
  expect(masterRequests).toEqual([]);
  expect(await masterOf(NA, v)).toBeNull();
  await expect.poll(() => offsetInBox(page, idV, idA)).toBe(home);

  // 2. Onto the bridge in namespace B (the pointer leaves A's box; the node stays inside it): the
  //    bridge lights up red while hovered, and the drop explains why instead of calling the API.
  await mouseDrag(page, await centreOf(vNode), await centreOf(br2Node), async () => {
    await expect(br2Node.getByTestId('bridge-box')).toHaveAttribute('data-drop', 'refused');
  });
  await expect(page.getByRole('alert').filter({ hasText: 'own namespace' })).toBeVisible();
  expect(masterRequests).toEqual([]);
  expect(await masterOf(NA, v)).toBeNull();
  expect(await masterOf(NB, br2)).toBeNull();
  await expect.poll(() => offsetInBox(page, idV, idA)).toBe(home);

  // 3. Onto A's bridge: green while hovered; the kernel gets the master, the page the port edge.
  await mouseDrag(page, await centreOf(vNode), await centreOf(brNode), async () => {
    await expect(brNode.getByTestId('bridge-box')).toHaveAttribute('data-drop', 'ok');
  });
  await expect.poll(() => masterOf(NA, v)).toBe(br);
  expect(masterRequests).toHaveLength(1);
  await expect(edge(page, `port:${idV}:${idBr}`)).toHaveCount(1);
  await expect(status).toContainText(`${v} attached to ${br}`);
  await expect(brNode.getByTestId('bridge-box')).not.toHaveAttribute('data-drop');
  await expect.poll(() => offsetInBox(page, idV, idA)).toBe(home);
  expect(await masterOf(NA, w)).toBeNull();

  // Detach is still the panel's: the port edge and the master go.
  await selectById(page, idV);
  await page.getByTestId('side-panel').getByRole('button', { name: 'Detach from bridge' }).click();
  await expect.poll(() => masterOf(NA, v)).toBeNull();
  await expect(edge(page, `port:${idV}:${idBr}`)).toHaveCount(0);
});
