/**
 * Live updates without reload: a namespace, a veth pair, an address and a route made from a shell
 * appear on the page, and disappear again when removed.
 */
import {
  expect,
  ifId,
  nsId,
  nsInode,
  parseNsId,
  runShell,
  specPrefix,
  test,
  vethLinkId,
} from './fixtures.js';
import { hostNsId } from './fixtures.js';
import { edge, ifindexOf, node, selectById, showNode } from './page-helpers.js';

const prefix = specPrefix('pg');
/** Discovery may lag on a machine busy with hundreds of other namespaces. */
const LIVE = { timeout: 30_000 };

test('shell changes appear on the page without a reload and disappear when removed', async ({ page }) => {
  test.setTimeout(240_000);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'live');
  // A marker that a reload would wipe.
  await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
  const netns = `${prefix}n`;
  const hostEnd = `${prefix}h`;
  const nsEnd = `${prefix}c`;
  const net = `10.${100 + Math.floor(Math.random() * 150)}.${Math.floor(Math.random() * 250)}`;

  // A namespace.
  await runShell(`ip netns add ${netns}`);
  const inode = await nsInode(`/run/netns/${netns}`);
  const nsBox = nsId(inode);
  await expect((await showNode(page, nsBox, LIVE.timeout)).getByTestId('ns-name')).toHaveText(netns, LIVE);

  // A veth pair between the host and it.
  await runShell(`ip link add ${hostEnd} type veth peer name ${nsEnd} netns ${netns}`);
  const hostIf = ifId(parseNsId(await hostNsId())!, await ifindexOf(hostEnd));
  const nsIf = ifId(inode, await ifindexOf(nsEnd, netns));
  const linkId = vethLinkId(hostIf, nsIf);
  await expect((await showNode(page, hostIf, LIVE.timeout)).getByTestId('if-name')).toHaveText(hostEnd, LIVE);
  await expect((await showNode(page, nsIf, LIVE.timeout)).getByTestId('if-name')).toHaveText(nsEnd, LIVE);
  await expect(edge(page, linkId)).toHaveCount(1, LIVE);
  await expect(node(page, nsIf).locator('[data-state]').first()).toHaveAttribute('data-state', 'down', LIVE);

  // An address (and the link up).
  await runShell(`ip -n ${netns} link set ${nsEnd} up && ip -n ${netns} addr add ${net}.2/24 dev ${nsEnd}`);
  await expect(
    node(page, nsIf)
      .getByTestId('if-addr')
      .filter({ hasText: `${net}.2/24` }),
  ).toHaveCount(1, LIVE);

  // A route, seen in the namespace's side panel.
  await selectById(page, nsBox);
  const routeRow = page.getByTestId('route-row').filter({ hasText: '10.250.0.0' });
  await expect(routeRow).toHaveCount(0, LIVE);
  await runShell(`ip -n ${netns} route add 10.250.0.0/16 via ${net}.1`);
  await expect(routeRow).toHaveCount(1, LIVE);
  await expect(routeRow.locator('[data-col="flags"]')).toHaveText('UG');
  await expect(routeRow.locator('[data-col="genmask"]')).toHaveText('255.255.0.0');

  // And back again.
  await runShell(`ip -n ${netns} route del 10.250.0.0/16`);
  await expect(routeRow).toHaveCount(0, LIVE);
  await runShell(`ip -n ${netns} addr del ${net}.2/24 dev ${nsEnd}`);
  await expect(node(page, nsIf).getByTestId('if-addr')).toHaveCount(0, LIVE);
  await showNode(page, nsIf);
  await expect(edge(page, linkId)).toHaveCount(1, LIVE);
  await runShell(`ip link del ${hostEnd}`);
  await expect(edge(page, linkId)).toHaveCount(0, LIVE);
  await expect(node(page, nsIf)).toHaveCount(0, LIVE);
  await expect(page.getByTestId('side-panel')).toContainText('is gone', LIVE);
  await expect(node(page, nsBox)).toHaveCount(1, LIVE);
  await runShell(`ip netns del ${netns}`);
  // The kernel may hand the freed inode (and so the id) to someone else's new namespace at once,
  // so check by name: the model no longer has it, and no box shows it.
  await page.getByTestId('search-input').fill(netns);
  await expect(page.getByTestId('search-results')).toContainText('no match', LIVE);
  await expect(node(page, nsBox).getByTestId('ns-name').filter({ hasText: netns })).toHaveCount(0);

  expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
});
