/**
 * The demo lab's scene on the page: boxes, interfaces, addresses, veth edges and bridge ports as
 * discovery's `snapshot` reports them; the side panel's routes and sockets; search by IP.
 */
import type { Topology } from '../common/model.js';
import { expect, ifId, ipJson, labPlan, test } from './fixtures.js';
import type { LabInfo } from './fixtures.js';
import {
  edge,
  node,
  offsetIn,
  panelRouteRows,
  routeNFromIpJson,
  selectById,
  showNode,
} from './page-helpers.js';

/** The lab's part of the model: its namespaces, and the host's lab links. */
function labPart(t: Topology, lab: LabInfo) {
  const labNs = new Set(Object.values(lab.ns).map((n) => n.id));
  const interfaces = t.interfaces.filter(
    (i) =>
      i.kind !== 'loopback' &&
      (labNs.has(i.namespace) || (i.namespace === lab.hostNsId && labPlan.isLabLink(i.name))),
  );
  const ids = new Set(interfaces.map((i) => i.id));
  return {
    interfaces,
    links: t.links.filter((l) => ids.has(l.a) && ids.has(l.b)),
    ports: interfaces.filter((i) => i.master && ids.has(i.master)),
  };
}

test('the lab scene renders as discovery sees it', async ({ page, lab, api }, testInfo) => {
  // One look per interface; the machine may be busy with other namespaces.
  test.setTimeout(180_000);
  // Discovery's snapshot as the server serves it (GET /api/topology: the model plus epoch/seq);
  // `cli('snapshot')` would do too, but its output outgrows execFile's buffer on a busy machine.
  // The lab has just been built: its process-held namespaces reach the server by its /proc scan
  // (every 2 s), so wait until the served model holds the whole scene.
  const topology = async () => {
    const res = await api.get('/api/topology');
    expect(res.ok()).toBe(true);
    return (await res.json()) as Topology;
  };
  await expect
    .poll(
      async () => {
        const p = labPart(await topology(), lab);
        return p.links.length >= 3 && p.ports.length >= 2;
      },
      { timeout: 30_000 },
    )
    .toBe(true);
  const snapshot = await topology();
  const part = labPart(snapshot, lab);

  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'live');
  await expect((await showNode(page, lab.hostNsId)).locator('.ns-host')).toBeVisible();
  for (const ns of Object.values(lab.ns)) {
    await expect((await showNode(page, ns.id)).getByTestId('ns-box')).toBeVisible();
  }
  for (const i of part.interfaces) {
    const n = await showNode(page, i.id);
    await expect(n.getByTestId('if-name')).toHaveText(i.name);
    const up = i.state === 'UP' || (i.state === 'UNKNOWN' && i.flags.includes('UP'));
    await expect(n.locator('[data-state]').first()).toHaveAttribute('data-state', up ? 'up' : 'down');
    for (const a of i.addresses.filter((x) => x.family === 'inet')) {
      await expect(n.getByTestId('if-addr').filter({ hasText: a.cidr })).toHaveCount(1);
    }
    // Interfaces are drawn inside their namespace's box.
    const offset = await offsetIn(page, i.id, i.namespace);
    expect(offset !== null && offset.x >= 0 && offset.y >= 0).toBe(true);
  }
  for (const l of part.links) {
    await showNode(page, l.a);
    await expect(edge(page, l.id)).toHaveCount(1);
  }
  const bridge = part.interfaces.find((i) => i.name === labPlan.BRIDGE);
  expect(bridge).toBeDefined();
  await expect((await showNode(page, bridge!.id)).getByTestId('bridge-box')).toBeVisible();
  for (const p of part.ports) {
    await showNode(page, p.id);
    await expect(edge(page, `port:${p.id}:${p.master}`)).toHaveCount(1);
  }
  // Loopback is hidden by default and shown by the toggle.
  const lo = snapshot.interfaces.find((i) => i.namespace === lab.ns.nginx.id && i.name === 'lo');
  await showNode(page, lab.ns.nginx.id);
  await expect(node(page, lo!.id)).toHaveCount(0);
  await page.getByTestId('toggle-loopback').check();
  await expect(await showNode(page, lo!.id)).toHaveCount(1);
  await page.getByTestId('toggle-loopback').uncheck();
  await expect(node(page, lo!.id)).toHaveCount(0);

  await showNode(page, lab.ns.nginx.id);
  const shot = await page.screenshot({ path: testInfo.outputPath('lab-scene.png') });
  await testInfo.attach('lab-scene', { body: shot, contentType: 'image/png' });
});

test("the side panel's routing table equals ip -j route of the namespace", async ({ page, lab }) => {
  const a = lab.ns['netshoot-a'];
  const expected = routeNFromIpJson(await ipJson(['route'], { path: a.path }));
  expect(expected.some((r) => r.destination === labPlan.EXTRA_ROUTE && r.flags === 'UH')).toBe(true);
  await selectById(page, a.id);
  await expect.poll(() => panelRouteRows(page)).toEqual(expected);
});

test('the nginx panel lists its web server listening on port 80', async ({ page, lab }) => {
  await selectById(page, lab.ns.nginx.id);
  const row = page.getByTestId('socket-row').filter({ hasText: String(labPlan.NGINX_PORT) });
  await expect(row.first()).toBeVisible();
  await expect(page.getByTestId('firewall-summary')).toBeVisible();
});

test('search finds an IP address and centres and highlights its interface', async ({ page, lab }) => {
  const addrs = await ipJson<Array<{ ifindex: number; addr_info: Array<{ local: string }> }>>(['addr'], {
    path: lab.ns.nginx.path,
  });
  const owner = addrs.find((i) => i.addr_info.some((x) => x.local === labPlan.NGINX_IP));
  expect(owner).toBeDefined();
  const id = ifId(lab.ns.nginx.inode, owner!.ifindex);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'live');
  await page.getByTestId('search-input').fill(labPlan.NGINX_IP);
  await page.getByTestId('search-input').press('Enter');
  await expect(page.getByTestId('side-panel')).toHaveAttribute('data-selected', id);
  await expect(node(page, id)).toHaveClass(/\bhit\b/);
  await expect(node(page, id)).toBeInViewport();
});
