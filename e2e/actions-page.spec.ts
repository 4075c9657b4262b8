/**
 * Changing the network from the page: drag a new veth between two namespaces, create it from the
 * dialog, see the edge and the kernel agree; delete it from the panel; add the seed's host route.
 */
import { cleanupPrefix, expect, ipJson, nsInode, runShell, test, uniquePrefix } from './fixtures.js';
import { edge, node, selectById } from './page-helpers.js';

const prefix = uniquePrefix('ap');
test.afterAll(async () => {
  await cleanupPrefix(prefix);
});

interface IpLink {
  ifindex: number;
  ifname: string;
  ifalias?: string;
}
const linkIn = async (ns: string, name: string) =>
  (await ipJson<IpLink[]>(['link', 'show'], { name: ns })).find((l) => l.ifname === name);

test('drag a veth between namespaces, create it, delete it, and add the seed host route', async ({
  page,
}) => {
  const NA = `${prefix}a`;
  const NB = `${prefix}b`;
  await runShell(`ip netns add ${NA}; ip netns add ${NB}`);
  const idA = `ns-${await nsInode(`/run/netns/${NA}`)}`;
  const idB = `ns-${await nsInode(`/run/netns/${NB}`)}`;
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'live');
  await expect(node(page, idA)).toHaveCount(1);
  await expect(node(page, idB)).toHaveCount(1);

  // Drag from A's new-veth handle onto B once the layout has settled: two reads in a row agree.
  const boxes = async () =>
    JSON.stringify([await node(page, idA).boundingBox(), await node(page, idB).boundingBox()]);
  let previous = '';
  await expect
    .poll(
      async () => {
        const now = await boxes();
        const settled = now === previous;
        previous = now;
        return settled;
      },
      { intervals: [300] },
    )
    .toBe(true);
  const handle = node(page, idA).locator('.new-veth-handle');
  const from = (await handle.boundingBox())!;
  // React Flow resolves the target node from the nearest handle: drop onto B's new-veth handle.
  const to = (await node(page, idB).locator('.new-veth-handle').boundingBox())!;
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 12 });
  await page.mouse.up();

  const dialog = page.getByRole('dialog');
  await expect(dialog).toBeVisible();
  await dialog.getByLabel('Name of end A').fill(`${prefix}x`);
  await dialog.getByLabel('Name of end B').fill(`${prefix}y`);
  await dialog.getByLabel('Address of end A').fill('10.66.0.1/24');
  await dialog.getByLabel('Address of end B').fill('10.66.0.2/24');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(dialog).toBeHidden();

  const a = await expect
    .poll(() => linkIn(NA, `${prefix}x`))
    .toBeTruthy()
    .then(() => linkIn(NA, `${prefix}x`));
  const b = await linkIn(NB, `${prefix}y`);
  expect(a?.ifalias).toMatch(/^netns-explorer:/);
  expect(b).toBeDefined();
  const ifA = `if-${idA.slice(3)}-${a!.ifindex}`;
  const ifB = `if-${idB.slice(3)}-${b!.ifindex}`;
  const linkId = `veth:${[ifA, ifB].sort().join(':')}`;
  await expect(edge(page, linkId)).toHaveCount(1);

  // The seed: route add -host 8.8.8.8 dev <iface>, from B's panel.
  await selectById(page, idB);
  const panel = page.getByTestId('side-panel');
  await panel.getByLabel('Route kind').selectOption('host');
  await panel.getByLabel('Destination').fill('8.8.8.8');
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
