/**
 * Changing the network from the page: drag a new veth between two namespaces, create it from the
 * dialog (a pending edge shows while the request runs; a refused request removes it), see the edge
 * and the kernel agree; delete it from the panel; add the seed's host route.
 */
import type { Page } from '@playwright/test';
import { expect, ifId, ipJson, nsId, nsInode, runShell, specPrefix, test, vethLinkId } from './fixtures.js';
import { centreOf, edge, linkIn, mouseDrag, node, selectById, waitSteady } from './page-helpers.js';

const prefix = specPrefix('ap');

/**
 * Holds each POST /api/veth until the returned function is called (once per request, in order),
 * so the test can look at the pending edge while the request is in flight: no timing involved.
 */
async function holdVethRequests(page: Page): Promise<() => void> {
  // Gate n is made by whichever comes first: request n reaching the route, or release n.
  const gates = new Map<number, { open: Promise<void>; release: () => void }>();
  const gate = (n: number) => {
    let g = gates.get(n);
    if (!g) {
      let release = () => {};
      const open = new Promise<void>((r) => (release = r));
      g = { open, release };
      gates.set(n, g);
    }
    return g;
  };
  let arrived = 0;
  let released = 0;
  await page.route('**/api/veth', async (route) => {
    await gate(arrived++).open;
    await route.continue();
  });
  return () => gate(released++).release();
}

test('drag a veth between namespaces, create it, delete it, and add the seed host route', async ({
  page,
}) => {
  const NA = `${prefix}a`;
  const NB = `${prefix}b`;
  await runShell(`ip netns add ${NA}; ip netns add ${NB}`);
  const inoA = await nsInode(`/run/netns/${NA}`);
  const idA = nsId(inoA);
  const inoB = await nsInode(`/run/netns/${NB}`);
  const idB = nsId(inoB);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'live');
  await expect(node(page, idA)).toHaveCount(1);
  await expect(node(page, idB)).toHaveCount(1);

  // Drag from A's new-veth handle onto B once the layout has settled. React Flow resolves the
  // target node from the nearest handle: drop onto B's new-veth handle.
  await waitSteady(node(page, idA), node(page, idB));
  await mouseDrag(
    page,
    await centreOf(node(page, idA).locator('.new-veth-handle')),
    await centreOf(node(page, idB).locator('.new-veth-handle')),
  );

  const dialog = page.getByRole('dialog');
  await expect(dialog).toBeVisible();
  const release = await holdVethRequests(page);
  const pendingId = (a: string, b: string) => `pending-veth:${idA}/${a}:${idB}/${b}`;

  // First a request the server refuses (A's end is named like A's loopback): the pending edge
  // shows while it runs, then goes, and the dialog says why.
  await dialog.getByLabel('Name of end A').fill('lo');
  await dialog.getByLabel('Name of end B').fill(`${prefix}y`);
  await dialog.getByRole('button', { name: 'Create' }).click();
  const refused = edge(page, pendingId('lo', `${prefix}y`));
  await expect(refused).toBeVisible();
  await expect(refused).toHaveClass(/pending-veth/);
  // A click beside the dialog does not close it while its request runs (its answer would be lost).
  await page.getByTestId('veth-dialog').click({ position: { x: 5, y: 5 } });
  await expect(dialog).toBeVisible();
  release();
  await expect(dialog.getByRole('alert')).toContainText('lo');
  await expect(refused).toHaveCount(0);
  expect(await linkIn(NB, `${prefix}y`)).toBeUndefined();

  // Then the real one: pending while held, then replaced by the real edge from the delta.
  await dialog.getByLabel('Name of end A').fill(`${prefix}x`);
  await dialog.getByLabel('Address of end A').fill('10.66.0.1/24');
  await dialog.getByLabel('Address of end B').fill('10.66.0.2/24');
  await dialog.getByRole('button', { name: 'Create' }).click();
  const pending = edge(page, pendingId(`${prefix}x`, `${prefix}y`));
  await expect(pending).toBeVisible();
  await expect(dialog.getByRole('status')).toContainText('Creating');
  expect(await linkIn(NA, `${prefix}x`)).toBeUndefined();
  release();
  await expect(dialog).toBeHidden();

  const a = await expect
    .poll(() => linkIn(NA, `${prefix}x`))
    .toBeTruthy()
    .then(() => linkIn(NA, `${prefix}x`));
  const b = await linkIn(NB, `${prefix}y`);
  expect(a?.ifalias).toMatch(/^netns-explorer:/);
  expect(b).toBeDefined();
  const ifA = ifId(inoA, a!.ifindex);
  const ifB = ifId(inoB, b!.ifindex);
  const linkId = vethLinkId(ifA, ifB);
  await expect(edge(page, linkId)).toHaveCount(1);
  await expect(pending).toHaveCount(0);

  // The seed: route add -host 8.8.8.8 dev <iface>, from B's panel.
  await selectById(page, idB);
  const panel = page.getByTestId('side-panel');
  await panel.getByLabel('Route kind').selectOption('host');
  await panel.getByLabel('Destination', { exact: true }).fill('8.8.8.8');
  await panel.getByLabel('Device').selectOption(`${prefix}y`);
  await panel.getByRole('button', { name: 'Add route' }).click();
  await expect(page.getByTestId('route-row').filter({ hasText: '8.8.8.8' })).toHaveCount(1);
  const routes = await ipJson<Array<{ dst: string; dev?: string }>>(['route', 'show'], { name: NB });
  expect(routes.some((r) => r.dst === '8.8.8.8' && r.dev === `${prefix}y`)).toBe(true);

  // Delete the pair from A's interface panel: gone from the page and the kernel.
  await selectById(page, ifA);
  await panel.getByRole('button', { name: 'Delete veth pair' }).click();
  await expect(edge(page, linkId)).toHaveCount(0);
  await expect.poll(() => linkIn(NA, `${prefix}x`)).toBeUndefined();
  expect(await linkIn(NB, `${prefix}y`)).toBeUndefined();
});
