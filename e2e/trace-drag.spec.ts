/**
 * Drag-to-pick in the trace form, in real Chromium against the real server and kernel: the handle
 * dropped on an interface fills the destination with its address, dropped on a namespace box with
 * the first of its global addresses (and says so); the trace then runs to it. The drag neither
 * moves a namespace box nor proposes a veth (React Flow never sees it).
 */
import type { Locator, Page } from '@playwright/test';
import { expect, nsId, nsInode, runShell, specPrefix, test } from './fixtures.js';
import { centreOf, ifIdIn, mouseDrag, node, selectById, waitSteady } from './page-helpers.js';

const prefix = specPrefix('td');

/** The node's centre lies well inside the canvas (not under the panel, away from the edges). */
async function wellInside(page: Page, n: Locator): Promise<boolean> {
  const c = await n.boundingBox();
  const area = await page.getByTestId('canvas').boundingBox();
  if (!c || !area) return false;
  const [x, y] = [c.x + c.width / 2, c.y + c.height / 2];
  const m = 60;
  return x > area.x + m && x < area.x + area.width - m && y > area.y + m && y < area.y + area.height - m;
}

test('drag the trace handle onto an interface or a namespace to fill the destination', async ({ page }) => {
  test.setTimeout(120_000);
  const [A, B] = [`${prefix}a`, `${prefix}b`];
  // A (10.74.0.1) - veth - B (10.74.0.2 on e0, 10.74.9.1 on x0): two global addresses in B, both
  // reachable from A through its default route.
  await runShell(`
    ip netns add ${A}; ip netns add ${B}
    ip -n ${A} link set lo up; ip -n ${B} link set lo up
    ip -n ${A} link add e0 type veth peer name e0 netns ${B}
    ip -n ${A} addr add 10.74.0.1/24 dev e0; ip -n ${B} addr add 10.74.0.2/24 dev e0
    ip -n ${B} link add x0 type veth peer name x1
    ip -n ${B} addr add 10.74.9.1/24 dev x0
    ip -n ${A} link set e0 up; ip -n ${B} link set e0 up; ip -n ${B} link set x0 up; ip -n ${B} link set x1 up
    ip -n ${A} route add default via 10.74.0.2
  `);
  const idA = nsId(await nsInode(`/run/netns/${A}`));
  const idB = nsId(await nsInode(`/run/netns/${B}`));
  const idBe0 = await ifIdIn(B, 'e0');
  const linksOfA = (await runShell(`ip -n ${A} -o link show`)).trim();

  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'live');
  await selectById(page, idA, 30_000);
  await waitSteady(node(page, idA));
  const targets = [node(page, idBe0), node(page, idB).getByTestId('ns-name'), node(page, idA)];
  await expect(async () => {
    await waitSteady(...targets);
    const inside = await Promise.all(targets.map((n) => wellInside(page, n)));
    if (!inside.every(Boolean)) {
      await page.locator('.react-flow__controls-zoomout').click();
      throw new Error(`not yet well inside the canvas: ${inside.join(',')}`);
    }
  }).toPass({ intervals: [0], timeout: 30_000 });
  const boxA = await node(page, idA).boundingBox();

  const section = page.getByTestId('trace');
  const handle = section.getByTestId('trace-drag');
  const to = section.getByTestId('trace-to');
  const note = section.getByTestId('trace-drop-note');

  // 1. Onto B's e0: its one address; the interface lights up while the handle is over it.
  await mouseDrag(page, await centreOf(handle), await centreOf(node(page, idBe0)), async () => {
    await expect(node(page, idBe0)).toHaveAttribute('data-trace-drop', '');
  });
  await expect(to).toHaveValue('10.74.0.2');
  await expect(note).toHaveText(`destination: 10.74.0.2 (e0 in ${B})`);
  await expect(node(page, idBe0)).not.toHaveAttribute('data-trace-drop');
  await section.getByTestId('trace-run').click();
  await expect(section.getByTestId('trace-verdict')).toContainText('reachable', { timeout: 30_000 });
  await expect(section.getByTestId('trace-verdict')).not.toContainText('unreachable');
  const hops = section.getByTestId('trace-hops').getByTestId('trace-hop');
  await expect(hops.last()).toHaveAttribute('data-action', 'deliver');
  await expect(section.getByTestId('trace-hops')).toContainText('ip route get 10.74.0.2');

  // 2. Onto B's box (its title, not an interface): two global addresses, the first taken, said so.
  await mouseDrag(page, await centreOf(handle), await centreOf(node(page, idB).getByTestId('ns-name')));
  await expect(note).toContainText(`${B} has 2 global addresses; took the first, `);
  const picked = await to.inputValue();
  expect(['10.74.0.2', '10.74.9.1']).toContain(picked);
  await expect(note).toContainText(`took the first, ${picked} (`);
  await section.getByTestId('trace-run').click();
  await expect(section.getByTestId('trace-hops')).toContainText(`ip route get ${picked}`, {
    timeout: 30_000,
  });
  await expect(section.getByTestId('trace-verdict')).not.toContainText('unreachable');
  await expect(section.getByTestId('trace-verdict')).toContainText('reachable');

  // 3. Onto something that is not in the picture (the form's own heading): nothing filled, a hint.
  await mouseDrag(
    page,
    await centreOf(handle),
    await centreOf(section.getByRole('heading', { name: 'Trace from here' })),
  );
  await expect(note).toHaveText('drop the handle on an interface or a namespace in the picture');
  await expect(to).toHaveValue(picked);

  // None of this moved A's box, changed the selection or made a veth.
  expect(await node(page, idA).boundingBox()).toEqual(boxA);
  await expect(page.getByTestId('side-panel')).toHaveAttribute('data-selected', idA);
  expect((await runShell(`ip -n ${A} -o link show`)).trim()).toBe(linksOfA);
});
