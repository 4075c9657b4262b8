import { test, expect, hostNsId } from './fixtures.js';

test('the page loads, goes live and shows the host namespace box', async ({ page, api }) => {
  const health = await api.get('/api/health');
  expect(health.ok()).toBe(true);

  await expect(page).toHaveTitle(/netns-explorer/);
  // The first snapshot is a full discovery: allow for a loaded machine.
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'live', {
    timeout: 30_000,
  });
  const hostBox = page.locator(`.react-flow__node[data-id="${await hostNsId()}"]`);
  await expect(hostBox).toBeVisible({ timeout: 30_000 });
});

test('the demo lab fixture brings up three namespaces that the page draws', async ({ page, lab }) => {
  expect(
    new Set([lab.ns['netshoot-a'].id, lab.ns['netshoot-b'].id, lab.ns.nginx.id, lab.hostNsId]).size,
  ).toBe(4);
  for (const ns of Object.values(lab.ns)) {
    await expect(page.locator(`.react-flow__node[data-id="${ns.id}"]`)).toBeVisible();
  }
});
