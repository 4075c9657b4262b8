/**
 * "Trace from here" on the demo lab (the seed's question: can netshoot-a reach nginx on port 80?):
 * the page lists the hops with their commands, draws them numbered on the canvas, and the probe
 * agrees with the verdict. The lab's nginx has no route back to the bridge network, so the reply
 * has no way home: the trace must say so, and the probe must fail too.
 */
import type { Topology } from '../common/model.js';
import { expect, labPlan, test } from './fixtures.js';
import { selectById } from './page-helpers.js';

test('trace netshoot-a to nginx port 80 from the namespace panel', async ({ page, lab, api }) => {
  test.setTimeout(120_000);
  // The lab's process-held namespaces reach the server by its /proc scan: wait for both ends.
  await expect
    .poll(
      async () => {
        const t = (await (await api.get('/api/topology')).json()) as Topology;
        return [lab.ns['netshoot-a'].id, lab.ns.nginx.id].every((id) =>
          t.namespaces.some((n) => n.id === id),
        );
      },
      { timeout: 60_000 },
    )
    .toBe(true);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'live');
  await selectById(page, lab.ns['netshoot-a'].id, 30_000);
  const section = page.getByTestId('trace');
  await section.getByTestId('trace-to').fill(labPlan.NGINX_IP);
  await section.getByLabel('protocol').selectOption('tcp');
  await section.getByLabel('port').fill(String(labPlan.NGINX_PORT));
  await section.getByLabel('probe').check();
  await section.getByTestId('trace-run').click();

  const verdict = section.getByTestId('trace-verdict');
  await expect(verdict).toBeVisible({ timeout: 30_000 });
  const hops = section.getByTestId('trace-hops').getByTestId('trace-hop');
  // netshoot-a routes, crosses its veth into the host's bridge, the host routes to nginx's veth,
  // nginx has a listener on 80.
  await expect(hops.first()).toHaveAttribute('data-action', 'route');
  await expect(hops.last()).toHaveAttribute('data-action', 'deliver');
  await expect(section.getByTestId('trace-hops')).toContainText('ip route get');
  await expect(section.getByTestId('trace-hops')).toContainText('listening: tcp');
  // The way back fails in nginx (no route to the bridge network) and the verdict says so.
  await expect(verdict).toContainText('unreachable');
  await expect(section.getByTestId('trace-return')).toContainText(/no route to 10\.251\.17\.4/);
  await expect(section.getByTestId('trace-probe')).toContainText('timeout');
  await expect(section.getByTestId('trace-disagreement')).toHaveCount(0);
  // On the canvas: hop 1 on netshoot-a's eth0, the style element present.
  await expect(page.getByTestId('trace-style')).toHaveCount(1);
  const css = await page.getByTestId('trace-style').textContent();
  expect(css).toContain('content: "1"');
  expect(css).toContain('var(--trace-fail');
  // The path moves: the veth edge netshoot-a crossed carries dashes moving the packet's way (its
  // direction comes from the drawn edge's source, so the edge is in the canvas's own edge list).
  expect(css).toMatch(/data-id="veth:[^"]+"\] \.react-flow__edge-path \{[^}]*animation: nx-trace-flow/);
});
