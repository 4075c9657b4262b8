/**
 * Packet capture from the page (issue 17): two interfaces in two namespaces this test makes, a
 * ping across their veth, the packets listed live with both interfaces, the interfaces marked on
 * the canvas, then stop and the pcapng download.
 */
import { expect, runShell, specPrefix, test } from './fixtures.js';
import { ifIdIn, showNode } from './page-helpers.js';

const prefix = specPrefix('cap');
const LIVE = { timeout: 30_000 };

test('capture on both ends of a veth from the page', async ({ page, api }) => {
  test.setTimeout(180_000);
  const [a, b, x, y] = [`${prefix}a`, `${prefix}b`, `${prefix}x`, `${prefix}y`];
  await runShell(`
    ip netns add ${a}; ip netns add ${b}
    ip -n ${a} link add name ${x} type veth peer name ${y} netns ${b}
    ip -n ${a} addr add 10.93.0.1/24 dev ${x}; ip -n ${b} addr add 10.93.0.2/24 dev ${y}
    ip -n ${a} link set dev ${x} up; ip -n ${b} link set dev ${y} up
  `);
  const xId = await ifIdIn(a, x);
  const yId = await ifIdIn(b, y);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'live');

  await page.getByTestId('capture-open').click();
  const add = page.getByTestId('capture-add');
  // The list fills from the live model: wait for our interfaces to be discovered.
  await expect(add.locator(`option[value="${xId}"]`)).toHaveCount(1, LIVE);
  await add.selectOption(xId);
  await expect(add.locator(`option[value="${yId}"]`)).toHaveCount(1, LIVE);
  await add.selectOption(yId);
  await expect(page.getByTestId('capture-chip')).toHaveText([`${a}/${x}×`, `${b}/${y}×`]);
  await page.getByTestId('capture-filter').fill('icmp');
  await page.getByTestId('capture-start').click();
  await expect(page.getByTestId('capture-stop')).toBeVisible(LIVE);

  await runShell(`nsenter --net=/run/netns/${a} /bin/busybox ping -c 3 -i 0.2 10.93.0.2`);
  const rows = page.getByTestId('capture-row');
  await expect(rows).toHaveCount(12, LIVE);
  await expect(
    rows.filter({ hasText: 'echo request' }).and(page.locator(`[data-iface="${xId}"]`)),
  ).toHaveCount(3);
  await expect(rows.filter({ hasText: 'echo reply' }).and(page.locator(`[data-iface="${yId}"]`))).toHaveCount(
    3,
  );
  await expect(rows.first()).toContainText(`${a}/${x}`);
  await expect(rows.first()).toContainText('10.93.0.1 → 10.93.0.2');
  await expect(page.getByTestId('capture-counters')).toContainText('12 packets');
  // Both captured interfaces are marked on the canvas.
  await expect((await showNode(page, xId)).getByTestId('capture-badge')).toHaveCount(1);
  await expect((await showNode(page, yId)).getByTestId('capture-badge')).toHaveCount(1);

  await page.getByTestId('capture-stop').click();
  await expect(page.getByTestId('capture-ended')).toHaveText('Ended: stopped', LIVE);
  const href = await page.getByTestId('capture-download').getAttribute('href');
  expect(href).toMatch(/^\/api\/captures\/cap-[0-9a-f]{12}\/pcapng$/);
  const file = await api.get(href!);
  expect(file.status()).toBe(200);
  // Section header block first (pcapng magic).
  expect((await file.body()).readUInt32LE(0)).toBe(0x0a0d0d0a);
});
