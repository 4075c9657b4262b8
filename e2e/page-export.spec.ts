/**
 * The toolbar's exports: the current view as PNG and SVG, the model as JSON, each checked as a
 * file a user would get (a decodable, non-blank PNG of the view's size; an SVG that parses and
 * names what is on screen; JSON equal to the served model).
 */
import type { Page } from '@playwright/test';
import { hostname } from 'node:os';
import type { Topology } from '../common/model.js';
import type { SnapshotFile } from '../common/snapshotFile.js';
import { expect, test } from './fixtures.js';
import { node, showNode, waitSteady } from './page-helpers.js';
import { colourStats, decodePng, isPng, pixelAt } from './png.js';
import { downloadFrom, modelOf, steadyDownload, pageSeq, servedTopology, waitDrawn } from './view-helpers.js';
import type { XY } from './view-helpers.js';

/** Colour of a CSS `rgb(r, g, b)` value. */
function rgb(css: string): [number, number, number] {
  const m = /^rgba?\((\d+), (\d+), (\d+)/.exec(css);
  if (!m) throw new Error(`not an rgb colour: ${css}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/**
 * Points along veth edges where the edge is what one sees on screen (not under a box or the
 * minimap), relative to the canvas, with the edge's stroke colour.
 */
async function visibleEdgePoints(page: Page): Promise<{ stroke: string; points: XY[] }> {
  return page.evaluate(() => {
    const flow = document.querySelector('.react-flow')!.getBoundingClientRect();
    let stroke = '';
    const points: Array<{ x: number; y: number }> = [];
    for (const path of Array.from(
      document.querySelectorAll<SVGPathElement>('.react-flow__edge-path.veth-edge'),
    )) {
      const m = path.getScreenCTM();
      const len = path.getTotalLength();
      const id = path.closest('.react-flow__edge')?.getAttribute('data-id');
      if (!m || len < 20 || !id) continue;
      for (let k = 1; k < 20; k++) {
        const p = path.getPointAtLength((len * k) / 20);
        const x = m.a * p.x + m.c * p.y + m.e;
        const y = m.b * p.x + m.d * p.y + m.f;
        const top = document.elementFromPoint(x, y);
        if (top?.closest('.react-flow__edge')?.getAttribute('data-id') !== id) continue;
        if (stroke && getComputedStyle(path).stroke !== stroke) continue;
        stroke = getComputedStyle(path).stroke;
        points.push({ x: x - flow.left, y: y - flow.top });
      }
    }
    return { stroke, points };
  });
}

test('PNG export is a real, non-blank picture of the current view', async ({ page, lab }, testInfo) => {
  const a = lab.ns['netshoot-a'];
  await waitDrawn(page, [a.id]);
  await showNode(page, a.id);
  await waitSteady(node(page, a.id));
  const view = await page
    .locator('.react-flow')
    .evaluate((el) => ({ w: el.clientWidth, h: el.clientHeight }));
  const {
    file: { name, body },
    look: edges,
  } = await steadyDownload(page, 'export-png', () => visibleEdgePoints(page));
  await testInfo.attach('export.png', { body, contentType: 'image/png' });
  expect(name).toMatch(/^netns-explorer-[\dT-]+\.png$/);
  expect(isPng(body)).toBe(true);
  const png = decodePng(body);
  // The view, at the exporter's pixel ratio of 2.
  expect(png.width).toBe(view.w * 2);
  expect(png.height).toBe(view.h * 2);
  // Not blank: boxes, text and edges give many colours and cover a good part of the picture.
  const stats = colourStats(png);
  expect(stats.distinct).toBeGreaterThan(32);
  expect(stats.notBackground / (png.width * png.height)).toBeGreaterThan(0.05);
  // The veth edges are in it, where they are on screen and in their colour (they were once lost:
  // html-to-image drops the CSS-class look of SVG shapes).
  expect(edges.points.length).toBeGreaterThanOrEqual(5);
  const want = rgb(edges.stroke);
  const hits = edges.points.filter((p) => {
    const got = pixelAt(png, p.x * 2, p.y * 2);
    return got.every((v, i) => Math.abs(v - want[i]!) < 48);
  });
  expect(hits.length / edges.points.length).toBeGreaterThan(0.8);
});

test('SVG export parses and names the namespaces and interfaces in view', async ({
  page,
  lab,
  api,
}, testInfo) => {
  const a = lab.ns['netshoot-a'];
  await waitDrawn(page, [a.id]);
  await showNode(page, a.id);
  const t = await servedTopology(api);
  const ns = t.namespaces.find((n) => n.id === a.id);
  const ifaces = t.interfaces.filter((i) => i.namespace === a.id && i.name !== 'lo');
  expect(ns).toBeDefined();
  expect(ifaces.length).toBeGreaterThan(0);
  for (const i of ifaces) await expect(node(page, i.id)).toBeInViewport();

  const veth = page.locator('.react-flow__edge-path.veth-edge').first();
  const {
    file: { name, body },
    look: pageStroke,
  } = await steadyDownload(page, 'export-svg', () => veth.evaluate((p) => getComputedStyle(p).stroke));
  expect(name).toMatch(/^netns-explorer-[\dT-]+\.svg$/);
  await testInfo.attach('export.svg', { body, contentType: 'image/svg+xml' });
  const text = body.toString('utf8');
  expect(text).toContain('<svg');
  // Parsed by the browser's XML parser, and drawn as an image (a broken SVG does neither).
  const parsed = await page.evaluate(async (svg) => {
    const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
    const img = new Image();
    img.src = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
    const drawn = await img.decode().then(
      () => img.naturalWidth > 0 && img.naturalHeight > 0,
      () => false,
    );
    return {
      root: doc.documentElement.nodeName,
      errors: doc.getElementsByTagName('parsererror').length,
      text: doc.documentElement.textContent ?? '',
      drawn,
      // Edges keep their look (html-to-image leaves CSS-class styled SVG shapes bare).
      // Read from the attribute's text: the page's CSP (no inline styles) leaves the parsed
      // document's style declarations empty, though the file carries them.
      edgeStrokes: Array.from(doc.querySelectorAll<SVGElement>('path.veth-edge')).map(
        (p) => /(?:^|;)\s*stroke:\s*([^;]+)/.exec(p.getAttribute('style') ?? '')?.[1]?.trim() ?? '',
      ),
    };
  }, text);
  expect(parsed.root).toBe('svg');
  expect(parsed.errors).toBe(0);
  expect(parsed.drawn).toBe(true);
  expect(parsed.edgeStrokes.length).toBeGreaterThan(0);
  expect(parsed.edgeStrokes).toContain(pageStroke);
  expect(parsed.edgeStrokes).not.toContain('');
  expect(parsed.text).toContain(ns!.name);
  for (const i of ifaces) expect(parsed.text).toContain(i.name);
});

test('JSON export equals the model the server serves', async ({ page, lab, api }) => {
  await waitDrawn(page, [lab.ns.nginx.id]);
  // The page and the server must speak of the same moment: retry until the page holds the seq
  // the server serves and no delta lands while exporting.
  const got: { name?: string; exported?: unknown; served?: Topology } = {};
  const started = Date.now();
  await expect
    .poll(
      async () => {
        const before = await pageSeq(page);
        const served = await servedTopology(api);
        if (before.epoch !== served.epoch || before.seq !== served.seq) return false;
        const { name, body } = await downloadFrom(page, 'export-json');
        if ((await pageSeq(page)).seq !== before.seq) return false;
        Object.assign(got, { name, exported: JSON.parse(body.toString('utf8')), served: modelOf(served) });
        return true;
      },
      { timeout: 30_000 },
    )
    .toBe(true);
  expect(got.name).toMatch(/^netns-topology-[\dT-]+\.json$/);
  // A snapshot file: the model, plus when it was taken and on which host (issue 16).
  const { takenAt, host, ...exportedModel } = got.exported as SnapshotFile;
  expect(exportedModel).toEqual(got.served);
  expect(Date.parse(takenAt ?? '')).toBeGreaterThanOrEqual(started - 1000);
  expect(Date.parse(takenAt ?? '')).toBeLessThanOrEqual(Date.now());
  expect(host).toBe(hostname());
  // The lab is in it (the comparison is not between two empty models).
  const model = got.served!;
  expect(model.namespaces.map((n) => n.id)).toEqual(
    expect.arrayContaining(Object.values(lab.ns).map((n) => n.id)),
  );
});
