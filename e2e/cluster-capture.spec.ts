/**
 * The Capture tab in hub mode: two simulated nodes (test/clusterNodes.ts), node-b's agent with
 * --allow-capture, node-a's without. From the hub page: pick node-b's pod1/eth0, start, ping
 * between node-b's pods, the rows come in live with the node-qualified interface, stop, download
 * the pcapng through the hub; a capture on node-a is refused and the page says which node and
 * which flag. Needs the built page (`npm run build`) and root.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
// Not ./fixtures.js: its page and baseURL start the single-host server, which this test has no use for.
import { test, expect } from '@playwright/test';
import type { Topology } from '../common/model.js';
import { uniquePrefix } from '../test/kernel.js';
import { buildCluster } from '../test/clusterNodes.js';
import { startAgentsAndHub } from '../test/clusterHub.js';
import type { SimCluster } from '../test/clusterNodes.js';

const token = randomBytes(24).toString('base64url');
const agentToken = randomBytes(24).toString('base64url');
const prefix = uniquePrefix('ce');
const auditLog = `/tmp/${prefix}-audit.log`;
const LIVE = { timeout: 30_000 };
let cluster: SimCluster | null = null;
let origin = '';

test.beforeAll(async () => {
  test.setTimeout(420_000); // two agents and a hub starting on a shared, loaded machine
  cluster = await buildCluster(prefix, 2);
  origin = await startAgentsAndHub(cluster, token, agentToken, (n) =>
    n.name === 'node-b' ? { allowCapture: { auditLog } } : {},
  );
});

test.afterAll(async () => {
  await cluster?.stop();
  rmSync(auditLog, { force: true });
});

/** The hub's id of `pod`/eth0 on `host` (once the hub has it). */
async function podEth0(host: string, pod: string): Promise<string> {
  let id: string | undefined;
  await expect
    .poll(async () => {
      const res = await fetch(`${origin}/api/topology`, { headers: { authorization: `Bearer ${token}` } });
      const t = (await res.json()) as Topology;
      const ns = t.namespaces.find((n) => n.host === host && n.netnsNames.includes(pod));
      id = t.interfaces.find((i) => i.namespace === ns?.id && i.name === 'eth0')?.id;
      return id !== undefined;
    }, LIVE)
    .toBe(true);
  return id!;
}

test('the Capture tab on the hub page captures on the node that owns the interface', async ({ browser }) => {
  test.setTimeout(180_000);
  const b = cluster!.nodes.find((n) => n.name === 'node-b')!;
  const eth0 = await podEth0('node-b', 'pod1');
  const [from, to] = [b.podCidr.replace(/\.0\/24$/, '.11'), b.podCidr.replace(/\.0\/24$/, '.12')];
  const context = await browser.newContext({ baseURL: origin });
  const page = await context.newPage();
  await page.goto(`/?token=${token}`);
  await page.getByTestId('capture-open').click();
  const add = page.getByTestId('capture-add');
  await expect(add.locator(`option[value="${eth0}"]`)).toHaveCount(1, LIVE);
  await add.selectOption(eth0);
  await expect(page.getByTestId('capture-chip')).toHaveText(['node-b/pod1/eth0×']);
  await page.getByTestId('capture-filter').fill('icmp');
  await page.getByTestId('capture-start').click();
  await expect(page.getByTestId('capture-stop')).toBeVisible(LIVE);

  await cluster!.inNode(b, `nsenter --net=/run/netns/pod1 /bin/busybox ping -c 3 -i 0.2 ${to}`);
  const rows = page.getByTestId('capture-row');
  await expect(rows).toHaveCount(6, LIVE);
  await expect(
    rows.filter({ hasText: 'echo request' }).and(page.locator(`[data-iface="${eth0}"]`)),
  ).toHaveCount(3);
  await expect(rows.filter({ hasText: 'echo reply' })).toHaveCount(3);
  await expect(rows.first()).toContainText('node-b/pod1/eth0');
  await expect(rows.first()).toContainText(`${from} → ${to}`);
  await expect(page.getByTestId('capture-counters')).toContainText('6 packets');

  await page.getByTestId('capture-stop').click();
  await expect(page.getByTestId('capture-ended')).toHaveText('Ended: stopped', LIVE);
  const href = await page.getByTestId('capture-download').getAttribute('href');
  expect(href).toMatch(/^\/api\/captures\/cap-[0-9a-f]{12}\/pcapng$/);
  const file = await page.request.get(href!);
  expect(file.status()).toBe(200);
  expect((await file.body()).readUInt32LE(0)).toBe(0x0a0d0d0a);

  // node-a's agent runs without --allow-capture: refused, and the page says where and why.
  const a1 = await podEth0('node-a', 'pod1');
  await page.getByTestId('capture-chip').getByRole('button').click();
  await add.selectOption(a1);
  await page.getByTestId('capture-start').click();
  await expect(page.getByTestId('capture-error')).toContainText('node node-a does not allow packet capture');
  await expect(page.getByTestId('capture-error')).toContainText('--allow-capture');
  await context.close();
});
