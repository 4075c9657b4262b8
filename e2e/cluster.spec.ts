/**
 * Hub mode in the browser: three simulated nodes (test/clusterNodes.ts), an agent in each, the
 * hub outside serving the built page. The page shows one chip per node (live), every node's
 * namespaces, the VXLAN mesh as three cross-node edges, and the node filter hides a node.
 * Needs the built page (`npm run build`) and root.
 */
import { randomBytes } from 'node:crypto';
// Not ./fixtures.js: its page and baseURL start the single-host server, which this test has no use for.
import { test, expect } from '@playwright/test';
import { uniquePrefix } from '../test/kernel.js';
import { buildCluster, startAgent, startHubCli } from '../test/clusterNodes.js';
import type { SimCluster } from '../test/clusterNodes.js';

const token = randomBytes(24).toString('base64url');
const agentToken = randomBytes(24).toString('base64url');
let cluster: SimCluster | null = null;
let origin = '';

test.beforeAll(async () => {
  test.setTimeout(420_000); // three agents and a hub starting on a shared, loaded machine
  cluster = await buildCluster(uniquePrefix('cp'));
  await Promise.all(cluster.nodes.map((n) => startAgent(n, agentToken)));
  origin = (
    await startHubCli(
      cluster.nodes.map((n) => n.agentUrl),
      token,
      agentToken,
    )
  ).origin;
});

test.afterAll(async () => {
  await cluster?.stop();
});

test('the hub page groups namespaces by node and draws the overlay between them', async ({ browser }) => {
  test.setTimeout(120_000);
  const context = await browser.newContext({ baseURL: origin });
  const page = await context.newPage();
  await page.goto(`/?token=${token}`);
  const chips = page.getByTestId('cluster-node');
  await expect(chips).toHaveCount(3);
  for (const host of ['node-a', 'node-b', 'node-c'])
    await expect(chips.filter({ has: page.locator(`text=${host}`) })).toHaveAttribute('data-state', 'live');

  // Every node's own namespace and its two pods, under host-qualified ids.
  for (const host of ['node-a', 'node-b', 'node-c'])
    await expect(page.locator(`.react-flow__node-namespace[data-id^="${host}/ns-"]`)).toHaveCount(3, {
      timeout: 30_000,
    });
  await expect(page.getByTestId('cluster-links')).toHaveText('3 overlay edges, 6 node routes', {
    timeout: 30_000,
  });
  await expect(page.locator('.react-flow__edge.cross-node[data-id^="vxlan:"]')).toHaveCount(3);

  // The node filter: node-b's namespaces and the two overlay edges to it go.
  await chips
    .filter({ has: page.locator('text=node-b') })
    .locator('input[type=checkbox]')
    .uncheck();
  await expect(page.locator('.react-flow__node-namespace[data-id^="node-b/"]')).toHaveCount(0);
  await expect(page.locator('.react-flow__edge.cross-node[data-id^="vxlan:"]')).toHaveCount(1);
  await expect(page.locator('.react-flow__node-namespace[data-id^="node-a/ns-"]')).toHaveCount(3);
  await context.close();
});
