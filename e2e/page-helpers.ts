/** Page-level helpers shared by the page-*.spec.ts files. */
import type { Locator, Page } from '@playwright/test';
import { expect, ifId, ipJson, nsInode } from './fixtures.js';

export function node(page: Page, id: string): Locator {
  return page.locator(`.react-flow__node[data-id="${id}"]`);
}

/**
 * Where node `id` sits inside node `boxId`, both measured in the same frame: two separate
 * measurements straddle a pan still in progress (centring animates for 300 ms). Null when either
 * is not drawn.
 */
export async function offsetIn(
  page: Page,
  id: string,
  boxId: string,
): Promise<{ x: number; y: number } | null> {
  return page.evaluate(
    ([a, b]) => {
      const rect = (x: string) =>
        document.querySelector(`.react-flow__node[data-id="${CSS.escape(x)}"]`)?.getBoundingClientRect();
      const [n, box] = [rect(a), rect(b)];
      return n && box ? { x: n.x - box.x, y: n.y - box.y } : null;
    },
    [id, boxId] as const,
  );
}

export function edge(page: Page, id: string): Locator {
  return page.locator(`.react-flow__edge[data-id="${id}"]`);
}

/**
 * Selects a namespace or interface through the search box (exact id match): opens its panel and
 * centres it. Big pictures render only what is on screen, so tests bring a node into view first.
 */
export async function selectById(page: Page, id: string, timeout = 10_000): Promise<void> {
  const input = page.getByTestId('search-input');
  await input.fill(id);
  // Enter takes the best hit, and an exact id is always the best; pressing is immune to the
  // result list re-rendering under a stream of deltas.
  await expect(page.getByTestId('search-result').first()).toHaveAttribute('data-id', id, { timeout });
  await input.press('Enter');
  await expect(page.getByTestId('side-panel')).toHaveAttribute('data-selected', id);
}

/** Brings a node into view (see selectById) and returns its locator once it is drawn. */
export async function showNode(page: Page, id: string, timeout = 10_000): Promise<Locator> {
  await selectById(page, id, timeout);
  const n = node(page, id);
  await expect(n).toBeInViewport();
  return n;
}

export interface RouteNRow {
  destination: string;
  gateway: string;
  genmask: string;
  flags: string;
  metric: number;
  iface: string;
}

/** The rows of the side panel's route -n table, sorted for comparison. */
export async function panelRouteRows(page: Page): Promise<RouteNRow[]> {
  const rows = await page.getByTestId('route-row').evaluateAll((trs) =>
    trs.map((tr) => {
      const cell = (c: string) => tr.querySelector(`[data-col="${c}"]`)?.textContent ?? '';
      return {
        destination: cell('destination'),
        gateway: cell('gateway'),
        genmask: cell('genmask'),
        flags: cell('flags'),
        metric: Number(cell('metric')),
        iface: cell('iface'),
      };
    }),
  );
  return sortRows(rows);
}

export function sortRows(rows: RouteNRow[]): RouteNRow[] {
  const key = (r: RouteNRow) => `${r.destination}/${r.genmask}/${r.metric}/${r.iface}/${r.gateway}`;
  return [...rows].sort((a, b) => key(a).localeCompare(key(b)));
}

interface IpJsonRoute {
  dst: string;
  gateway?: string;
  dev?: string;
  metric?: number;
  type?: string;
}

function mask(len: number): string {
  const bits = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return [24, 16, 8, 0].map((s) => (bits >>> s) & 0xff).join('.');
}

/** What `route -n` would print for `ip -j route` output (IPv4 main table), computed independently. */
export function routeNFromIpJson(routes: IpJsonRoute[]): RouteNRow[] {
  return sortRows(
    routes.map((r) => {
      const [addr = '', len] = r.dst === 'default' ? ['0.0.0.0', '0'] : r.dst.split('/');
      const prefix = len === undefined ? 32 : Number(len);
      const reject = ['unreachable', 'prohibit', 'blackhole', 'throw'].includes(r.type ?? '');
      return {
        destination: addr,
        gateway: r.gateway ?? '0.0.0.0',
        genmask: mask(prefix),
        flags: `U${r.gateway ? 'G' : ''}${prefix === 32 ? 'H' : ''}${reject ? '!' : ''}`,
        metric: r.metric ?? 0,
        iface: r.dev ?? '*',
      };
    }),
  );
}

/** Waits until the given locators' boxes stop moving (layout, fit or centring done): two reads agree. */
export async function waitSteady(...locators: Locator[]): Promise<void> {
  const read = async () => JSON.stringify(await Promise.all(locators.map((l) => l.boundingBox())));
  let previous = '';
  await expect
    .poll(
      async () => {
        const now = await read();
        const settled = now === previous && !now.includes('null');
        previous = now;
        return settled;
      },
      { intervals: [300] },
    )
    .toBe(true);
}

/** Centre of a locator's box on the screen (it must be drawn). */
export async function centreOf(l: Locator): Promise<{ x: number; y: number }> {
  const b = await l.boundingBox();
  if (!b) throw new Error('element has no box (not drawn?)');
  return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
}

/**
 * Presses the mouse at `from`, moves in small steps to `to` (React Flow needs real moves to drag),
 * runs `whileOver` with the button still down, then releases.
 */
export async function mouseDrag(
  page: Page,
  from: { x: number; y: number },
  to: { x: number; y: number },
  whileOver?: () => Promise<void>,
): Promise<void> {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(from.x + 6, from.y + 6, { steps: 3 });
  await page.mouse.move(to.x, to.y, { steps: 15 });
  try {
    await whileOver?.();
  } finally {
    await page.mouse.up();
  }
}

/** The fields of an `ip -j link show` entry the specs look at. */
export interface IpLink {
  ifindex: number;
  ifname: string;
  ifalias?: string;
  /** The bridge (master) by name, when the link is a port. */
  master?: string;
}

/** `ip -j -n NS link show`'s entry for the interface NAME, or undefined when it is not there. */
export async function linkIn(ns: string, name: string): Promise<IpLink | undefined> {
  return (await ipJson<IpLink[]>(['link', 'show'], { name: ns })).find((l) => l.ifname === name);
}

/** The ifindex of NAME in the named namespace NS (the host's when NS is omitted); throws when missing. */
export async function ifindexOf(name: string, ns?: string): Promise<number> {
  const [link] = await ipJson<Array<{ ifindex: number }>>(
    ['link', 'show', 'dev', name],
    ns ? { name: ns } : undefined,
  );
  if (!link) throw new Error(`no link ${name}${ns ? ` in ${ns}` : ''}`);
  return link.ifindex;
}

/** The model id of interface NAME in the named namespace NS. */
export async function ifIdIn(ns: string, name: string): Promise<string> {
  return ifId(await nsInode(`/run/netns/${ns}`), await ifindexOf(name, ns));
}
