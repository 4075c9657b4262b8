/**
 * Hub mode in the browser: three simulated nodes (test/clusterNodes.ts), an agent in each, the
 * hub outside serving the built page. The page shows one chip per node (live), every node's
 * namespaces, each node's in a labelled frame of its own, the VXLAN mesh as three cross-node
 * edges, and the node filter hides a node (and its frame); a trace from a pod on one node to a
 * pod on another comes back as one path; node-b's agent takes changes (`--allow-changes`), and a
 * namespace created from the hub page's "new namespace" form lands in node-b and in its frame.
 * Needs the built page (`npm run build`) and root.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
// Not ./fixtures.js: its page and baseURL start the single-host server, which this test has no use for.
import { test, expect } from '@playwright/test';
import type { Page } from '@playwright/test';
import type { Topology } from '../common/model.js';
import { uniquePrefix } from '../test/kernel.js';
import { buildCluster } from '../test/clusterNodes.js';
import { startAgentsAndHub } from '../test/clusterHub.js';
import type { SimCluster, SimNode } from '../test/clusterNodes.js';

const token = randomBytes(24).toString('base64url');
const agentToken = randomBytes(24).toString('base64url');
let cluster: SimCluster | null = null;
let origin = '';
const prefix = uniquePrefix('cp');
/** node-b's agent runs with --allow-changes; its audit log (and intent journal) are ours. */
const auditLog = `/tmp/${prefix}-audit.log`;

test.beforeAll(async () => {
  test.setTimeout(420_000); // three agents and a hub starting on a shared, loaded machine
  cluster = await buildCluster(prefix);
  origin = await startAgentsAndHub(cluster, token, agentToken, (n) =>
    n.name === 'node-b' ? { allowChanges: { auditLog } } : {},
  );
});

type Box = { x: number; y: number; width: number; height: number };
const inside = (a: Box, f: Box) =>
  a.x >= f.x && a.y >= f.y && a.x + a.width <= f.x + f.width && a.y + a.height <= f.y + f.height;

/** Namespace box ids by node, from their host-qualified ids. */
async function namespacesByNode(page: Page, hosts: string[]): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const host of hosts)
    out[host] = (
      await page
        .locator(`.react-flow__node-namespace[data-id^="${host}/"]`)
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-id') ?? ''))
    ).sort();
  return out;
}

/** For each node frame on screen, the namespace boxes drawn wholly inside it. */
async function nodeFrameContents(page: Page): Promise<Record<string, string[]>> {
  const boxes: Array<{ id: string; box: Box }> = [];
  for (const el of await page.locator('.react-flow__node-namespace').all()) {
    const box = await el.boundingBox();
    if (box) boxes.push({ id: (await el.getAttribute('data-id')) ?? '', box });
  }
  const out: Record<string, string[]> = {};
  for (const frame of await page.getByTestId('node-frame').all()) {
    const f = await frame.boundingBox();
    const host = (await frame.getAttribute('data-host')) ?? '';
    out[host] = f
      ? boxes
          .filter((b) => inside(b.box, f))
          .map((b) => b.id)
          .sort()
      : [];
  }
  return out;
}

test.afterAll(async () => {
  await cluster?.stop();
  for (const f of [auditLog, `${auditLog}.intents`]) rmSync(f, { force: true });
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

  // One labelled frame per node, holding exactly that node's namespace boxes.
  const frames = page.getByTestId('node-frame');
  await expect(frames).toHaveCount(3);
  expect(await nodeFrameContents(page)).toEqual(await namespacesByNode(page, ['node-a', 'node-b', 'node-c']));
  for (const host of ['node-a', 'node-b', 'node-c'])
    await expect(frames.filter({ hasText: `node ${host}` })).toHaveAttribute('data-host', host);

  // The node filter: node-b's namespaces and the two overlay edges to it go.
  await chips
    .filter({ has: page.locator('text=node-b') })
    .locator('input[type=checkbox]')
    .uncheck();
  await expect(page.locator('.react-flow__node-namespace[data-id^="node-b/"]')).toHaveCount(0);
  await expect(page.locator('.react-flow__edge.cross-node[data-id^="vxlan:"]')).toHaveCount(1);
  await expect(page.locator('.react-flow__node-namespace[data-id^="node-a/ns-"]')).toHaveCount(3);
  await expect(frames).toHaveCount(2);
  await expect(page.locator('[data-testid="node-frame"][data-host="node-b"]')).toHaveCount(0);
  await context.close();
});

test('a trace on the hub page goes from a pod on one node to a pod on another', async ({ browser }) => {
  test.setTimeout(120_000);
  const [a, b] = [cluster!.nodes[0]!, cluster!.nodes[1]!];
  const res = await fetch(`${origin}/api/topology`, { headers: { authorization: `Bearer ${token}` } });
  const topology = (await res.json()) as Topology;
  const from = topology.namespaces.find((n) => n.host === a.name && n.netnsNames.includes('pod1'))!.id;
  const to = b.podCidr.replace(/\.0\/24$/, '.11'); // pod1 on node-b (test/clusterNodes.ts)
  const context = await browser.newContext({ baseURL: origin });
  const page = await context.newPage();
  await page.goto(`/?token=${token}`);
  // Select the pod on node-a by its host-qualified id, as a user would through the search box.
  const input = page.getByTestId('search-input');
  await input.fill(from);
  await expect(page.getByTestId('search-result').first()).toHaveAttribute('data-id', from, {
    timeout: 30_000,
  });
  await input.press('Enter');
  await expect(page.getByTestId('side-panel')).toHaveAttribute('data-selected', from);
  const section = page.getByTestId('trace');
  await section.getByTestId('trace-to').fill(to);
  await section.getByTestId('trace-run').click();
  const verdict = section.getByTestId('trace-verdict');
  await expect(verdict).toHaveClass(/verdict-reachable/, { timeout: 30_000 });
  const hops = section.getByTestId('trace-hops').getByTestId('trace-hop');
  await expect(hops.first()).toHaveAttribute('data-action', 'route');
  await expect(hops.last()).toHaveAttribute('data-action', 'deliver');
  await expect(section.getByTestId('trace-hops')).toContainText(
    `arrives over route ${b.podCidr} from ${a.name}`,
  );
  await context.close();
});

/** The names under the node's own /run/netns (`ip -j netns list` inside the node). */
async function netnsInNode(c: SimCluster, node: SimNode): Promise<string[]> {
  const out = (await c.inNode(node, 'ip -j netns list')).trim();
  return out ? (JSON.parse(out) as Array<{ name: string }>).map((n) => n.name).sort() : [];
}

test('"new namespace" on the hub page creates it on the chosen writable node', async ({ browser }) => {
  test.setTimeout(120_000);
  const c = cluster!;
  const b = c.nodes.find((n) => n.name === 'node-b')!;
  const name = `${prefix}-made`;
  const context = await browser.newContext({ baseURL: origin });
  const page = await context.newPage();
  try {
    await page.goto(`/?token=${token}`);
    await expect(page.locator('.react-flow__node-namespace[data-id^="node-b/ns-"]')).toHaveCount(3, {
      timeout: 30_000,
    });
    await page.getByTestId('new-namespace-open').click();
    const nodeSelect = page.getByTestId('new-namespace-node');
    // node-b is the only writable node: proposed, and the read-only nodes are not offered.
    await expect(nodeSelect).toHaveValue('node-b');
    await expect(nodeSelect.locator('option')).toHaveText(['node-b']);
    await expect(page.getByTestId('new-namespace')).toContainText('read-only, not offered: node-a, node-c');
    await page.getByTestId('new-namespace-name').fill(name);
    await page.getByTestId('new-namespace-create').click();
    await expect(page.getByTestId('new-namespace').getByRole('status')).toContainText(
      `Done: create namespace ${name} on node-b`,
      { timeout: 30_000 },
    );

    // The kernel of node-b has it; no other node does.
    expect(await netnsInNode(c, b)).toEqual([name, 'pod1', 'pod2'].sort());
    for (const other of c.nodes.filter((n) => n !== b))
      expect(await netnsInNode(c, other)).not.toContain(name);

    // On the page: a fourth namespace box of node-b, named so, inside node-b's frame.
    const box = page.locator('.react-flow__node-namespace[data-id^="node-b/ns-"]', { hasText: name });
    await expect(box).toHaveCount(1, { timeout: 30_000 });
    await expect(page.locator('.react-flow__node-namespace[data-id^="node-b/ns-"]')).toHaveCount(4);
    const id = (await box.getAttribute('data-id')) ?? '';
    await expect.poll(async () => (await nodeFrameContents(page))['node-b'] ?? []).toContain(id);
  } finally {
    await context.close();
    await c.inNode(b, `ip netns del ${name} 2>/dev/null || true`);
  }
  expect(await netnsInNode(c, b)).toEqual(['pod1', 'pod2']);
});
